// Package replay re-publishes stored routing requests to ROUTING so the
// workers apply them again: dead letters from ROUTING_DLQ after their cause
// is fixed, or accepted webhooks from ROUTING after a rules fix.
//
// A replayed message carries queue.HeaderReplayOf, "<stream>:<sequence>" of
// its source, and a Nats-Msg-Id derived from it, so JetStream drops a second
// replay of the same source within the duplicate window. A dead letter is
// deleted only after ROUTING acknowledged its copy, so a replay interrupted
// half way can run again without duplicates.
//
// Unless Options.Force is set, a message is skipped as superseded when ROUTING
// already holds a newer request for the same interaction: replaying it would
// overwrite newer routing in CXone.
package replay
