package queue

// Message headers. Header names are case-sensitive in NATS.
const (
	// HeaderMsgID is the JetStream de-duplication id (jetstream.MsgIDHeader).
	HeaderMsgID = "Nats-Msg-Id"

	// HeaderRequestID carries the ingest request id to the worker's log lines.
	HeaderRequestID = "Router-Request-Id"

	// HeaderReceivedAt is the RFC 3339 time at which ingest accepted the webhook.
	HeaderReceivedAt = "Router-Received-At"

	// HeaderReplayOf names the source of a replayed message as "<stream>:<sequence>",
	// such as "ROUTING_DLQ:17".
	HeaderReplayOf = "Router-Replay-Of"
)

// Dead-letter headers, set by the worker on each message in ROUTING_DLQ. The
// body of a dead letter is the original request body, unchanged.
const (
	// HeaderDLQReason is the reason class, one of the Reason constants.
	HeaderDLQReason = "Router-Dlq-Reason"

	// HeaderDLQStatus is the last HTTP status CXone returned, or 0 for none.
	HeaderDLQStatus = "Router-Dlq-Status"

	// HeaderDLQError is the last error text, at most MaxDLQErrorBytes long.
	HeaderDLQError = "Router-Dlq-Error"

	// HeaderDLQDeliveries is how many times ROUTING delivered the message.
	HeaderDLQDeliveries = "Router-Dlq-Deliveries"

	// HeaderDLQStreamSeq is the message's sequence in ROUTING.
	HeaderDLQStreamSeq = "Router-Dlq-Stream-Seq"

	// HeaderDLQAcceptedAt is the RFC 3339 time ROUTING stored the message.
	HeaderDLQAcceptedAt = "Router-Dlq-Accepted-At"

	// HeaderDLQFirstAttempt is the RFC 3339 time of the first attempt. It is
	// absent when a worker process other than the dead-lettering one made it.
	HeaderDLQFirstAttempt = "Router-Dlq-First-Attempt"

	// HeaderDLQLastAttempt is the RFC 3339 time of the attempt that failed last.
	HeaderDLQLastAttempt = "Router-Dlq-Last-Attempt"

	// HeaderDLQMsgID is the original message's Nats-Msg-Id.
	HeaderDLQMsgID = "Router-Dlq-Msg-Id"

	// HeaderDLQSubject is the original subject in ROUTING.
	HeaderDLQSubject = "Router-Dlq-Subject"
)

// MaxDLQErrorBytes bounds the HeaderDLQError value.
const MaxDLQErrorBytes = 512

// Reason classes in HeaderDLQReason.
const (
	// ReasonInvalidPayload: the stored body does not parse as a webhook.
	ReasonInvalidPayload = "invalid-payload"

	// ReasonNoRule: no routing rule matched the request.
	ReasonNoRule = "no-rule"

	// ReasonRejected: CXone rejected the update permanently (400, 403, 404, 422).
	ReasonRejected = "cxone-rejected"

	// ReasonMaxDeliveries: the delivery count reached MaxDeliver while CXone kept failing.
	ReasonMaxDeliveries = "max-deliveries"
)
