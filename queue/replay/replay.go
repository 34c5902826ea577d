package replay

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cxrouter/router/mapping"
	"github.com/cxrouter/router/queue"
)

// replayer holds the streams of one Run.
type replayer struct {
	opts    Options
	source  jetstream.Stream
	routing jetstream.Stream
	js      jetstream.JetStream
}

// Run replays the messages that opts select, oldest first, calls report
// for each, and returns the counts. It returns an error only when it cannot
// read the source stream; a message that fails is counted in
// Summary.Failed and reported with ActionFailed.
//
// Run reads up to the last sequence the source held when it started, so
// the copies a Requests replay adds to ROUTING are not read again.
func Run(ctx context.Context, js jetstream.JetStream, opts Options, report func(Item)) (Summary, error) {
	summary := Summary{DryRun: opts.DryRun}
	if err := opts.Validate(); err != nil {
		return summary, err
	}

	r, end, err := open(ctx, js, opts)
	if err != nil {
		return summary, err
	}

	filter := r.subjectFilter()
	for seq := max(opts.FromSeq, 1); seq <= end; {
		msg, err := r.source.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(filter))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return summary, fmt.Errorf("replay: read %s from sequence %d: %w", r.sourceName(), seq, err)
		}
		if msg.Sequence > end {
			break
		}
		seq = msg.Sequence + 1

		item, selected := r.describe(msg)
		if !selected {
			continue
		}
		r.replayOne(ctx, msg, &item)
		summary.count(item.Action)
		report(item)

		if opts.Limit > 0 && summary.Replayed >= opts.Limit {
			break
		}
	}
	return summary, nil
}

// open looks up the streams and returns the last sequence to read.
func open(ctx context.Context, js jetstream.JetStream, opts Options) (*replayer, uint64, error) {
	r := &replayer{opts: opts, js: js}

	routing, err := js.Stream(ctx, queue.StreamName)
	if err != nil {
		return nil, 0, fmt.Errorf("replay: look up stream %s: %w; has a router process created it?", queue.StreamName, err)
	}
	r.routing, r.source = routing, routing
	if opts.Source == DeadLetters {
		if r.source, err = js.Stream(ctx, queue.DLQStreamName); err != nil {
			return nil, 0, fmt.Errorf("replay: look up stream %s: %w; has a worker created it?", queue.DLQStreamName, err)
		}
	}

	info, err := r.source.Info(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("replay: read %s info: %w", r.sourceName(), err)
	}
	end := info.State.LastSeq
	if opts.ToSeq != 0 && opts.ToSeq < end {
		end = opts.ToSeq
	}
	return r, end, nil
}

func (r *replayer) sourceName() string {
	if r.opts.Source == DeadLetters {
		return queue.DLQStreamName
	}
	return queue.StreamName
}

func (r *replayer) subjectFilter() string {
	switch {
	case r.opts.Source == DeadLetters && r.opts.Interaction != "":
		return queue.DLQSubject(r.opts.Interaction)
	case r.opts.Source == DeadLetters:
		return queue.DLQStreamSubjects
	case r.opts.Interaction != "":
		return queue.Subject(r.opts.Interaction)
	}
	return queue.StreamSubjects
}

// describe reads msg into an Item and reports whether the filters keep it.
func (r *replayer) describe(msg *jetstream.RawStreamMsg) (Item, bool) {
	item := Item{Stream: r.sourceName(), Seq: msg.Sequence, StoredAt: msg.Time}
	item.Interaction, _ = queue.InteractionFromSubject(msg.Subject)
	if in, err := mapping.ParseWebhook(msg.Data); err == nil {
		item.Intent = in.Intent
	}
	if r.opts.Source == DeadLetters {
		item.Reason = msg.Header.Get(queue.HeaderDLQReason)
		item.Status = msg.Header.Get(queue.HeaderDLQStatus)
	}

	o := r.opts
	switch {
	case !o.Since.IsZero() && msg.Time.Before(o.Since),
		!o.Until.IsZero() && msg.Time.After(o.Until),
		o.Intent != "" && item.Intent != o.Intent,
		o.Reason != "" && item.Reason != o.Reason:
		return item, false
	}
	return item, true
}

