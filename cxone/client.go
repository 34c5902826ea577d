package cxone

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// Client updates CXone interactions through the interactions-v2 API. It is
// safe for concurrent use, and all goroutines that use one Client share its
// token cache, its MaxRPS limit and its pause after a 429.
type Client struct {
	cfg Config
	engine
}

// Result describes a successful update.
type Result struct {
	// Status is the HTTP status of the last successful request: the PATCH,
	// or in the incontact profile the last action.
	Status int

	// Attempts is the number of attempts, the repeat after a 401 included.
	// In the incontact profile it adds up the attempts of every action.
	Attempts int

	// Elapsed is the time from the call's start to its return.
	Elapsed time.Duration
}

// NewClient validates cfg, applies the defaults and returns a Client.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()

	c := &Client{
		cfg: cfg,
		engine: engine{
			retry:          cfg.Retry,
			requestTimeout: cfg.RequestTimeout,
			httpClient:     cfg.HTTPClient,
			tokens:         newClientCredentialsSource(cfg),
			limiter:        newLimiter(cfg.MaxRPS),
			redirectHint:   "check CXONE_BASE_URL",
			observer:       observerOrNone(cfg.Observer),
		},
	}
	return c, nil
}

// TokenFetches returns the number of token requests this Client has sent.
func (c *Client) TokenFetches() int64 {
	return c.tokens.Fetches()
}

// UpdateInteraction sends u as PATCH /api/v2/interactions/{interactionID}
// and retries as RetryPolicy describes: on 408, 425, 429, 5xx, request
// timeouts and connection errors. A 401 drops the cached token and repeats
// the request once, at once, with a new token. The call returns before the
// retry budget is spent when the next wait would not fit in it, with an
// ErrTransient error that carries the server's Retry-After, if any.
// u.Actions and u.Disposition are ignored.
//
// Every error is an *Error of class ErrPermanent, ErrTransient or ErrAuth,
// except the error of a BeforeAttempt check, which is returned unchanged.
// A cancelled ctx returns an ErrTransient error that also matches ctx.Err().
func (c *Client) UpdateInteraction(ctx context.Context, interactionID string, u Update, opts ...UpdateOption) (Result, error) {
	start := time.Now()
	var res Result
	options := collectOptions(opts)
	fail := func(e *Error) (Result, error) {
		if e.Op == "" {
			e.Op = "update"
		}
		e.InteractionID = interactionID
		e.Attempts = res.Attempts
		res.Elapsed = time.Since(start)
		return res, e
	}

	if interactionID == "" {
		return fail(&Error{Class: ErrPermanent, Err: errors.New("interaction id is empty")})
	}
	body, err := json.Marshal(u)
	if err != nil {
		return fail(&Error{Class: ErrPermanent, Err: err})
	}

	failure, checkErr := c.run(ctx, start, &res, options.beforeAttempt, func(ctx context.Context) attempt {
		return c.try(ctx, interactionID, body)
	})
	res.Elapsed = time.Since(start)
	if checkErr != nil {
		return res, checkErr
	}
	if failure != nil {
		return fail(failure)
	}
	return res, nil
}

// try gets a token and sends one PATCH.
func (c *Client) try(ctx context.Context, interactionID string, body []byte) attempt {
	token, err := c.tokens.Token(ctx)
	if err != nil {
		return failedAttempt(err)
	}
	return c.send(ctx, token, apiRequest{
		op:          "update",
		method:      http.MethodPatch,
		url:         c.cfg.BaseURL + "/api/v2/interactions/" + url.PathEscape(interactionID),
		body:        body,
		contentType: "application/json",
	})
}
