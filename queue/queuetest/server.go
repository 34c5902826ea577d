// Package queuetest starts an embedded JetStream server for tests.
package queuetest

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cxrouter/router/queue"
)

// Server is an embedded NATS server with the routing topology in place.
type Server struct {
	NATS   *server.Server
	URL    string
	Conn   *nats.Conn
	JS     jetstream.JetStream
	Stream jetstream.Stream
}

// Start starts an embedded server on a free 127.0.0.1 port with its store in
// t.TempDir(), creates the streams and consumer with topology, and stops
// everything when the test ends.
func Start(t testing.TB, topology queue.Topology) *Server {
	t.Helper()

	srv, err := queue.StartEmbedded(queue.EmbeddedConfig{StoreDir: t.TempDir(), Port: -1})
	if err != nil {
		t.Fatalf("start embedded NATS: %v", err)
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})

	conn, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatalf("connect to embedded NATS: %v", err)
	}
	t.Cleanup(conn.Close)

	js, err := jetstream.New(conn)
	if err != nil {
		t.Fatalf("open JetStream: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, _, err := queue.Ensure(ctx, js, topology)
	if err != nil {
		t.Fatalf("create topology: %v", err)
	}
	return &Server{NATS: srv, URL: srv.ClientURL(), Conn: conn, JS: js, Stream: stream}
}

// Messages returns the number of messages stored in stream name.
func (s *Server) Messages(t testing.TB, name string) uint64 {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stream, err := s.JS.Stream(ctx, name)
	if err != nil {
		t.Fatalf("look up stream %s: %v", name, err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatalf("read stream %s info: %v", name, err)
	}
	return info.State.Msgs
}
