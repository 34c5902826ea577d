package cxone

import "context"

// UpdateOption changes one UpdateInteraction call.
type UpdateOption func(*updateOptions)

type updateOptions struct {
	beforeAttempt func(ctx context.Context) error
}

// BeforeAttempt sets a check that runs before every attempt, the first one
// included and after every backoff wait. When check returns an error, the
// call sends nothing more and returns that error unchanged, not wrapped in
// an *Error, with the Result of the attempts made so far.
//
// A worker uses it to stop retrying an update that a newer request for the
// same interaction has made stale while this one waited out a Retry-After.
func BeforeAttempt(check func(ctx context.Context) error) UpdateOption {
	return func(o *updateOptions) { o.beforeAttempt = check }
}
