// Package ingest is the HTTP server that Cognigy.AI flows post routing
// requests to.
//
// A webhook request gets a 202 Accepted response only after JetStream has
// stored it in the ROUTING stream and returned a PubAck. Every other outcome is an
// error status, so Cognigy's HTTP Request node, which treats any status above
// 299 as an error, either shows the problem or retries. Retries are safe:
// each message carries a Nats-Msg-Id, and JetStream drops a second message
// with the same id within the stream's duplicate window.
package ingest
