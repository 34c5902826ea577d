package queue

// Message headers. Header names are case-sensitive in NATS.
const (
	// HeaderMsgID is the JetStream de-duplication id (jetstream.MsgIDHeader).
	HeaderMsgID = "Nats-Msg-Id"

	// HeaderRequestID carries the ingest request id to the worker's log lines.
	HeaderRequestID = "Router-Request-Id"

	// HeaderReceivedAt is the RFC 3339 time at which ingest accepted the webhook.
	HeaderReceivedAt = "Router-Received-At"

	// HeaderReplayOf names the dead-letter stream sequence a replayed message came from.
	HeaderReplayOf = "Router-Replay-Of"
)
