package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
)

func newAsyncPublisher(t *testing.T, nc *nats.Conn) *ingest.AsyncPublisher {
	t.Helper()
	pub, err := ingest.NewAsyncPublisher(nc, ingest.DefaultAsyncPublisherConfig())
	if err != nil {
		t.Fatalf("NewAsyncPublisher: %v", err)
	}
	return pub
}

func routingMsg(interactionID, msgID string) *nats.Msg {
	msg := nats.NewMsg(queue.Subject(interactionID))
	msg.Data = []byte(`{"cxoneInteractionId":"` + interactionID + `"}`)
	msg.Header.Set(queue.HeaderMsgID, msgID)
	msg.Header.Set(jetstream.ExpectedStreamHeader, queue.StreamName)
	return msg
}

func TestAsyncPublisherStoresConcurrentMessages(t *testing.T) {
	srv := queuetest.Start(t, queue.DefaultTopology())
	pub := newAsyncPublisher(t, srv.Conn)

	const n = 200
	seqs := make(chan uint64, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			ack, err := pub.PublishMsg(ctx, routingMsg(fmt.Sprintf("async-%d", i), fmt.Sprintf("msg-%d", i)))
			if err != nil {
				errs <- err
				return
			}
			seqs <- ack.Sequence
		}()
	}
	wg.Wait()
	close(seqs)
	close(errs)

	for err := range errs {
		t.Errorf("PublishMsg: %v", err)
	}
	seen := map[uint64]bool{}
	for seq := range seqs {
		if seen[seq] {
			t.Errorf("stream sequence %d acknowledged twice", seq)
		}
		seen[seq] = true
	}
	if len(seen) != n {
		t.Errorf("got %d distinct PubAcks, want %d", len(seen), n)
	}
	if got := srv.Messages(t, queue.StreamName); got != n {
		t.Errorf("stream holds %d messages, want %d", got, n)
	}
	if pending := pub.Pending(); pending != 0 {
		t.Errorf("Pending() = %d after every PubAck arrived, want 0", pending)
	}
}

func TestAsyncPublisherReportsDuplicate(t *testing.T) {
	srv := queuetest.Start(t, queue.DefaultTopology())
	pub := newAsyncPublisher(t, srv.Conn)
	ctx := context.Background()

	first, err := pub.PublishMsg(ctx, routingMsg("dup-1", "same-id"))
	if err != nil {
		t.Fatalf("first PublishMsg: %v", err)
	}
	second, err := pub.PublishMsg(ctx, routingMsg("dup-1", "same-id"))
	if err != nil {
		t.Fatalf("second PublishMsg: %v", err)
	}

	if first.Duplicate {
		t.Error("first PubAck is marked duplicate")
	}
	if !second.Duplicate {
		t.Error("second PubAck with the same Nats-Msg-Id is not marked duplicate")
	}
	if second.Sequence != first.Sequence {
		t.Errorf("duplicate PubAck sequence = %d, want the original %d", second.Sequence, first.Sequence)
	}
}

func TestAsyncPublisherReturnsServerError(t *testing.T) {
	srv := queuetest.Start(t, queue.DefaultTopology())
	pub := newAsyncPublisher(t, srv.Conn)

	msg := routingMsg("wrong-stream", "msg-wrong-stream")
	msg.Header.Set(jetstream.ExpectedStreamHeader, "NOT_ROUTING")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	ack, err := pub.PublishMsg(ctx, msg)
	if err == nil {
		t.Fatalf("PublishMsg with a wrong expected stream returned PubAck %+v, want an error", ack)
	}
	if ctx.Err() != nil {
		t.Errorf("PublishMsg returned only after the context ended: %v", err)
	}
	if got := srv.Messages(t, queue.StreamName); got != 0 {
		t.Errorf("stream holds %d messages, want 0", got)
	}
}

func TestAsyncPublisherExpiredContext(t *testing.T) {
	srv := queuetest.Start(t, queue.DefaultTopology())
	pub := newAsyncPublisher(t, srv.Conn)

	ctx, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	_, err := pub.PublishMsg(ctx, routingMsg("expired", "msg-expired"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("PublishMsg with an expired context: error = %v, want context.DeadlineExceeded", err)
	}
}

func TestAsyncPublisherMaxPayload(t *testing.T) {
	srv := queuetest.Start(t, queue.DefaultTopology())
	pub := newAsyncPublisher(t, srv.Conn)

	msg := routingMsg("too-large", "msg-too-large")
	msg.Data = make([]byte, queue.EmbeddedMaxPayload+1)
	_, err := pub.PublishMsg(context.Background(), msg)
	if !errors.Is(err, nats.ErrMaxPayload) {
		t.Errorf("PublishMsg over max_payload: error = %v, want nats.ErrMaxPayload", err)
	}
}

func TestHandlerWithAsyncPublisher(t *testing.T) {
	srv := queuetest.Start(t, queue.DefaultTopology())
	handler, err := ingest.NewHandler(newAsyncPublisher(t, srv.Conn), ingest.DefaultConfig(), zerolog.Nop())
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	web := httptest.NewServer(handler)
	defer web.Close()

	resp, err := http.Post(web.URL+"/webhook/cognigy-routing", "application/json", strings.NewReader(samplePayload))
	if err != nil {
		t.Fatalf("POST webhook: %v", err)
	}
	_ = resp.Body.Close()

	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("status = %d, want 202", resp.StatusCode)
	}
	if got := srv.Messages(t, queue.StreamName); got != 1 {
		t.Errorf("stream holds %d messages after a 202, want 1", got)
	}
}

func TestAsyncPublisherConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*ingest.AsyncPublisherConfig)
		field  string
	}{
		{"default", func(*ingest.AsyncPublisherConfig) {}, ""},
		{"zero max pending", func(c *ingest.AsyncPublisherConfig) { c.MaxPending = 0 }, "MaxPending"},
		{"zero stall wait", func(c *ingest.AsyncPublisherConfig) { c.StallWait = 0 }, "StallWait"},
		{"negative ack timeout", func(c *ingest.AsyncPublisherConfig) { c.AckTimeout = -time.Second }, "AckTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ingest.DefaultAsyncPublisherConfig()
			tt.change(&cfg)
			err := cfg.Validate()

			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ingest.ErrInvalidConfig) {
				t.Errorf("Validate() = %v, want an error wrapping ErrInvalidConfig", err)
			}
			if err != nil && !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Validate() = %q, want it to name %s", err, tt.field)
			}
		})
	}
}
