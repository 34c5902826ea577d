package worker

import "time"

// Outcome is the result of one delivery of a message.
type Outcome string

// Outcomes, as logged in the "outcome" field.
const (
	OutcomeApplied      Outcome = "applied"
	OutcomeSuperseded   Outcome = "superseded"
	OutcomeRetry        Outcome = "retry"
	OutcomeDeadLettered Outcome = "dead-lettered"
	OutcomeReleased     Outcome = "released"
)

// result describes one handled delivery for the log line and the counters.
type result struct {
	outcome  Outcome
	intent   string
	rule     string
	status   int           // last CXone HTTP status, 0 when CXone was not called or sent no response
	attempts int           // CXone attempts within this delivery
	delay    time.Duration // NakWithDelay delay when outcome is OutcomeRetry
	reason   string        // dead-letter reason class
	err      error         // the failure behind retry, dead-lettered or released
	ackErr   error         // a failed ack, nak, term or dead-letter publish
}
