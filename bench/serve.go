package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/cxrouter/router/cxone"
	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/mapping"
	"github.com/cxrouter/router/metrics"
	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/worker"
)

// Publisher names accepted by ServeIngest.
const (
	PublisherSync  = "sync"
	PublisherAsync = "async"
)

// ServeIngest serves the ingest handler on addr until ctx ends, as `router
// ingest` does: the same handler, config, server timeouts, publish metrics
// and one JSON log line per request to logOut. publisher picks the
// jetstream.JetStream synchronous publish or ingest.AsyncPublisher.
func ServeIngest(ctx context.Context, addr, natsURL, publisher string, logOut io.Writer) error {
	nc, err := nats.Connect(natsURL, nats.Name("routerbench-ingest"), nats.ReconnectBufSize(-1))
	if err != nil {
		return fmt.Errorf("bench: connect to %s: %w", natsURL, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	setupCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := queue.EnsureStreams(setupCtx, js, queue.DefaultTopology()); err != nil {
		return err
	}

	var pub ingest.Publisher
	switch publisher {
	case PublisherSync:
		pub = js
	case PublisherAsync:
		pub, err = ingest.NewAsyncPublisher(nc, ingest.DefaultAsyncPublisherConfig())
		if err != nil {
			return err
		}
	default:
		return fmt.Errorf("bench: publisher %q is unknown; use %s or %s", publisher, PublisherSync, PublisherAsync)
	}

	reg := metrics.New()
	cfg := ingest.DefaultConfig()
	log := zerolog.New(logOut).With().Timestamp().Str("component", "ingest").Logger()
	handler, err := ingest.NewHandler(reg.ObservePublisher(pub), cfg, log)
	if err != nil {
		return err
	}
	return serveUntilDone(ctx, addr, reg.ObserveRequests(cfg.Path, handler))
}

// ServeRaw serves RawHandler on addr until ctx ends.
func ServeRaw(ctx context.Context, addr string) error {
	return serveUntilDone(ctx, addr, RawHandler())
}

// ServeSync serves SyncHandler on addr until ctx ends, calling the CXone
// simulator at simURL with the default rules.
func ServeSync(ctx context.Context, addr, simURL string) error {
	client, err := cxone.NewClient(cxone.Config{BaseURL: simURL, ClientID: SimClientID, ClientSecret: SimClientSecret})
	if err != nil {
		return err
	}
	return serveUntilDone(ctx, addr, NewSyncHandler(mapping.Default(), client))
}

// serveUntilDone serves h on addr with ingest's server timeouts.
func serveUntilDone(ctx context.Context, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("bench: listen on %s: %w", addr, err)
	}
	cfg := ingest.DefaultConfig()
	return ingest.Serve(ctx, ingest.NewServer(addr, h, cfg), ln, cfg.ShutdownGrace)
}

// ServeWorker runs a worker.Worker until ctx ends, wired as `router worker`
// wires it (topology, lock bucket, default rules, cxone.Client with its
// default transport, metrics observer), against the simulator at simURL.
// It serves /healthz on addr once consuming starts.
func ServeWorker(ctx context.Context, addr, natsURL, simURL string, concurrency int, logOut io.Writer) error {
	nc, err := nats.Connect(natsURL, nats.Name("routerbench-worker"))
	if err != nil {
		return fmt.Errorf("bench: connect to %s: %w", natsURL, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}

	topology := queue.DefaultTopology()
	setupCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	stream, consumer, err := queue.Ensure(setupCtx, js, topology)
	if err != nil {
		return err
	}
	locks, err := queue.EnsureLockBucket(setupCtx, js, topology)
	if err != nil {
		return err
	}
	client, err := cxone.NewClient(cxone.Config{BaseURL: simURL, ClientID: SimClientID, ClientSecret: SimClientSecret})
	if err != nil {
		return err
	}

	cfg := worker.DefaultConfig()
	cfg.MaxInFlight = concurrency
	cfg.AckWait = topology.AckWait
	cfg.MaxDeliver = topology.MaxDeliver
	log := zerolog.New(logOut).With().Timestamp().Str("component", "worker").Logger()
	w, err := worker.New(cfg, worker.Deps{
		JetStream: js, Stream: stream, Consumer: consumer, Locks: locks,
		Rules: mapping.Default(), CXone: client, Logger: log, Observer: metrics.New(),
	})
	if err != nil {
		return err
	}

	health := http.NewServeMux()
	health.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	go func() { _ = serveUntilDone(ctx, addr, health) }()
	return w.Run(ctx)
}
