package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/replay"
)

func TestDeadLetterReplayedAfterFix(t *testing.T) {
	h := newHarness(t, func(o *options) { o.sim.Strict = true })
	h.mustAccept(samplePayload)
	h.waitFor("a dead letter", 10*time.Second, func() bool { return h.nats.Messages(t, queue.DLQStreamName) == 1 })

	dry, err := replay.Run(context.Background(), h.nats.JS, replay.Options{Source: replay.DeadLetters, DryRun: true}, func(replay.Item) {})
	if err != nil || dry.Replayed != 1 {
		t.Fatalf("dry run: summary %+v error %v, want 1 would-replay", dry, err)
	}
	if got := h.nats.Messages(t, queue.DLQStreamName); got != 1 {
		t.Fatalf("dead letters after dry run = %d, want 1", got)
	}
	if got := h.nats.Messages(t, queue.StreamName); got != 1 {
		t.Fatalf("requests after dry run = %d, want 1", got)
	}

	h.sim.AddInteraction(sampleInteraction)
	summary, err := replay.Run(context.Background(), h.nats.JS, replay.Options{Source: replay.DeadLetters}, func(replay.Item) {})
	if err != nil || summary != (replay.Summary{Replayed: 1}) {
		t.Fatalf("replay: summary %+v error %v, want 1 replayed", summary, err)
	}

	state := h.waitApplied(sampleInteraction, 1, 10*time.Second)
	jsonEqual(t, state.Last, sampleUpdate)
	if got := h.nats.Messages(t, queue.DLQStreamName); got != 0 {
		t.Errorf("dead letters after replay = %d, want 0", got)
	}
}
