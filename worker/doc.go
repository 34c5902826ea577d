// Package worker consumes routing requests from the ROUTING stream, decides
// the CXone routing data with package mapping, and applies it with package
// cxone.
//
// Each message ends in exactly one of these outcomes:
//
//   - applied: CXone accepted the update; the message is acknowledged.
//   - superseded: a newer request for the same interaction is already in the
//     stream; the message is acknowledged without calling CXone.
//   - retry: CXone failed in a way that may pass (429, 5xx, timeout, refused
//     connection, rejected credentials), and the in-process retry budget is
//     spent. The message goes back with NakWithDelay. A plain Nak would
//     redeliver at once and ignore any delay.
//   - dead-lettered: the failure is permanent (400, 403, 404, 422, a payload
//     or rules problem) or the delivery count reached MaxDeliver; a copy with
//     the reason goes to ROUTING_DLQ and the original is terminated.
//   - released: the worker is shutting down; the message goes back with a
//     plain Nak so another worker takes it at once. Nothing is dead-lettered
//     because of a shutdown.
//
// A Worker handles at most Config.MaxInFlight messages at once. Its pull
// buffer holds up to as many more delivered messages, so up to twice
// MaxInFlight can be unacknowledged at a time.
package worker
