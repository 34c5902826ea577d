// Package queue defines the JetStream topology that ingest, workers and
// replay share: stream and consumer names, subjects, headers and the
// idempotent set-up that creates or updates them.
//
// The names here are a contract with operators and dashboards. Changing one
// strands messages stored under the old name.
package queue
