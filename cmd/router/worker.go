package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/cxrouter/router/mapping"
	"github.com/cxrouter/router/metrics"
	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/worker"
)

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("worker", flag.ContinueOnError)
	flags.SetOutput(stderr)
	if err := parseFlags(flags, args, 0); err != nil {
		return err
	}

	e := newEnv()
	addr := e.str("ROUTER_HTTP_ADDR", ":8081")
	natsCfg := natsFromEnv(e)
	cxCfg := cxoneFromEnv(e)
	workerCfg := workerFromEnv(e)
	rulesFile := e.str("ROUTER_MAPPING_FILE", "")
	log, err := newLogger(stdout, e.str("ROUTER_LOG_LEVEL", "info"), false)
	if err != nil {
		return err
	}
	if e.err != nil {
		return e.err
	}
	log = log.With().Str("component", "worker").Logger()

	if cxCfg.clientID() == "" {
		return errors.New("CXONE_CLIENT_ID is not set; set the CXone OAuth client id and secret, or use 'router dev', which starts a CXone simulator")
	}
	rules, err := loadRules(rulesFile)
	if err != nil {
		return err
	}
	reg := metrics.New()
	client, err := cxCfg.newClient(reg)
	if err != nil {
		return err
	}
	log.Info().Str("cxone_api", cxCfg.api).Msg("CXone client ready")

	nc, js, err := connectNATS(ctx, natsCfg, "router-worker", log)
	if err != nil {
		return err
	}
	defer nc.Close()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on ROUTER_HTTP_ADDR=%q: %w", addr, err)
	}
	if err := reg.Register(metrics.NewJetStreamCollector(js, 2*time.Second)); err != nil {
		return err
	}
	ready := readiness{nc: nc, js: js, consumer: true}
	go serveOps(ctx, ln, opsMux(reg, ready, healthHandler()), log)

	return runWorkerPool(ctx, js, natsCfg.Topology, workerCfg, rules, client, reg, log)
}

// runWorkerPool sets up the topology and runs one Worker until ctx ends.
func runWorkerPool(ctx context.Context, js jetstream.JetStream, t queue.Topology, cfg worker.Config, rules *mapping.Rules, client worker.Updater, observer worker.Observer, log zerolog.Logger) error {
	setupCtx, cancel := context.WithTimeout(ctx, startupWait)
	defer cancel()
	stream, consumer, err := ensureTopology(setupCtx, js, t, true, log)
	if err != nil {
		return err
	}

	locks, err := queue.EnsureLockBucket(setupCtx, js, t)
	if err != nil {
		return err
	}

	cfg.AckWait = t.AckWait
	cfg.MaxDeliver = t.MaxDeliver
	w, err := worker.New(cfg, worker.Deps{
		JetStream: js, Stream: stream, Consumer: consumer, Locks: locks,
		Rules: rules, CXone: client, Logger: log, Observer: observer,
	})
	if err != nil {
		return err
	}

	log.Info().Int("max_in_flight", cfg.MaxInFlight).Int("rules", rules.Len()).Msg("worker consuming")
	return w.Run(ctx)
}

func workerFromEnv(e *env) worker.Config {
	cfg := worker.DefaultConfig()
	cfg.MaxInFlight = e.integer("ROUTER_WORKER_CONCURRENCY", cfg.MaxInFlight)
	cfg.InputFormat = inputFormatFromEnv(e)
	return cfg
}

// loadRules reads the rules file, or returns the built-in rules for "".
func loadRules(path string) (*mapping.Rules, error) {
	if path == "" {
		return mapping.Default(), nil
	}
	rules, err := mapping.LoadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load ROUTER_MAPPING_FILE: %w", err)
	}
	return rules, nil
}
