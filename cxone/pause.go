package cxone

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// errPaused is the cause of an ErrTransient error returned because the
// client is paused beyond the caller's retry budget.
var errPaused = errors.New("all requests of this client are paused by an earlier 429 or 503 with Retry-After")

// pauseGate holds back every request of a client until an instant set by a
// 429 or 503 response with Retry-After. The zero value is open.
type pauseGate struct {
	mu    sync.Mutex
	until time.Time
}

// extend moves the end of the pause to until, if that is later.
func (g *pauseGate) extend(until time.Time) {
	g.mu.Lock()
	if until.After(g.until) {
		g.until = until
	}
	g.mu.Unlock()
}

// remaining returns how long the pause lasts from now, or 0.
func (g *pauseGate) remaining() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return max(time.Until(g.until), 0)
}

// PausedUntil returns the instant until which the Client holds back
// requests after a 429 or 503 with Retry-After, or the zero time when it
// never paused. The instant may be in the past.
func (c *Client) PausedUntil() time.Time {
	return c.pause.pausedUntil()
}

// pausedUntil returns the end of the pause, possibly in the past.
func (g *pauseGate) pausedUntil() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.until
}

// waitTurn waits for the pause gate and the rate limiter. It returns an
// ErrTransient error without waiting when the wait would end after the
// call's retry budget, which started at start.
func (e *engine) waitTurn(ctx context.Context, start time.Time) *Error {
	budget := e.retry.MaxElapsedTime

	if wait := e.pause.remaining(); wait > 0 {
		if time.Since(start)+wait > budget {
			return &Error{Class: ErrTransient, RetryAfter: wait, Err: errPaused}
		}
		if err := sleep(ctx, wait); err != nil {
			return &Error{Class: ErrTransient, Err: err}
		}
	}

	if e.limiter == nil {
		return nil
	}
	reservation := e.limiter.Reserve()
	wait := reservation.Delay()
	if time.Since(start)+wait > budget {
		reservation.Cancel()
		return &Error{Class: ErrTransient, RetryAfter: wait, Err: errors.New("the MaxRPS rate limit leaves no request slot within the retry budget")}
	}
	if err := sleep(ctx, wait); err != nil {
		reservation.Cancel()
		return &Error{Class: ErrTransient, Err: err}
	}
	return nil
}

func newLimiter(maxRPS float64) *rate.Limiter {
	if maxRPS <= 0 {
		return nil
	}
	burst := max(int(maxRPS), 1)
	return rate.NewLimiter(rate.Limit(maxRPS), burst)
}

// sleep waits for d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
