package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// AsyncPublisherConfig bounds the PubAcks an AsyncPublisher waits for.
// Start from DefaultAsyncPublisherConfig and change fields.
type AsyncPublisherConfig struct {
	// MaxPending bounds the messages whose PubAck has not arrived yet. A
	// publish beyond it waits for a free place until the caller's context
	// ends, at most StallWait when the context has no deadline. Default 4096.
	MaxPending int

	// StallWait bounds the wait for a free place when the context has no
	// deadline. Default 1 s.
	StallWait time.Duration

	// AckTimeout drops a message's wait for its PubAck from the pending set
	// when no PubAck arrived in time, so the pending set cannot fill up with
	// messages whose caller gave up. It must be at least the PublishTimeout
	// of the Handler. Default 10 s.
	AckTimeout time.Duration
}

// DefaultAsyncPublisherConfig returns the configuration used when nothing is set.
func DefaultAsyncPublisherConfig() AsyncPublisherConfig {
	return AsyncPublisherConfig{
		MaxPending: 4096,
		StallWait:  time.Second,
		AckTimeout: 10 * time.Second,
	}
}

// Validate reports the first field that cannot work, with the fix.
func (c AsyncPublisherConfig) Validate() error {
	switch {
	case c.MaxPending < 1:
		return fmt.Errorf("%w: AsyncPublisherConfig.MaxPending %d must be positive; the default is 4096", ErrInvalidConfig, c.MaxPending)
	case c.StallWait <= 0:
		return fmt.Errorf("%w: AsyncPublisherConfig.StallWait %s must be positive; the default is 1s", ErrInvalidConfig, c.StallWait)
	case c.AckTimeout <= 0:
		return fmt.Errorf("%w: AsyncPublisherConfig.AckTimeout %s must be positive; the default is 10s", ErrInvalidConfig, c.AckTimeout)
	}
	return nil
}

// AsyncPublisher is a Publisher that sends each message with JetStream's
// asynchronous publish and then waits for that message's own PubAck, so a
// caller still answers 202 only for a stored message. Concurrent callers
// share one reply subscription and the connection's batched writes, where
// the synchronous jetstream.JetStream.PublishMsg makes a request-reply
// round trip for each message. It is safe for concurrent use.
type AsyncPublisher struct {
	js  jetstream.JetStream
	cfg AsyncPublisherConfig
}

// NewAsyncPublisher returns an AsyncPublisher that publishes on nc. It opens
// its own JetStream context, because the pending limit and the ack timeout
// are options of the context.
func NewAsyncPublisher(nc *nats.Conn, cfg AsyncPublisherConfig) (*AsyncPublisher, error) {
	if nc == nil {
		return nil, errors.New("ingest: NATS connection is nil; pass a connected *nats.Conn")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}

	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(cfg.MaxPending),
		jetstream.WithPublishAsyncTimeout(cfg.AckTimeout),
	)
	if err != nil {
		return nil, fmt.Errorf("ingest: open JetStream for asynchronous publish: %w", err)
	}
	return &AsyncPublisher{js: js, cfg: cfg}, nil
}

// PublishMsg sends msg and waits for its PubAck or for ctx to end. An error
// after the send means the message may still have been stored, as with a
// timed-out synchronous publish. Errors of the send itself, such as
// nats.ErrMaxPayload, are returned wrapped.
func (p *AsyncPublisher) PublishMsg(ctx context.Context, msg *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	stallWait := p.cfg.StallWait
	if deadline, ok := ctx.Deadline(); ok {
		stallWait = time.Until(deadline)
		if stallWait <= 0 {
			return nil, fmt.Errorf("ingest: asynchronous publish: %w", context.DeadlineExceeded)
		}
	}
	opts = append(opts, jetstream.WithStallWait(stallWait))

	future, err := p.js.PublishMsgAsync(msg, opts...)
	if err != nil {
		return nil, fmt.Errorf("ingest: asynchronous publish: %w", err)
	}

	select {
	case ack := <-future.Ok():
		return ack, nil
	case err := <-future.Err():
		return nil, fmt.Errorf("ingest: asynchronous publish: %w", err)
	case <-ctx.Done():
		return nil, fmt.Errorf("ingest: waiting for the PubAck: %w", ctx.Err())
	}
}

// Pending returns the number of messages whose PubAck has not arrived yet.
func (p *AsyncPublisher) Pending() int {
	return p.js.PublishAsyncPending()
}
