package cxone

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// inContactAuthHint is the advice of ErrAuth errors of InContactClient.
const inContactAuthHint = "check CXONE_CLIENT_ID, CXONE_CLIENT_SECRET, CXONE_ACCESS_KEY_ID, CXONE_ACCESS_KEY_SECRET and CXONE_ISSUER_URL; retry the message later"

// InContactClient updates contacts of a real CXone tenant through the
// inContact API: it signals the contact's running Studio script and sets
// dispositions. It discovers the token endpoint and the tenant's API
// endpoint from the issuer, gets tokens with the OAuth password grant and
// an access key, and retries and classifies failures as Client does. It is
// safe for concurrent use.
type InContactClient struct {
	cfg InContactConfig
	engine
	discovery *discovery
}

// NewInContactClient validates cfg, applies the defaults and returns an
// InContactClient. It sends no request: discovery and the first token
// request happen in the first UpdateInteraction call.
func NewInContactClient(cfg InContactConfig) (*InContactClient, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()

	d := &discovery{
		issuer:     cfg.IssuerURL,
		ttl:        cfg.DiscoveryTTL,
		timeout:    cfg.RequestTimeout,
		httpClient: cfg.HTTPClient,
	}
	tokens := &tokenSource{
		endpoint: d.tokenURL,
		form: url.Values{
			"grant_type": {"password"},
			"username":   {cfg.AccessKeyID},
			"password":   {cfg.AccessKeySecret},
		},
		clientID:     cfg.ClientID,
		clientSecret: cfg.ClientSecret,
		// NICE's own clients send the client credentials in Basic auth
		// without form-encoding them first.
		rawBasic:       true,
		secrets:        []string{cfg.ClientSecret, cfg.AccessKeySecret},
		authHint:       inContactAuthHint,
		endpointFailed: d.tokenEndpoint.forget,
		timeout:        cfg.RequestTimeout,
		httpClient:     cfg.HTTPClient,
	}

	c := &InContactClient{
		cfg: cfg,
		engine: engine{
			retry:          cfg.Retry,
			requestTimeout: cfg.RequestTimeout,
			httpClient:     cfg.HTTPClient,
			tokens:         tokens,
			limiter:        newLimiter(cfg.MaxRPS),
			redirectHint:   "check CXONE_ISSUER_URL and CXONE_API_VERSION",
			observer:       observerOrNone(cfg.Observer),
		},
		discovery: d,
	}
	return c, nil
}

// TokenFetches returns the number of token requests this client has sent.
func (c *InContactClient) TokenFetches() int64 {
	return c.tokens.Fetches()
}

// PausedUntil returns the instant until which the client holds back
// requests after a 429 or 503 with Retry-After, or the zero time when it
// never paused. The instant may be in the past.
func (c *InContactClient) PausedUntil() time.Time {
	return c.pause.pausedUntil()
}

// UpdateInteraction performs u.Actions on the contact contactID, in order:
//
//   - ActionSignal: POST {api}/inContactAPI/services/{version}/interactions/{contactID}/signal
//     with the values named by SignalParams as query parameters p1 to p9.
//   - ActionDisposition: POST {api}/inContactAPI/services/{version}/contacts/{contactID}/set-disposition
//     with {"dispositionInfo":{"skill":…,"dispositionCode":…,"notes":…}},
//     where skill is u.RoutingData.Skill and dispositionCode is
//     u.Disposition.ID.
//
// Empty u.Actions means ActionSignal only. Each action is retried as
// Client.UpdateInteraction retries its PATCH, with the same error classes,
// 401 handling and BeforeAttempt checks. MaxAttempts applies to each
// action and MaxElapsedTime to the whole call. An invalid update, such as
// an unknown action or a disposition without an id, fails with ErrPermanent
// before anything is sent.
//
// When an action fails after earlier ones succeeded, the *Error's Op names
// the failed action and Completed lists the ones that succeeded. A retry of
// the whole call performs them again, so a Studio script may receive the
// same signal more than once.
func (c *InContactClient) UpdateInteraction(ctx context.Context, contactID string, u Update, opts ...UpdateOption) (Result, error) {
	start := time.Now()
	var res Result
	var completed []string
	options := collectOptions(opts)
	fail := func(op string, e *Error) (Result, error) {
		if e.Op == "" {
			e.Op = op
		}
		e.InteractionID = contactID
		e.Attempts = res.Attempts
		e.Completed = slices.Clone(completed)
		e.authHint = inContactAuthHint
		res.Elapsed = time.Since(start)
		return res, e
	}

	if contactID == "" {
		return fail("update", &Error{Class: ErrPermanent, Err: errors.New("contact id is empty")})
	}
	actions, err := c.plan(contactID, u)
	if err != nil {
		return fail("update", &Error{Class: ErrPermanent, Err: err})
	}

	for _, act := range actions {
		failure, checkErr := c.run(ctx, start, &res, options.beforeAttempt, func(ctx context.Context) attempt {
			return c.try(ctx, act)
		})
		if checkErr != nil {
			res.Elapsed = time.Since(start)
			return res, checkErr
		}
		if failure != nil {
			return fail(act.op, failure)
		}
		completed = append(completed, act.name)
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// try gets a token and the API endpoint, and sends one request of act.
func (c *InContactClient) try(ctx context.Context, act plannedAction) attempt {
	token, err := c.tokens.get(ctx)
	if err != nil {
		return failedAttempt(err)
	}
	api, err := c.discovery.apiURL(ctx, token)
	if err != nil {
		return failedAttempt(err)
	}

	a := c.send(ctx, token.access, apiRequest{
		op:          act.op,
		method:      http.MethodPost,
		url:         api + "/inContactAPI/services/" + c.cfg.APIVersion + act.path,
		body:        act.body,
		contentType: act.contentType,
	})
	noResponse := a.transport && ctx.Err() == nil
	c.discovery.apiEndpoint.reportResult(api, !noResponse)
	return a
}
