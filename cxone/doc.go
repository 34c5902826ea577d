// Package cxone updates live NICE CXone interactions. It has two clients
// with the same UpdateInteraction method:
//
//   - Client uses the interactions-v2 API: it gets and caches an OAuth
//     client-credentials token and sends
//     PATCH /api/v2/interactions/{interactionId}.
//   - InContactClient uses the inContact API of a real CXone tenant. It
//     discovers the token endpoint and the tenant's API endpoint from the
//     issuer, and gets and caches a token with the OAuth password grant and
//     an access key. It signals the contact's Studio script with p1 to p9
//     and sets dispositions.
//
// Both retry what is worth retrying within an in-process budget, and
// classify every failure so that the caller can decide between
// acknowledging, redelivering later and dead-lettering a message.
//
// Failures come back as *Error values that match exactly one of three
// sentinel classes with errors.Is:
//
//   - ErrPermanent: CXone rejected this update (400, 403, 404, 422 and other
//     4xx that are not retryable). Retrying the same message cannot succeed.
//   - ErrTransient: the update may succeed later (timeouts, connection
//     errors, 408, 425, 429, 5xx, or a cancelled context). RetryAfterOf
//     returns how long the server asked the caller to wait, when it did.
//   - ErrAuth: the token endpoint rejected the credentials, discovery
//     rejected the issuer or tenant, or CXone rejected two fresh tokens in a
//     row. This is a configuration problem, not a problem with the message:
//     redeliver the message later and alert.
//
// The package never logs. Callers log the returned errors and Results.
package cxone