// replayOne publishes one copy to ROUTING and, for a dead letter, deletes
// the original once the copy is stored. It sets item.Action.
func (r *replayer) replayOne(ctx context.Context, msg *jetstream.RawStreamMsg, item *Item) {
	fail := func(err error) {
		item.Action, item.Err = ActionFailed, err
	}

	if !r.opts.Force {
		action, err := r.checkNewer(ctx, msg)
		if err != nil {
			fail(err)
			return
		}
		if action == ActionAlreadyQueued && !r.opts.DryRun {
			if err := r.source.DeleteMsg(ctx, msg.Sequence); err != nil {
				fail(fmt.Errorf("delete replayed dead letter: %w", err))
				return
			}
		}
		if action != "" {
			item.Action = action
			return
		}
	}

	if r.opts.DryRun {
		item.Action = ActionWouldReplay
		return
	}

	ack, err := r.js.PublishMsg(ctx, r.copyOf(msg), jetstream.WithMsgID(r.replayID(msg.Sequence)))
	if err != nil {
		fail(fmt.Errorf("publish to %s: %w", queue.StreamName, err))
		return
	}
	item.NewSeq = ack.Sequence

	if r.opts.Source == DeadLetters {
		if err := r.source.DeleteMsg(ctx, msg.Sequence); err != nil {
			fail(fmt.Errorf("copy stored at %s sequence %d, but deleting the dead letter failed: %w; run the replay again to delete it", queue.StreamName, ack.Sequence, err))
			return
		}
	}
	item.Action = ActionReplayed
}

// checkNewer returns ActionSuperseded when ROUTING holds a newer request for
// the interaction, ActionAlreadyQueued when the newest is this message's own
// earlier replay, and "" when the message should be replayed.
func (r *replayer) checkNewer(ctx context.Context, msg *jetstream.RawStreamMsg) (Action, error) {
	original := msg.Sequence
	if r.opts.Source == DeadLetters {
		seq, err := strconv.ParseUint(msg.Header.Get(queue.HeaderDLQStreamSeq), 10, 64)
		if err != nil {
			return "", fmt.Errorf("dead letter lacks a valid %s header; use --force to replay it anyway", queue.HeaderDLQStreamSeq)
		}
		original = seq
	}

	id, _ := queue.InteractionFromSubject(msg.Subject)
	last, err := r.routing.GetLastMsgForSubject(ctx, queue.Subject(id))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up the newest request for %s: %w", id, err)
	}

	switch {
	case last.Header.Get(queue.HeaderReplayOf) == r.replayOf(msg.Sequence):
		return ActionAlreadyQueued, nil
	case last.Sequence > original:
		return ActionSuperseded, nil
	}
	return "", nil
}

func (r *replayer) copyOf(msg *jetstream.RawStreamMsg) *nats.Msg {
	id, _ := queue.InteractionFromSubject(msg.Subject)
	out := nats.NewMsg(queue.Subject(id))
	out.Data = msg.Data
	out.Header.Set(queue.HeaderReplayOf, r.replayOf(msg.Sequence))
	if v := msg.Header.Get(queue.HeaderRequestID); v != "" {
		out.Header.Set(queue.HeaderRequestID, v)
	}
	if v := msg.Header.Get(queue.HeaderReceivedAt); v != "" {
		out.Header.Set(queue.HeaderReceivedAt, v)
	}
	return out
}

// replayOf returns the HeaderReplayOf value, "<stream>:<sequence>".
func (r *replayer) replayOf(seq uint64) string {
	return r.sourceName() + ":" + strconv.FormatUint(seq, 10)
}

func (r *replayer) replayID(seq uint64) string {
	return "replay-" + r.sourceName() + "-" + strconv.FormatUint(seq, 10)
}
