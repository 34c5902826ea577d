package ingest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// NewServer returns an HTTP server for h on addr with the timeouts and
// header limit of cfg. "OPTIONS *" requests reach h instead of getting
// net/http's built-in 200 response.
func NewServer(addr string, h http.Handler, cfg Config) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,

		DisableGeneralOptionsHandler: true,
	}
}

// Serve serves srv on ln until ctx is cancelled. It then stops accepting
// connections, closes idle ones and waits up to grace for in-flight requests
// to finish. It returns nil after a clean shutdown, including one that
// another caller started with srv.Shutdown. When grace runs out, Serve
// closes the remaining connections and returns an error wrapping
// context.DeadlineExceeded.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration) error {
	served := make(chan error, 1)
	go func() {
		served <- srv.Serve(ln)
	}()

	select {
	case err := <-served:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("ingest: serve HTTP on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}

	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		<-served
		return fmt.Errorf("ingest: shut down HTTP server on %s: in-flight requests did not finish within %s: %w", ln.Addr(), grace, err)
	}

	<-served
	return nil
}
