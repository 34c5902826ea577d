package queue

import "strings"

// Stream, subject and consumer names.
const (
	// StreamName is the work stream that ingest publishes to.
	StreamName = "ROUTING"

	// SubjectPrefix starts every request subject. The interaction id follows it.
	SubjectPrefix = "routing.requests."

	// StreamSubjects is the subject filter of StreamName.
	StreamSubjects = SubjectPrefix + ">"

	// ConsumerName is the durable pull consumer shared by all workers.
	ConsumerName = "routing-workers"

	// DLQStreamName is the dead-letter stream.
	DLQStreamName = "ROUTING_DLQ"

	// DLQSubjectPrefix starts every dead-letter subject. The interaction id follows it.
	DLQSubjectPrefix = "routing.dlq."

	// DLQStreamSubjects is the subject filter of DLQStreamName.
	DLQStreamSubjects = DLQSubjectPrefix + ">"

	// LockBucket is the key-value bucket of per-interaction locks that keep
	// two worker processes from calling CXone for one interaction at once.
	// Its stream is KV_ROUTING_LOCKS.
	LockBucket = "ROUTING_LOCKS"
)

// Subject returns the subject of one request for interactionID.
//
// The caller must pass an id that is a single NATS subject token: ingest
// accepts only ids matching ^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$, which contain
// no '.', '*', '>' or white space.
func Subject(interactionID string) string {
	return SubjectPrefix + interactionID
}

// DLQSubject returns the dead-letter subject for interactionID.
func DLQSubject(interactionID string) string {
	return DLQSubjectPrefix + interactionID
}

// InteractionFromSubject returns the interaction id carried by a request or
// dead-letter subject, and false for any other subject.
func InteractionFromSubject(subject string) (string, bool) {
	for _, prefix := range []string{SubjectPrefix, DLQSubjectPrefix} {
		id, ok := strings.CutPrefix(subject, prefix)
		if ok && id != "" {
			return id, true
		}
	}
	return "", false
}
