// Command cxone-sim serves a simulated CXone for local runs and benchmarks:
// the interactions-v2 API and the inContact endpoints of the incontact
// profile. See package cxonesim for the endpoints.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/cxrouter/router/cxone/cxonesim"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cxone-sim:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("cxone-sim", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: cxone-sim [flags]\n\nServes a simulated CXone: the interactions-v2 API (token and PATCH endpoints), the inContact endpoints\n(discovery, password grant, signal, set-disposition; use the sim's URL as CXONE_ISSUER_URL) and /sim/ control endpoints.\n\nFlags:\n")
		fs.PrintDefaults()
	}

	var cfg cxonesim.Config
	addr := fs.String("addr", ":8090", "listen address, host:port")
	fs.StringVar(&cfg.ClientID, "client-id", "", "accepted OAuth client id; with -client-secret empty too, any credentials are accepted")
	fs.StringVar(&cfg.ClientSecret, "client-secret", "", "accepted OAuth client secret")
	fs.StringVar(&cfg.AccessKeyID, "access-key-id", "", "accepted access key id (password grant username); with -access-key-secret empty too, any access key is accepted")
	fs.StringVar(&cfg.AccessKeySecret, "access-key-secret", "", "accepted access key secret (password grant password)")
	fs.StringVar(&cfg.TenantID, "tenant-id", cxonesim.DefaultTenantID, "tenantId claim of issued tokens and the only tenant known to /.well-known/cxone-configuration")
	fs.StringVar(&cfg.APIEndpoint, "api-endpoint", "", "api_endpoint returned by /.well-known/cxone-configuration; empty returns the sim's own base URL")
	fs.IntVar(&cfg.SignalStatus, "signal-status", 204, "status of a successful signal: 202 or 204")
	fs.DurationVar(&cfg.TokenTTL, "token-ttl", time.Hour, "lifetime of issued tokens, a duration such as 1h or 90s (sent as whole seconds)")
	fs.DurationVar(&cfg.Latency, "latency", 0, "delay before every API answer, a duration such as 50ms")
	fs.Float64Var(&cfg.Rate429, "rate-429", 0, "probability from 0 to 1 that a PATCH, signal or set-disposition gets 429")
	fs.StringVar(&cfg.RetryAfter, "retry-after", "1", "Retry-After header value on random 429 answers: seconds or an HTTP date; \"none\" sends no header")
	fs.Float64Var(&cfg.Rate5xx, "rate-5xx", 0, "probability from 0 to 1 that a PATCH, signal or set-disposition gets 500 or 503")
	fs.Float64Var(&cfg.DropRate, "drop-rate", 0, "probability from 0 to 1 that a PATCH, signal or set-disposition connection is closed without an answer")
	fs.BoolVar(&cfg.Strict, "strict", false, "answer 404 to PATCH, signal and set-disposition for interactions not registered with PUT /sim/interactions/{id}")
	fs.Int64Var(&cfg.Seed, "seed", 0, "seed of the random fault generator; 0 picks a random seed, which is logged")
	logLevel := fs.String("log-level", "info", "zerolog level: debug logs every request, info logs start and stop")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	level, err := zerolog.ParseLevel(*logLevel)
	if err != nil {
		return fmt.Errorf("invalid -log-level %q: use debug, info, warn or error", *logLevel)
	}

	log := zerolog.New(os.Stderr).Level(level).With().Timestamp().Str("service", "cxone-sim").Logger()
	sim := cxonesim.New(cfg)
	return serve(*addr, sim, cfg, log)
}

func serve(addr string, sim *cxonesim.Sim, cfg cxonesim.Config, log zerolog.Logger) error {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}

	server := &http.Server{
		Handler:           logRequests(sim, log),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Responses are delayed by -latency and by scripted fault latency.
		// A scripted latency beyond this write timeout cuts the response.
		WriteTimeout: 2*time.Minute + cfg.Latency,
		IdleTimeout:  2 * time.Minute,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	serveErr := make(chan error, 1)
	go func() { serveErr <- server.Serve(listener) }()
	log.Info().
		Str("addr", listener.Addr().String()).
		Bool("strict", cfg.Strict).
		Stringer("token_ttl", cfg.TokenTTL).
		Stringer("latency", cfg.Latency).
		Float64("rate_429", cfg.Rate429).
		Float64("rate_5xx", cfg.Rate5xx).
		Float64("drop_rate", cfg.DropRate).
		Int64("seed", sim.Seed()).
		Bool("any_credentials", cfg.ClientID == "").
		Bool("any_access_key", cfg.AccessKeyID == "").
		Str("tenant_id", cfg.TenantID).
		Msg("cxone-sim started")

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve on %s: %w", addr, err)
	case <-ctx.Done():
	}

	log.Info().Msg("cxone-sim stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		log.Error().Err(err).Msg("cxone-sim shutdown did not finish; closing connections")
		_ = server.Close()
	}
	log.Info().Msg("cxone-sim stopped")
	return nil
}

// logRequests logs every request at debug level: method, path, status and
// duration. Headers, and so tokens and credentials, are never logged.
func logRequests(next http.Handler, log zerolog.Logger) http.Handler {
	if log.GetLevel() > zerolog.DebugLevel {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			log.Debug().
				Str("method", r.Method).
				Str("path", r.URL.EscapedPath()).
				Int("status", sw.status).
				Bool("dropped", sw.hijacked).
				Dur("duration_ms", time.Since(start)).
				Str("remote", r.RemoteAddr).
				Msg("request")
		}()
		next.ServeHTTP(sw, r)
	})
}

// statusWriter records the status of a response and passes Hijack through,
// which the simulator uses to drop connections.
type statusWriter struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hijacker, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	w.hijacked = true
	return hijacker.Hijack()
}
