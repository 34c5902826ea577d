package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/cxrouter/router/cxone/cxonesim"
	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/metrics"
	"github.com/cxrouter/router/queue"
)

// devCredentials are the credentials the in-process simulator of `router dev` accepts.
var devCredentials = simCredentials{
	clientID:        "router-dev",
	clientSecret:    "router-dev-secret",
	accessKeyID:     "router-dev-key",
	accessKeySecret: "router-dev-key-secret=",
}

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("dev", flag.ContinueOnError)
	flags.SetOutput(stderr)
	if err := parseFlags(flags, args, 0); err != nil {
		return err
	}

	e := newEnv()
	httpAddr := e.str("ROUTER_HTTP_ADDR", "127.0.0.1:8080")
	natsAddr := e.str("ROUTER_DEV_NATS_ADDR", "127.0.0.1:4222")
	simAddr := e.str("ROUTER_DEV_SIM_ADDR", "127.0.0.1:8090")
	dataDir := e.str("ROUTER_DATA_DIR", "./data")
	cxCfg := cxoneFromEnv(e)
	workerCfg := workerFromEnv(e)
	rulesFile := e.str("ROUTER_MAPPING_FILE", "")
	topology := topologyFromEnv(e)
	ingestCfg := ingestFromEnv(e)
	console := isTerminal(os.Stdout)
	log, err := newLogger(stdout, e.str("ROUTER_LOG_LEVEL", "info"), console)
	if err != nil {
		return err
	}
	if e.err != nil {
		return e.err
	}
	logAuth(ingestCfg.Auth, log.With().Str("component", "ingest").Logger())

	rules, err := loadRules(rulesFile)
	if err != nil {
		return err
	}

	nc, js, stopNATS, err := startDevNATS(natsAddr, dataDir, log)
	if err != nil {
		return err
	}
	defer stopNATS()

	if cxCfg.clientID() == "" {
		simURL, stopSim, err := startDevSim(simAddr, log)
		if err != nil {
			return err
		}
		defer stopSim()
		cxCfg.useSimulator(simURL, devCredentials)
	}
	reg := metrics.New()
	client, err := cxCfg.newClient(reg)
	if err != nil {
		return err
	}
	log.Info().Str("cxone_api", cxCfg.api).Msg("CXone client ready")

	ln, err := net.Listen("tcp", httpAddr)
	if err != nil {
		return fmt.Errorf("listen on ROUTER_HTTP_ADDR=%q: %w; pick a free address", httpAddr, err)
	}

	setupCtx, cancelSetup := context.WithTimeout(ctx, startupWait)
	defer cancelSetup()
	stream, _, err := ensureTopology(setupCtx, js, topology, false, log)
	if err != nil {
		return err
	}

	pub, err := ingest.NewAsyncPublisher(nc, ingest.DefaultAsyncPublisherConfig())
	if err != nil {
		return err
	}

	if err := reg.Register(metrics.NewJetStreamCollector(js, 2*time.Second)); err != nil {
		return err
	}
	ready := readiness{nc: nc, js: js, consumer: true, publish: true}

	var wg sync.WaitGroup
	errs := make(chan error, 2)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, part := range []func() error{
		func() error {
			return serveIngest(runCtx, ln, reg.ObservePublisher(pub), ingestCfg, ingestWrapper(reg, ready),
				log.With().Str("component", "ingest").Logger(), ingest.WithDuplicateCheck(stream))
		},
		func() error {
			return runWorkerPool(runCtx, js, topology, workerCfg, rules, client, reg, log.With().Str("component", "worker").Logger())
		},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := part(); err != nil {
				errs <- err
				cancel()
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// startDevNATS starts the embedded JetStream server and connects to it.
func startDevNATS(addr, dataDir string, log zerolog.Logger) (*nats.Conn, jetstream.JetStream, func(), error) {
	host, port, err := splitHostPort(addr)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("ROUTER_DEV_NATS_ADDR=%q: %w", addr, err)
	}
	storeDir, err := filepath.Abs(filepath.Join(dataDir, "jetstream"))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("ROUTER_DATA_DIR=%q: %w", dataDir, err)
	}
	unlock, err := lockDataDir(dataDir)
	if err != nil {
		return nil, nil, nil, err
	}

	srv, err := queue.StartEmbedded(queue.EmbeddedConfig{StoreDir: storeDir, Host: host, Port: port})
	if err != nil {
		unlock()
		return nil, nil, nil, err
	}
	nc, err := nats.Connect(srv.ClientURL(), nats.Name("router-dev"))
	if err != nil {
		srv.Shutdown()
		unlock()
		return nil, nil, nil, fmt.Errorf("connect to embedded NATS: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		srv.Shutdown()
		unlock()
		return nil, nil, nil, fmt.Errorf("open JetStream on embedded NATS: %w", err)
	}
	log.Info().Str("url", srv.ClientURL()).Str("store_dir", storeDir).Msg("embedded NATS JetStream server started")

	stop := func() {
		// Flush first: the Naks of released messages are still buffered,
		// and a message whose Nak is lost waits out AckWait after a restart.
		_ = nc.FlushTimeout(2 * time.Second)
		nc.Close()
		srv.Shutdown()
		srv.WaitForShutdown()
		unlock()
		log.Info().Msg("embedded NATS stopped")
	}
	return nc, js, stop, nil
}

// startDevSim serves the CXone simulator on addr and returns its base URL.
func startDevSim(addr string, log zerolog.Logger) (string, func(), error) {
	sim := cxonesim.New(cxonesim.Config{
		ClientID:        devCredentials.clientID,
		ClientSecret:    devCredentials.clientSecret,
		AccessKeyID:     devCredentials.accessKeyID,
		AccessKeySecret: devCredentials.accessKeySecret,
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("listen on ROUTER_DEV_SIM_ADDR=%q for the CXone simulator: %w; pick a free address", addr, err)
	}

	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Msg("CXone simulator failed")
		}
	}()

	baseURL := "http://" + ln.Addr().String()
	log.Warn().Str("url", baseURL).
		Str("inspect", baseURL+"/sim/interactions/{interactionId}").
		Msg("CXONE_CLIENT_ID is not set: sending CXone updates to the in-process simulator, not to a real CXone tenant")

	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return baseURL, stop, nil
}

func splitHostPort(addr string) (string, int, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	var port int
	if _, err := fmt.Sscanf(portText, "%d", &port); err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("port %q is not a number from 0 to 65535", portText)
	}
	return host, port, nil
}
