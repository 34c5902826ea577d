package bench

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cxrouter/router/mapping"
	"github.com/cxrouter/router/queue"
)

// Preload creates the routing topology on the server at url and publishes
// n webhooks to ROUTING with asynchronous publish, each for its own
// interaction and with the headers ingest sets. It returns when every
// PubAck has arrived.
func Preload(ctx context.Context, url string, n int, run string) error {
	nc, err := nats.Connect(url)
	if err != nil {
		return fmt.Errorf("bench: connect to %s: %w", url, err)
	}
	defer nc.Close()

	var failed atomic.Int64
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(4096),
		jetstream.WithPublishAsyncErrHandler(func(jetstream.JetStream, *nats.Msg, error) { failed.Add(1) }),
	)
	if err != nil {
		return err
	}
	if _, _, err := queue.Ensure(ctx, js, queue.DefaultTopology()); err != nil {
		return err
	}

	bodies := WebhookBodies(run)
	received := time.Now().UTC().Format(time.RFC3339Nano)
	for i := range n {
		body := bodies(0, i)
		in, err := mapping.ParseWebhook(body)
		if err != nil {
			return fmt.Errorf("bench: preload body %d: %w", i, err)
		}
		msg := nats.NewMsg(queue.Subject(in.InteractionID))
		msg.Data = body
		msg.Header.Set(queue.HeaderMsgID, run+"-"+in.InteractionID)
		msg.Header.Set(jetstream.ExpectedStreamHeader, queue.StreamName)
		msg.Header.Set(queue.HeaderRequestID, fmt.Sprintf("preload-%d", i))
		msg.Header.Set(queue.HeaderReceivedAt, received)
		if _, err := js.PublishMsgAsync(msg); err != nil {
			return fmt.Errorf("bench: preload message %d: %w", i, err)
		}
	}

	select {
	case <-js.PublishAsyncComplete():
	case <-ctx.Done():
		return ctx.Err()
	}
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("bench: %d of %d preloaded messages were not acknowledged", f, n)
	}
	return nil
}
