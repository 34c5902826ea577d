package cxone

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Failure classes. Every error UpdateInteraction returns is an *Error that
// matches exactly one of them with errors.Is.
var (
	// ErrPermanent means CXone rejected this update and a retry of the same
	// request cannot succeed. Dead-letter the message.
	ErrPermanent = errors.New("cxone: permanent failure")

	// ErrTransient means the update may succeed later. Redeliver the
	// message, after RetryAfterOf when it reports a wait.
	ErrTransient = errors.New("cxone: transient failure")

	// ErrAuth means the client credentials or the tokens they produce are
	// rejected. It is a configuration problem, not a problem with the
	// message: redeliver the message later and do not dead-letter it.
	ErrAuth = errors.New("cxone: authentication failed")
)

// MaxErrorBody is the maximum number of response body bytes kept in Error.Body.
const MaxErrorBody = 512

// Error describes a failed call to CXone.
type Error struct {
	// Op is the operation that failed: "token", "update" (the
	// interactions-v2 PATCH), or in the incontact profile "discovery",
	// "signal" or "set-disposition".
	Op string

	// InteractionID is the interaction, or CXone contact, being updated.
	// It is empty for an Op "token" error outside an update.
	InteractionID string

	// Completed lists the incontact actions, such as "signal", that
	// succeeded in this call before Op failed. A retry of the call
	// performs them again.
	Completed []string

	// Status is the last HTTP status received, or 0 when no response came.
	Status int

	// Attempts is the number of attempts made by the call.
	Attempts int

	// RetryAfter is the remaining wait, measured from when the error was
	// returned, that the server requested with Retry-After, or that an
	// earlier 429 or 503 set for the whole Client. Zero when no wait was
	// requested.
	RetryAfter time.Duration

	// Body is the start of the last response body, at most MaxErrorBody
	// bytes, with any bearer token this package sent removed.
	Body string

	// Class is ErrPermanent, ErrTransient or ErrAuth.
	Class error

	// Err is the underlying cause, such as a network error or
	// context.Canceled. It may be nil.
	Err error

	// authHint is the advice of an ErrAuth error, naming the settings of
	// the profile in use. Empty means the interactions-v2 settings.
	authHint string
}

// Error returns a message naming the interaction, the status, the attempts
// and what to do next.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("cxone: ")
	b.WriteString(e.Op)
	if e.InteractionID != "" {
		fmt.Fprintf(&b, " of interaction %q", e.InteractionID)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " failed with HTTP status %d", e.Status)
	} else {
		b.WriteString(" failed")
	}
	fmt.Fprintf(&b, " after %d attempt(s)", e.Attempts)
	if len(e.Completed) > 0 {
		fmt.Fprintf(&b, " (after %s succeeded; a retry repeats it)", strings.Join(e.Completed, " and "))
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Body != "" {
		fmt.Fprintf(&b, "; response body: %q", e.Body)
	}
	b.WriteString("; ")
	b.WriteString(e.advice())
	return b.String()
}

func (e *Error) advice() string {
	switch e.Class {
	case ErrPermanent:
		return "permanent: fix the update or the interaction id, retrying the same request cannot succeed"
	case ErrAuth:
		if e.authHint != "" {
			return e.authHint
		}
		return "check CXONE_CLIENT_ID, CXONE_CLIENT_SECRET and CXONE_TOKEN_URL; retry the message later"
	}
	if e.RetryAfter > 0 {
		return fmt.Sprintf("transient: retry after %v", e.RetryAfter.Round(time.Millisecond))
	}
	return "transient: retry later"
}

// Unwrap returns the failure class and the underlying cause, so errors.Is
// matches both.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Class}
	}
	return []error{e.Class, e.Err}
}

// IsPermanent reports whether err is a permanent failure: retrying the same
// update cannot succeed. ErrAuth and ErrTransient errors are not permanent.
func IsPermanent(err error) bool {
	return errors.Is(err, ErrPermanent)
}

// IsAuth reports whether err is an authentication failure, which calls for
// fixing the configuration, not for dead-lettering the message.
func IsAuth(err error) bool {
	return errors.Is(err, ErrAuth)
}

// RetryAfterOf returns the wait, measured from when err was returned, that
// CXone asked for before the next attempt. It returns false when err carries
// no such wait.
func RetryAfterOf(err error) (time.Duration, bool) {
	var e *Error
	if !errors.As(err, &e) || e.RetryAfter <= 0 {
		return 0, false
	}
	return e.RetryAfter, true
}

// boundedBody returns the first MaxErrorBody bytes of body as text, with
// every copy of token replaced, so that a server that echoes the request
// does not put the token into error messages and logs.
func boundedBody(body []byte, token string) string {
	return redact(body, []string{token}, "[token removed]")
}

// redact returns the first MaxErrorBody bytes of body as text, with every
// copy of each secret replaced by label.
func redact(body []byte, secrets []string, label string) string {
	s := string(body)
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, label)
		}
	}
	if len(s) > MaxErrorBody {
		s = s[:MaxErrorBody]
	}
	return strings.TrimSpace(s)
}
