package worker

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/cxrouter/router/cxone"
	"github.com/cxrouter/router/mapping"
	"github.com/cxrouter/router/queue"
)

// process handles one delivery and logs its outcome. runCtx is Run's context:
// once it is cancelled, messages not yet started are released.
func (w *Worker) process(runCtx, callCtx context.Context, msg jetstream.Msg) {
	start := time.Now()
	d := newDelivery(msg)
	d.firstAttempt = w.firsts.observe(d.streamSeq, d.delivered, start)

	var r result
	if runCtx.Err() != nil {
		r = w.release(d, runCtx.Err())
	} else {
		r = w.handle(runCtx, callCtx, d)
	}
	if r.outcome != OutcomeRetry {
		w.firsts.forget(d.streamSeq)
	}
	w.counters.count(r.outcome)
	latency := time.Since(start)
	if w.deps.Observer != nil {
		w.deps.Observer.MessageDone(r.outcome, latency)
	}
	w.logResult(d, r, latency)
}

// handle decides and applies one request, and settles the message.
func (w *Worker) handle(runCtx, callCtx context.Context, d delivery) result {
	in, err := w.parser.Parse(d.msg.Data())
	if err != nil {
		return w.deadLetter(d, result{reason: queue.ReasonInvalidPayload, err: err})
	}

	decision, err := w.deps.Rules.Decide(in)
	if err != nil {
		return w.deadLetter(d, result{reason: queue.ReasonNoRule, intent: in.Intent, err: err})
	}

	res, err := w.call(callCtx, d, in.InteractionID, updateFor(decision))

	r := result{intent: in.Intent, rule: decision.Rule, status: res.Status, attempts: res.Attempts, err: err}
	fillFromError(&r, err)
	switch {
	case err == nil:
		r.outcome = OutcomeApplied
		return w.settle(d, r, d.msg.DoubleAck)
	case errors.Is(err, errSuperseded):
		r.outcome = OutcomeSuperseded
		r.err = nil
		return w.settle(d, r, d.msg.DoubleAck)
	case callCtx.Err() != nil || (runCtx.Err() != nil && errors.Is(err, context.Canceled)):
		return w.release(d, err)
	case cxone.IsPermanent(err):
		r.reason = queue.ReasonRejected
		return w.deadLetter(d, r)
	case d.delivered >= uint64(w.cfg.MaxDeliver):
		r.reason = queue.ReasonMaxDeliveries
		return w.deadLetter(d, r)
	}
	return w.retryLater(d, r)
}

// call sends the update while d's interaction is locked in this process
// and, when leases are configured, across processes. It keeps the message
// in progress, and the lease fresh, meanwhile.
func (w *Worker) call(ctx context.Context, d delivery, interactionID string, u cxone.Update) (cxone.Result, error) {
	var heldLease atomic.Pointer[lease]
	stop := keepInProgress(d.msg, w.cfg.AckWait/3, func() {
		if l := heldLease.Load(); l != nil {
			refreshCtx, cancel := context.WithTimeout(ctx, w.cfg.JetStreamTimeout)
			l.refresh(refreshCtx)
			cancel()
		}
	})
	defer stop()

	unlock := w.locks.lock(interactionID)
	defer unlock()

	l, err := w.takeLease(ctx, d, interactionID)
	if err != nil {
		return cxone.Result{}, err
	}
	if l != nil {
		heldLease.Store(l)
		defer w.releaseLease(l)
	}

	check := func(ctx context.Context) error {
		if l != nil {
			if err := l.check(); err != nil {
				return err
			}
		}
		return w.checkSuperseded(ctx, d)
	}
	return w.deps.CXone.UpdateInteraction(ctx, interactionID, u, cxone.BeforeAttempt(check))
}

