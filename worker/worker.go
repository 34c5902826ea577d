package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/cxrouter/router/cxone"
	"github.com/cxrouter/router/mapping"
)

// Updater applies one update to a CXone interaction. *cxone.Client
// implements it, with its own in-process retries.
type Updater interface {
	UpdateInteraction(ctx context.Context, interactionID string, u cxone.Update, opts ...cxone.UpdateOption) (cxone.Result, error)
}

// Deps are the components a Worker uses.
type Deps struct {
	// JetStream publishes dead letters.
	JetStream jetstream.JetStream

	// Stream is ROUTING, asked for the last message on a subject.
	Stream jetstream.Stream

	// Consumer is routing-workers.
	Consumer jetstream.Consumer

	Rules  *mapping.Rules
	CXone  Updater
	Logger zerolog.Logger

	// Observer, when set, receives every handled delivery.
	Observer Observer

	// Locks, when set, is the ROUTING_LOCKS bucket. Workers then take a
	// lease per interaction, so calls for one interaction never overlap
	// across processes. Without it they overlap at most for the duration
	// of one HTTP request.
	Locks jetstream.KeyValue
}

// Observer receives one call per handled delivery, for metrics. It must be
// safe for concurrent use and must not block.
type Observer interface {
	MessageDone(outcome Outcome, latency time.Duration)
}

// Worker consumes ROUTING and applies each request to CXone.
type Worker struct {
	cfg      Config
	deps     Deps
	log      zerolog.Logger
	locks    interactionLocks
	leases   *leases // nil without Deps.Locks
	parser   *mapping.Parser
	counters counters
	firsts   firstAttempts
}

// New checks cfg and deps and returns a Worker. Call Run to start it.
func New(cfg Config, deps Deps) (*Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.JetStream == nil || deps.Stream == nil || deps.Consumer == nil {
		return nil, errors.New("worker: JetStream, Stream and Consumer are required")
	}
	if deps.Rules == nil || deps.CXone == nil {
		return nil, errors.New("worker: Rules and CXone are required")
	}
	parser, err := cfg.InputFormat.Parser()
	if err != nil {
		return nil, err
	}
	w := &Worker{cfg: cfg, deps: deps, log: deps.Logger, parser: parser}
	if deps.Locks != nil {
		w.leases = newLeases(deps.Locks)
	}
	return w, nil
}

// Run consumes messages until ctx is cancelled, then shuts down: it stops
// pulling, lets in-flight calls finish within Config.ShutdownGrace, hands
// back every other delivered message with Nak, and returns nil. It returns
// an error only when consuming cannot start.
func (w *Worker) Run(ctx context.Context) error {
	iter, err := w.deps.Consumer.Messages(jetstream.PullMaxMessages(w.cfg.MaxInFlight))
	if err != nil {
		return fmt.Errorf("worker: start consuming: %w", err)
	}

	// Calls outlive ctx by the grace period, so a shutdown does not cut a
	// CXone call that is about to succeed.
	callCtx, cancelCalls := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelCalls()
	stopWatching := w.watchShutdown(ctx, iter, cancelCalls)
	defer stopWatching()

	var inFlight sync.WaitGroup
	slots := make(chan struct{}, w.cfg.MaxInFlight)
	for {
		slots <- struct{}{}
		msg, err := iter.Next()
		if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
			break
		}
		if err != nil {
			<-slots
			w.log.Warn().Err(err).Msg("pull from consumer failed; retrying")
			time.Sleep(100 * time.Millisecond)
			continue
		}

		inFlight.Add(1)
		go func() {
			defer inFlight.Done()
			defer func() { <-slots }()
			w.process(ctx, callCtx, msg)
		}()
	}

	inFlight.Wait()
	w.log.Info().Msg("worker stopped")
	return nil
}

// watchShutdown drains iter when ctx is cancelled and cancels calls after
// the grace period. The returned function stops the watcher.
func (w *Worker) watchShutdown(ctx context.Context, iter jetstream.MessagesContext, cancelCalls context.CancelFunc) func() {
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
			return
		case <-ctx.Done():
		}

		w.log.Info().Int64("grace_ms", w.cfg.ShutdownGrace.Milliseconds()).Msg("worker stopping: no new messages, in-flight calls may finish")
		iter.Drain()

		select {
		case <-done:
		case <-time.After(w.cfg.ShutdownGrace):
			w.log.Warn().Msg("shutdown grace period over; cancelling CXone calls still running")
			cancelCalls()
		}
	}()
	return func() { close(done) }
}
