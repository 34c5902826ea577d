package cxone

import "time"

// Observer receives the events of a client for metrics. Its methods must be
// safe for concurrent use and must return quickly, because they run on the
// calling goroutine between requests.
type Observer interface {
	// Request runs after each API request, token requests excluded. op is
	// "update", "signal" or "set-disposition"; status is 0 when no
	// response arrived.
	Request(op string, status int, latency time.Duration)

	// Retry runs before each wait between two attempts of one call.
	// retryAfter is true when a Retry-After header made the wait longer
	// than the backoff.
	Retry(wait time.Duration, retryAfter bool)
}

// noObserver is the Observer of a client configured without one.
type noObserver struct{}

func (noObserver) Request(string, int, time.Duration) {}
func (noObserver) Retry(time.Duration, bool)          {}

func observerOrNone(o Observer) Observer {
	if o == nil {
		return noObserver{}
	}
	return o
}
