package queue_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
)

func ExampleSubject() {
	fmt.Println(queue.Subject("interaction-uuid-from-previous-step"))
	fmt.Println(queue.InteractionFromSubject("routing.dlq.abc123"))
	fmt.Println(queue.InteractionFromSubject("other.subject"))
	// Output:
	// routing.requests.interaction-uuid-from-previous-step
	// abc123 true
	//  false
}

func TestTopologyValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*queue.Topology)
		want   string
	}{
		{"max age", func(t *queue.Topology) { t.MaxAge = 0 }, "MaxAge"},
		{"duplicate window over max age", func(t *queue.Topology) { t.DuplicateWindow = 100 * time.Hour }, "DuplicateWindow"},
		{"dlq max age", func(t *queue.Topology) { t.DLQMaxAge = -time.Second }, "DLQMaxAge"},
		{"replicas", func(t *queue.Topology) { t.Replicas = 0 }, "Replicas 0"},
		{"ack wait", func(t *queue.Topology) { t.AckWait = time.Millisecond }, "AckWait"},
		{"max deliver", func(t *queue.Topology) { t.MaxDeliver = 1 }, "MaxDeliver 1"},
		{"max ack pending", func(t *queue.Topology) { t.MaxAckPending = 0 }, "MaxAckPending"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topology := queue.DefaultTopology()
			tt.change(&topology)
			err := topology.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error naming %s", err, tt.want)
			}
		})
	}
	if err := queue.DefaultTopology().Validate(); err != nil {
		t.Errorf("DefaultTopology().Validate() = %v", err)
	}
}

func TestEnsureIsIdempotent(t *testing.T) {
	s := queuetest.Start(t, queue.DefaultTopology())
	ctx := context.Background()

	changed := queue.DefaultTopology()
	changed.AckWait = 45 * time.Second
	for range 2 {
		if _, _, err := queue.Ensure(ctx, s.JS, changed); err != nil {
			t.Fatalf("Ensure again: %v", err)
		}
	}

	consumer, err := s.JS.Consumer(ctx, queue.StreamName, queue.ConsumerName)
	if err != nil {
		t.Fatalf("look up consumer: %v", err)
	}
	info, err := consumer.Info(ctx)
	if err != nil {
		t.Fatalf("consumer info: %v", err)
	}
	if info.Config.AckWait != 45*time.Second || info.Config.AckPolicy != jetstream.AckExplicitPolicy {
		t.Errorf("consumer AckWait %s policy %s, want 45s and explicit", info.Config.AckWait, info.Config.AckPolicy)
	}

	stream, err := s.JS.Stream(ctx, queue.DLQStreamName)
	if err != nil {
		t.Fatalf("look up %s: %v", queue.DLQStreamName, err)
	}
	cfg := stream.CachedInfo().Config
	if cfg.Retention != jetstream.LimitsPolicy || cfg.MaxAge != 14*24*time.Hour {
		t.Errorf("%s retention %s max age %s, want limits and 336h", queue.DLQStreamName, cfg.Retention, cfg.MaxAge)
	}
}

func TestStreamStoresRequestsWithDuplicateWindow(t *testing.T) {
	s := queuetest.Start(t, queue.DefaultTopology())
	ctx := context.Background()

	for range 2 {
		if _, err := s.JS.Publish(ctx, queue.Subject("a"), []byte("{}"), jetstream.WithMsgID("same")); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	if got := s.Messages(t, queue.StreamName); got != 1 {
		t.Errorf("messages = %d, want 1 after a duplicate", got)
	}
	cfg := s.Stream.CachedInfo().Config
	if cfg.Storage != jetstream.FileStorage || cfg.Duplicates != 2*time.Minute || cfg.MaxAge != 72*time.Hour {
		t.Errorf("stream storage %s duplicates %s max age %s, want file, 2m, 72h", cfg.Storage, cfg.Duplicates, cfg.MaxAge)
	}
}

func TestProbePublishStoresNothing(t *testing.T) {
	s := queuetest.Start(t, queue.DefaultTopology())
	if _, err := s.JS.Publish(context.Background(), queue.Subject("a"), []byte("{}")); err != nil {
		t.Fatalf("publish: %v", err)
	}

	if err := queue.ProbePublish(context.Background(), s.JS); err != nil {
		t.Fatalf("ProbePublish: %v", err)
	}
	if got := s.Messages(t, queue.StreamName); got != 1 {
		t.Errorf("messages = %d, want 1: the probe must not be stored", got)
	}

	s.NATS.Shutdown()
	s.NATS.WaitForShutdown()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := queue.ProbePublish(ctx, s.JS); err == nil {
		t.Errorf("ProbePublish with NATS stopped = nil, want an error")
	}
}

func TestEnsureSkipsMatchingConfig(t *testing.T) {
	s := queuetest.Start(t, queue.DefaultTopology())
	ctx := context.Background()

	before, err := s.Stream.Info(ctx)
	if err != nil {
		t.Fatalf("stream info: %v", err)
	}
	if _, _, err := queue.Ensure(ctx, s.JS, queue.DefaultTopology()); err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	after, err := s.Stream.Info(ctx)
	if err != nil {
		t.Fatalf("stream info: %v", err)
	}
	if !after.Created.Equal(before.Created) || after.Config.MaxAge != before.Config.MaxAge {
		t.Errorf("stream changed by a matching Ensure: created %s -> %s", before.Created, after.Created)
	}

	changed := queue.DefaultTopology()
	changed.MaxAge = 24 * time.Hour
	if _, _, err := queue.Ensure(ctx, s.JS, changed); err != nil {
		t.Fatalf("Ensure with a new MaxAge: %v", err)
	}
	info, err := s.Stream.Info(ctx)
	if err != nil {
		t.Fatalf("stream info: %v", err)
	}
	if info.Config.MaxAge != 24*time.Hour {
		t.Errorf("MaxAge after Ensure = %s, want 24h", info.Config.MaxAge)
	}
}
