package cxone

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v4"
	"golang.org/x/time/rate"
)

// maxResponseRead bounds how much of an API response is read, so that the
// connection can be reused after a short body.
const maxResponseRead = 64 << 10

// engine is the request machinery that Client and InContactClient share:
// the token source, the MaxRPS limiter, the pause after a 429 or 503, and
// the retry loop with its error classes.
type engine struct {
	retry          RetryPolicy
	requestTimeout time.Duration
	httpClient     *http.Client
	tokens         *tokenSource
	limiter        *rate.Limiter // nil when MaxRPS is 0
	pause          pauseGate

	// redirectHint is the advice in the error for a 3xx API response.
	redirectHint string

	observer Observer
}

// attempt is the outcome of one try: a token, if needed, and one request.
type attempt struct {
	status    int
	retryAt   time.Time // zero when the server requested no wait
	token     string    // the bearer token sent, for Invalidate
	transport bool      // the request failed without a response
	err       *Error    // nil on a 2xx response
}

// run calls try until it succeeds, fails for good, or the retry policy
// ends, as UpdateInteraction documents. The retry budget is measured from
// start, so that several actions of one call share it. run adds every
// attempt to res and sets res.Status to the last status received.
//
// It returns a nil *Error on success. When check fails, it returns
// check's error unchanged as checkErr and sends nothing more.
func (e *engine) run(ctx context.Context, start time.Time, res *Result, check func(context.Context) error, try func(context.Context) attempt) (failure *Error, checkErr error) {
	policy := e.retry
	b := e.newBackOff()
	reauthorized := false
	counted := 0
	for {
		if failure := e.waitTurn(ctx, start); failure != nil {
			failure.Status = res.Status
			return failure, nil
		}

		if check != nil {
			if err := check(ctx); err != nil {
				return nil, err
			}
		}

		res.Attempts++
		counted++
		a := try(ctx)
		res.Status = a.status
		if a.err == nil {
			return nil, nil
		}

		if a.status == http.StatusUnauthorized && a.token != "" && !reauthorized {
			// A revoked or expired token: one repeat with a new one, not
			// counted as a backoff step.
			reauthorized = true
			counted--
			e.tokens.Invalidate(a.token)
			continue
		}
		if a.err.Class != ErrTransient || ctx.Err() != nil {
			return a.err, nil
		}

		wait := b.NextBackOff()
		if wait == backoff.Stop || counted >= policy.MaxAttempts {
			a.err.RetryAfter = e.remainingRetryAfter(a)
			return a.err, nil
		}
		backoffWait := wait
		wait = max(wait, time.Until(a.retryAt))
		if time.Since(start)+wait > policy.MaxElapsedTime {
			a.err.RetryAfter = e.remainingRetryAfter(a)
			return a.err, nil
		}
		e.observer.Retry(wait, wait > backoffWait)
		if err := sleep(ctx, wait); err != nil {
			return &Error{Class: ErrTransient, Status: a.status, Err: err}, nil
		}
	}
}

// remainingRetryAfter returns the wait, from now, still owed to the
// server: the longer of the pause gate and the last attempt's Retry-After.
func (e *engine) remainingRetryAfter(a attempt) time.Duration {
	return max(e.pause.remaining(), time.Until(a.retryAt), 0)
}

func (e *engine) newBackOff() *backoff.ExponentialBackOff {
	p := e.retry
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

// failedAttempt turns an error from the token source or from discovery
// into an attempt.
func failedAttempt(err error) attempt {
	var e *Error
	if !errors.As(err, &e) {
		return attempt{err: &Error{Class: ErrTransient, Err: err}}
	}

	// Callers waiting for the same token or discovery request share e:
	// copy it before it gets this call's interaction id and attempts.
	copied := *e
	e = &copied
	a := attempt{status: e.Status, err: e}
	if e.RetryAfter > 0 {
		a.retryAt = time.Now().Add(e.RetryAfter)
	}
	return a
}

// apiRequest is one request to the CXone API, without its bearer token.
type apiRequest struct {
	op          string // Observer operation name
	method      string
	url         string
	body        []byte // nil sends no body
	contentType string
}

// send sends r with token and classifies the response.
func (e *engine) send(ctx context.Context, token string, r apiRequest) attempt {
	reqCtx, cancel := context.WithTimeout(ctx, e.requestTimeout)
	defer cancel()

	var body io.Reader = http.NoBody
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(reqCtx, r.method, r.url, body)
	if err != nil {
		return attempt{token: token, err: &Error{Class: ErrPermanent, Err: err}}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	req.Header.Set("Accept", "application/json")

	sent := time.Now()
	resp, err := e.httpClient.Do(req)
	if err != nil {
		e.observer.Request(r.op, 0, time.Since(sent))
		return attempt{token: token, transport: true, err: &Error{Class: ErrTransient, Err: e.transportError(ctx, reqCtx, err)}}
	}
	defer resp.Body.Close()
	respBody, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseRead))
	receivedAt := time.Now()
	e.observer.Request(r.op, resp.StatusCode, receivedAt.Sub(sent))

	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return attempt{status: resp.StatusCode, token: token}
	}
	if readErr != nil && len(respBody) == 0 {
		respBody = []byte(fmt.Sprintf("(body unreadable: %v)", readErr))
	}
	return e.statusAttempt(resp, respBody, token, receivedAt)
}

// statusAttempt classifies a non-2xx API response. A 429 or 503 with
// Retry-After also pauses every request of the client until the requested
// instant.
func (e *engine) statusAttempt(resp *http.Response, body []byte, token string, receivedAt time.Time) attempt {
	a := attempt{status: resp.StatusCode, token: token}
	failure := &Error{Status: resp.StatusCode, Body: boundedBody(body, token)}
	a.err = failure

	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		failure.Class = ErrAuth
		failure.Err = errors.New("CXone rejected a freshly issued bearer token")
	case retryableStatus(resp.StatusCode):
		failure.Class = ErrTransient
	case resp.StatusCode >= 400:
		failure.Class = ErrPermanent
	default:
		failure.Class = ErrTransient
		failure.Err = fmt.Errorf("unexpected HTTP status (Location %q); %s", resp.Header.Get("Location"), e.redirectHint)
	}

	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if wait, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), receivedAt); ok && wait > 0 {
			a.retryAt = receivedAt.Add(wait)
			e.pause.extend(a.retryAt)
		}
	}
	return a
}

// transportError names a request timeout as such. Other errors, such as
// connection refused, reset or EOF, pass through.
func (e *engine) transportError(ctx, reqCtx context.Context, err error) error {
	if ctx.Err() == nil && errors.Is(reqCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("request timed out after %v (RequestTimeout): %w", e.requestTimeout, err)
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

// collectOptions applies opts.
func collectOptions(opts []UpdateOption) updateOptions {
	var options updateOptions
	for _, opt := range opts {
		opt(&options)
	}
	return options
}
