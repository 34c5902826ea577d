package queue

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The skip of no-op updates works only if the configuration the server
// reports back matches what Ensure asked for.
func TestServerConfigMatchesRequested(t *testing.T) {
	srv, err := StartEmbedded(EmbeddedConfig{StoreDir: t.TempDir(), Port: -1})
	if err != nil {
		t.Fatalf("start NATS: %v", err)
	}
	defer srv.Shutdown()
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)

	topology := DefaultTopology()
	stream, consumer, err := Ensure(context.Background(), js, topology)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	if !streamMatches(stream.CachedInfo().Config, topology.StreamConfig()) {
		t.Errorf("server stream config %+v does not match the requested one", stream.CachedInfo().Config)
	}
	if !consumerMatches(consumer.CachedInfo().Config, topology.ConsumerConfig()) {
		t.Errorf("server consumer config %+v does not match the requested one", consumer.CachedInfo().Config)
	}
	dlq, err := js.Stream(context.Background(), DLQStreamName)
	if err != nil {
		t.Fatalf("look up %s: %v", DLQStreamName, err)
	}
	if !streamMatches(dlq.CachedInfo().Config, topology.DLQStreamConfig()) {
		t.Errorf("server DLQ config %+v does not match the requested one", dlq.CachedInfo().Config)
	}
}
