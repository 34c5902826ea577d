package worker

import (
	"fmt"
	"time"

	"github.com/cxrouter/router/mapping"
)

// Config tunes one worker process. Start from DefaultConfig.
type Config struct {
	// MaxInFlight bounds the messages this process handles at once, and so
	// the concurrent CXone calls. The pull buffer holds up to as many more,
	// so twice the sum over all worker processes must stay below the
	// consumer's MaxAckPending, where the server stops delivering without
	// an error. Default 64.
	MaxInFlight int

	// AckWait must equal the consumer's AckWait. While a message takes
	// longer than a third of it, the worker sends InProgress so the server
	// does not redeliver it to a second worker. Default 30 s.
	AckWait time.Duration

	// MaxDeliver must equal the consumer's MaxDeliver. At this delivery a
	// failure is dead-lettered instead of handed back. Default 20.
	MaxDeliver int

	// Redelivery is the delay schedule between deliveries.
	Redelivery Redelivery

	// ShutdownGrace is how long in-flight CXone calls may run after Run's
	// context is cancelled. Calls still running then are cancelled and their
	// messages handed back with Nak. Default 10 s.
	ShutdownGrace time.Duration

	// SkipSuperseded acknowledges a message without calling CXone when a
	// newer message for the same interaction is in the stream. Default true.
	SkipSuperseded bool

	// InputFormat reads a stored webhook body. It must equal the format of
	// ingest, which validated the body. Default mapping.DefaultInputFormat().
	InputFormat mapping.InputFormat

	// JetStreamTimeout bounds each JetStream call the worker makes for a
	// message (ack, nak, last-message lookup, dead-letter publish). Default 5 s.
	JetStreamTimeout time.Duration
}

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		MaxInFlight:      64,
		AckWait:          30 * time.Second,
		MaxDeliver:       20,
		Redelivery:       DefaultRedelivery(),
		ShutdownGrace:    10 * time.Second,
		SkipSuperseded:   true,
		InputFormat:      mapping.DefaultInputFormat(),
		JetStreamTimeout: 5 * time.Second,
	}
}

// Validate reports the first field that cannot work.
func (c Config) Validate() error {
	switch {
	case c.MaxInFlight < 1 || c.MaxInFlight > 10000:
		return fmt.Errorf("worker: MaxInFlight %d must be between 1 and 10000; set ROUTER_WORKER_CONCURRENCY", c.MaxInFlight)
	case c.AckWait < time.Second:
		return fmt.Errorf("worker: AckWait %s must be at least 1s", c.AckWait)
	case c.MaxDeliver < 2:
		return fmt.Errorf("worker: MaxDeliver %d must be at least 2", c.MaxDeliver)
	case c.ShutdownGrace < 0:
		return fmt.Errorf("worker: ShutdownGrace %s must not be negative", c.ShutdownGrace)
	case c.JetStreamTimeout <= 0:
		return fmt.Errorf("worker: JetStreamTimeout %s must be positive", c.JetStreamTimeout)
	}
	if err := c.InputFormat.Validate(); err != nil {
		return fmt.Errorf("worker: InputFormat: %w", err)
	}
	return c.Redelivery.Validate()
}
