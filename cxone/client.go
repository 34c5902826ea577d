package cxone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cenkalti/backoff/v4"
	"golang.org/x/time/rate"
)

// maxResponseRead bounds how much of a PATCH response is read, so that the
// connection can be reused after a short body.
const maxResponseRead = 64 << 10

// Client updates CXone interactions. It is safe for concurrent use, and all
// goroutines that use one Client share its token cache, its MaxRPS limit and
// its pause after a 429.
type Client struct {
	cfg     Config
	tokens  *tokenSource
	limiter *rate.Limiter // nil when MaxRPS is 0
	pause   pauseGate
}

// Result describes a successful update.
type Result struct {
	// Status is the HTTP status of the successful PATCH.
	Status int

	// Attempts is the number of attempts, the repeat after a 401 included.
	Attempts int

	// Elapsed is the time from the call's start to its return.
	Elapsed time.Duration
}

// attempt is the outcome of one try: a token, if needed, and one PATCH.
type attempt struct {
	status  int
	retryAt time.Time // zero when the server requested no wait
	token   string    // the bearer token sent, for Invalidate
	err     *Error    // nil on a 2xx response
}

// NewClient validates cfg, applies the defaults and returns a Client.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()

	c := &Client{
		cfg:     cfg,
		tokens:  newTokenSource(cfg),
		limiter: newLimiter(cfg.MaxRPS),
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
//
// Every error is an *Error of class ErrPermanent, ErrTransient or ErrAuth,
// except the error of a BeforeAttempt check, which is returned unchanged.
// A cancelled ctx returns an ErrTransient error that also matches ctx.Err().
func (c *Client) UpdateInteraction(ctx context.Context, interactionID string, u Update, opts ...UpdateOption) (Result, error) {
	start := time.Now()
	var res Result
	var options updateOptions
	for _, opt := range opts {
		opt(&options)
	}
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

	policy := c.cfg.Retry
	b := c.newBackOff()
	reauthorized := false
	counted := 0
	for {
		if e := c.waitTurn(ctx, start); e != nil {
			e.Status = res.Status
			return fail(e)
		}

		if options.beforeAttempt != nil {
			if err := options.beforeAttempt(ctx); err != nil {
				res.Elapsed = time.Since(start)
				return res, err
			}
		}

		res.Attempts++
		counted++
		a := c.try(ctx, interactionID, body)
		res.Status = a.status
		if a.err == nil {
			res.Elapsed = time.Since(start)
			return res, nil
		}

		if a.status == http.StatusUnauthorized && a.token != "" && !reauthorized {
			// A revoked or expired token: one repeat with a new one, not
			// counted as a backoff step.
			reauthorized = true
			counted--
			c.tokens.Invalidate(a.token)
			continue
		}
		if a.err.Class != ErrTransient || ctx.Err() != nil {
			return fail(a.err)
		}

		wait := b.NextBackOff()
		if wait == backoff.Stop || counted >= policy.MaxAttempts {
			a.err.RetryAfter = c.remainingRetryAfter(a)
			return fail(a.err)
		}
		wait = max(wait, time.Until(a.retryAt))
		if time.Since(start)+wait > policy.MaxElapsedTime {
			a.err.RetryAfter = c.remainingRetryAfter(a)
			return fail(a.err)
		}
		if err := sleep(ctx, wait); err != nil {
			return fail(&Error{Class: ErrTransient, Status: a.status, Err: err})
		}
	}
}

// remainingRetryAfter returns the wait, from now, still owed to the
// server: the longer of the pause gate and the last attempt's Retry-After.
func (c *Client) remainingRetryAfter(a attempt) time.Duration {
	return max(c.pause.remaining(), time.Until(a.retryAt), 0)
}

func (c *Client) newBackOff() *backoff.ExponentialBackOff {
	p := c.cfg.Retry
	b := &backoff.ExponentialBackOff{
		InitialInterval:     p.InitialInterval,
		RandomizationFactor: p.RandomizationFactor,
		Multiplier:          p.Multiplier,
		MaxInterval:         p.MaxInterval,
		MaxElapsedTime:      p.MaxElapsedTime,
		Stop:                backoff.Stop,
		Clock:               backoff.SystemClock,
	}
	b.Reset()
	return b
}

// try gets a token and sends one PATCH.
func (c *Client) try(ctx context.Context, interactionID string, body []byte) attempt {
	token, err := c.tokens.Token(ctx)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			// Callers waiting for the same token request share e: copy it
			// before it gets this call's interaction id and attempts.
			copied := *e
			e = &copied
			a := attempt{status: e.Status, err: e}
			if e.RetryAfter > 0 {
				a.retryAt = time.Now().Add(e.RetryAfter)
			}
			return a
		}
		return attempt{err: &Error{Class: ErrTransient, Err: err}}
	}

	reqCtx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()

	endpoint := c.cfg.BaseURL + "/api/v2/interactions/" + url.PathEscape(interactionID)
	req, err := http.NewRequestWithContext(reqCtx, http.MethodPatch, endpoint, bytes.NewReader(body))
	if err != nil {
		return attempt{token: token, err: &Error{Class: ErrPermanent, Err: err}}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return attempt{token: token, err: &Error{Class: ErrTransient, Err: c.transportError(ctx, reqCtx, err)}}
	}
	defer resp.Body.Close()
	respBody, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseRead))
	receivedAt := time.Now()

	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return attempt{status: resp.StatusCode, token: token}
	}
	if readErr != nil && len(respBody) == 0 {
		respBody = []byte(fmt.Sprintf("(body unreadable: %v)", readErr))
	}
	return c.statusAttempt(resp, respBody, token, receivedAt)
}

// statusAttempt classifies a non-2xx PATCH response. A 429 or 503 with
// Retry-After also pauses the whole Client until the requested instant.
func (c *Client) statusAttempt(resp *http.Response, body []byte, token string, receivedAt time.Time) attempt {
	a := attempt{status: resp.StatusCode, token: token}
	e := &Error{Status: resp.StatusCode, Body: boundedBody(body, token)}
	a.err = e

	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		e.Class = ErrAuth
		e.Err = errors.New("CXone rejected a freshly issued bearer token")
	case retryableStatus(resp.StatusCode):
		e.Class = ErrTransient
	case resp.StatusCode >= 400:
		e.Class = ErrPermanent
	default:
		e.Class = ErrTransient
		e.Err = fmt.Errorf("unexpected HTTP status (Location %q); check CXONE_BASE_URL", resp.Header.Get("Location"))
	}

	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if wait, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), receivedAt); ok && wait > 0 {
			a.retryAt = receivedAt.Add(wait)
			c.pause.extend(a.retryAt)
		}
	}
	return a
}

// transportError names a request timeout as such; other errors, such as
// connection refused, reset or EOF, pass through.
func (c *Client) transportError(ctx, reqCtx context.Context, err error) error {
	if ctx.Err() == nil && errors.Is(reqCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("request timed out after %v (RequestTimeout): %w", c.cfg.RequestTimeout, err)
	}
	return err
}

// retryableStatus reports whether a status may succeed on a later attempt.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	}
	return status >= 500 && status <= 599
}