// takeLease waits for the interaction lease. It returns nil without an
// error when leases are off or the bucket cannot be reached: ordering
// across processes is then lost for this call, but the update still goes
// out. It returns an error only when another process kept the lease for
// the whole wait.
func (w *Worker) takeLease(ctx context.Context, d delivery, interactionID string) (*lease, error) {
	if w.leases == nil {
		return nil, nil
	}

	waitCtx, cancel := context.WithTimeout(ctx, 2*w.cfg.AckWait)
	defer cancel()
	l, err := w.leases.acquire(waitCtx, interactionID)
	switch {
	case errors.Is(err, errLeaseBusy):
		return nil, err
	case err != nil:
		w.log.Warn().Err(err).Str("interaction_id", d.interactionID).Str("msg_id", d.msgID).
			Uint64("stream_seq", d.streamSeq).Msg("interaction lease unavailable; calling CXone without it")
		return nil, nil
	}
	return l, nil
}

func (w *Worker) releaseLease(l *lease) {
	ctx, cancel := context.WithTimeout(context.Background(), w.cfg.JetStreamTimeout)
	defer cancel()
	l.release(ctx)
}

// retryLater hands the message back with a delay from the redelivery
// schedule, raised to the Retry-After that CXone sent.
func (w *Worker) retryLater(d delivery, r result) result {
	retryAfter, _ := cxone.RetryAfterOf(r.err)
	r.outcome = OutcomeRetry
	r.delay = w.cfg.Redelivery.Delay(d.delivered, retryAfter)
	return w.settle(d, r, func(context.Context) error { return d.msg.NakWithDelay(r.delay) })
}

// release hands the message back at once because the worker is stopping.
func (w *Worker) release(d delivery, cause error) result {
	r := result{outcome: OutcomeReleased, err: cause}
	return w.settle(d, r, func(context.Context) error { return d.msg.Nak() })
}

// settle runs the ack, nak or term call for r and records its error.
func (w *Worker) settle(d delivery, r result, call func(context.Context) error) result {
	ctx, cancel := context.WithTimeout(context.Background(), w.cfg.JetStreamTimeout)
	defer cancel()

	r.ackErr = call(ctx)
	return r
}

// fillFromError copies the HTTP status and attempt count out of a CXone error.
func fillFromError(r *result, err error) {
	var cxErr *cxone.Error
	if errors.As(err, &cxErr) {
		if cxErr.Status != 0 {
			r.status = cxErr.Status
		}
		if cxErr.Attempts != 0 {
			r.attempts = cxErr.Attempts
		}
	}
}

// updateFor turns a routing decision into the CXone update body.
func updateFor(d mapping.Decision) cxone.Update {
	u := cxone.Update{
		WrapUpCode: d.WrapUpCode,
		RoutingData: cxone.RoutingData{
			Priority: d.Priority,
			Skill:    d.Skill,
			Fields:   d.Fields,
		},
		Actions: d.Actions,
	}
	if d.Disposition != nil {
		u.Disposition = &cxone.Disposition{ID: d.Disposition.ID, Notes: d.Disposition.Notes}
	}
	return u
}

// logResult writes the one line per delivery that SREs search by
// interaction_id, msg_id or stream_seq.
func (w *Worker) logResult(d delivery, r result, latency time.Duration) {
	level := zerolog.InfoLevel
	switch {
	case r.ackErr != nil || r.outcome == OutcomeDeadLettered:
		level = zerolog.ErrorLevel
	case r.outcome == OutcomeRetry || r.outcome == OutcomeReleased:
		level = zerolog.WarnLevel
	}

	event := w.log.WithLevel(level).
		Str("interaction_id", d.interactionID).
		Str("msg_id", d.msgID).
		Uint64("stream_seq", d.streamSeq).
		Str("request_id", d.requestID).
		Uint64("delivery", d.delivered).
		Str("outcome", string(r.outcome)).
		Int("status", r.status).
		Int("attempts", r.attempts).
		Float64("latency_ms", float64(latency.Microseconds())/1000)
	if r.intent != "" {
		event = event.Str("intent", r.intent)
	}
	if r.rule != "" {
		event = event.Str("rule", r.rule)
	}
	if r.delay > 0 {
		event = event.Dur("redelivery_delay", r.delay)
	}
	if r.reason != "" {
		event = event.Str("reason", r.reason)
	}
	if d.replayOf != "" {
		event = event.Str("replay_of", d.replayOf)
	}
	if r.err != nil {
		event = event.AnErr("error", r.err)
	}
	if r.ackErr != nil {
		event = event.AnErr("ack_error", r.ackErr)
	}
	event.Msg("message " + string(r.outcome))
}
