package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/metrics"
	"github.com/cxrouter/router/queue"
)

// readiness serves /readyz: 200 when every check passes, else 503, with
// the result of each check as JSON.
type readiness struct {
	nc *nats.Conn
	js jetstream.JetStream

	// consumer adds the check that routing-workers exists (workers).
	consumer bool

	// publish adds a probe publish that the ROUTING leader must reject (ingest).
	publish bool
}

func (rd readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()

	checks := map[string]string{"nats": "ok"}
	ready := true
	fail := func(name string, err error) {
		checks[name] = err.Error()
		ready = false
	}

	if status := rd.nc.Status(); status != nats.CONNECTED {
		fail("nats", errors.New("connection is "+status.String()))
	}
	if _, err := rd.js.Stream(ctx, queue.StreamName); err != nil {
		fail("stream", err)
	} else {
		checks["stream"] = "ok"
	}
	if rd.consumer {
		if _, err := rd.js.Consumer(ctx, queue.StreamName, queue.ConsumerName); err != nil {
			fail("consumer", err)
		} else {
			checks["consumer"] = "ok"
		}
	}
	if rd.publish {
		if err := queue.ProbePublish(ctx, rd.js); err != nil {
			fail("publish", err)
		} else {
			checks["publish"] = "ok"
		}
	}

	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ready": ready, "checks": checks})
}

// opsMux serves /metrics and /readyz, and passes every other path to next.
func opsMux(reg *metrics.Registry, ready http.Handler, next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", reg.Handler())
	mux.Handle("GET /readyz", ready)
	mux.Handle("/", next)
	return mux
}

// ingestWrapper returns the wrap function of serveIngest: request metrics
// around the webhook handler, with /metrics and /readyz beside it.
func ingestWrapper(reg *metrics.Registry, ready http.Handler) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return opsMux(reg, ready, reg.ObserveRequests(ingest.DefaultConfig().Path, h))
	}
}

// healthHandler returns 200 on /healthz while the process runs.
func healthHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	return mux
}

// serveOps serves h on ln until ctx ends. Workers use it for /healthz,
// /readyz and /metrics.
func serveOps(ctx context.Context, ln net.Listener, h http.Handler, log zerolog.Logger) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
	}

	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	log.Info().Str("addr", ln.Addr().String()).Msg("health and metrics server listening")
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error().Err(err).Msg("health and metrics server failed")
	}
}
