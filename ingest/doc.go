// Package ingest is the HTTP server that Cognigy.AI flows post routing
// requests to.
//
// A webhook request gets a 202 Accepted response only after JetStream has
// stored it in the ROUTING stream and returned a PubAck. Every other outcome is an
// error status, so Cognigy's HTTP Request node, which treats any status above
// 299 as an error, either shows the problem or retries. Retries are safe:
// each message carries a Nats-Msg-Id, and JetStream drops a second message
// with the same id within the stream's duplicate window.
//
// When Config.Auth configures credentials, a webhook request must carry
// exactly one valid credential (an API key, HTTP Basic, or an HS256 JWT)
// before any other check runs, or it gets 401. The liveness check at
// /healthz stays open.
package ingest
