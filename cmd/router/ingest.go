package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"

	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/metrics"
)

// startupWait bounds how long a process waits for NATS at start.
const startupWait = 60 * time.Second

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("ingest", flag.ContinueOnError)
	flags.SetOutput(stderr)
	insecureNoAuth := flags.Bool("insecure-no-auth", false, "accept webhooks without authentication when no credential is configured (same as ROUTER_INSECURE_NO_AUTH=true)")
	if err := parseFlags(flags, args, 0); err != nil {
		return err
	}

	e := newEnv()
	addr := e.str("ROUTER_HTTP_ADDR", ":8080")
	natsCfg := natsFromEnv(e)
	cfg := ingestFromEnv(e)
	insecure := e.boolean("ROUTER_INSECURE_NO_AUTH", false) || *insecureNoAuth
	log, err := newLogger(stdout, e.str("ROUTER_LOG_LEVEL", "info"), false)
	if err != nil {
		return err
	}
	if e.err != nil {
		return e.err
	}
	log = log.With().Str("component", "ingest").Logger()
	if err := checkIngestAuth(cfg.Auth, insecure, log); err != nil {
		return err
	}

	// Without a reconnect buffer, a publish during a NATS outage fails at
	// once and the client gets its 503 without waiting for the timeout.
	nc, js, err := connectNATS(ctx, natsCfg, "router-ingest", log, nats.ReconnectBufSize(-1))
	if err != nil {
		return err
	}
	defer nc.Close()

	setupCtx, cancel := context.WithTimeout(ctx, startupWait)
	defer cancel()
	stream, _, err := ensureTopology(setupCtx, js, natsCfg.Topology, false, log)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on ROUTER_HTTP_ADDR=%q: %w", addr, err)
	}
	reg := metrics.New()
	ready := readiness{nc: nc, js: js, publish: true}
	pub, err := ingest.NewAsyncPublisher(nc, ingest.DefaultAsyncPublisherConfig())
	if err != nil {
		return err
	}
	return serveIngest(ctx, ln, reg.ObservePublisher(pub), cfg, ingestWrapper(reg, ready), log, ingest.WithDuplicateCheck(stream))
}

// ingestFromEnv reads the webhook credentials and the input format.
func ingestFromEnv(e *env) ingest.Config {
	cfg := ingest.DefaultConfig()
	cfg.Auth = authFromEnv(e)
	cfg.InputFormat = inputFormatFromEnv(e)
	return cfg
}

// serveIngest serves webhooks on ln until ctx is cancelled. wrap adds the
// /metrics and /readyz endpoints around the webhook handler.
func serveIngest(ctx context.Context, ln net.Listener, pub ingest.Publisher, cfg ingest.Config, wrap func(http.Handler) http.Handler, log zerolog.Logger, opts ...ingest.Option) error {
	handler, err := ingest.NewHandler(pub, cfg, log, opts...)
	if err != nil {
		return err
	}

	srv := ingest.NewServer(ln.Addr().String(), wrap(handler), cfg)
	log.Info().Str("addr", ln.Addr().String()).Str("path", cfg.Path).Int("pid", os.Getpid()).Msg("ingest listening")
	err = ingest.Serve(ctx, srv, ln, cfg.ShutdownGrace)
	log.Info().Msg("ingest stopped")
	return err
}
