package ingest_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
)

func TestNewServerSetsLimits(t *testing.T) {
	cfg := ingest.Config{
		ReadHeaderTimeout: 1 * time.Second,
		ReadTimeout:       2 * time.Second,
		WriteTimeout:      3 * time.Second,
		IdleTimeout:       4 * time.Second,
		MaxHeaderBytes:    5000,
	}
	h := http.NotFoundHandler()

	srv := ingest.NewServer("127.0.0.1:8080", h, cfg)

	if srv.Addr != "127.0.0.1:8080" {
		t.Errorf("Addr = %q", srv.Addr)
	}
	if srv.Handler == nil {
		t.Error("Handler is nil")
	}
	if srv.ReadHeaderTimeout != cfg.ReadHeaderTimeout {
		t.Errorf("ReadHeaderTimeout = %s, want %s", srv.ReadHeaderTimeout, cfg.ReadHeaderTimeout)
	}
	if srv.ReadTimeout != cfg.ReadTimeout {
		t.Errorf("ReadTimeout = %s, want %s", srv.ReadTimeout, cfg.ReadTimeout)
	}
	if srv.WriteTimeout != cfg.WriteTimeout {
		t.Errorf("WriteTimeout = %s, want %s", srv.WriteTimeout, cfg.WriteTimeout)
	}
	if srv.IdleTimeout != cfg.IdleTimeout {
		t.Errorf("IdleTimeout = %s, want %s", srv.IdleTimeout, cfg.IdleTimeout)
	}
	if srv.MaxHeaderBytes != cfg.MaxHeaderBytes {
		t.Errorf("MaxHeaderBytes = %d, want %d", srv.MaxHeaderBytes, cfg.MaxHeaderBytes)
	}
}

// serving is a Serve call running in the background on 127.0.0.1.
type serving struct {
	addr   string
	cancel context.CancelFunc
	done   chan error
}

func startServe(t *testing.T, h http.Handler, cfg ingest.Config) *serving {
	t.Helper()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{addr: ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}

	srv := ingest.NewServer(s.addr, h, cfg)
	go func() {
		s.done <- ingest.Serve(ctx, srv, ln, cfg.ShutdownGrace)
	}()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	return s
}

// wait returns the result of Serve, failing the test if it does not return.
func (s *serving) wait(t *testing.T) error {
	t.Helper()

	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return 10 s after its context was cancelled")
		return nil
	}
}

func TestServeFinishesInFlightRequest(t *testing.T) {
	ns := queuetest.Start(t, queue.DefaultTopology())
	cfg := ingest.DefaultConfig()
	h, err := ingest.NewHandler(ns.JS, cfg, zerolog.Nop())
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}

	// started closes when the request reaches the handler, which then waits
	// for the rest of the streamed body.
	started := make(chan struct{})
	s := startServe(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		h.ServeHTTP(w, r)
	}), cfg)

	bodyReader, bodyWriter := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, "http://"+s.addr+cfg.Path, bodyReader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")

	type result struct {
		status int
		err    error
	}
	results := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			results <- result{err: err}
			return
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		results <- result{status: resp.StatusCode}
	}()

	half := len(samplePayload) / 2
	if _, err := io.WriteString(bodyWriter, samplePayload[:half]); err != nil {
		t.Fatalf("write first half of the body: %v", err)
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("request did not reach the handler")
	}

	s.cancel()
	waitUntilRefused(t, s.addr)

	if _, err := io.WriteString(bodyWriter, samplePayload[half:]); err != nil {
		t.Fatalf("write second half of the body: %v", err)
	}
	_ = bodyWriter.Close()

	res := <-results
	if res.err != nil {
		t.Fatalf("in-flight request failed during shutdown: %v", res.err)
	}
	if res.status != http.StatusAccepted {
		t.Errorf("in-flight request status = %d, want 202", res.status)
	}
	if err := s.wait(t); err != nil {
		t.Errorf("Serve = %v, want nil after a clean shutdown", err)
	}
	if n := ns.Messages(t, queue.StreamName); n != 1 {
		t.Errorf("stream has %d messages, want 1", n)
	}
	if conn, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
		conn.Close()
		t.Error("new connection accepted after shutdown")
	}
}

// waitUntilRefused waits until addr stops accepting TCP connections.
func waitUntilRefused(t *testing.T, addr string) {
	t.Helper()

	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		conn.Close()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s still accepts connections 10 s after shutdown began", addr)
}

func TestServeReturnsListenerError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ln.Close()

	srv := ingest.NewServer(ln.Addr().String(), http.NotFoundHandler(), ingest.DefaultConfig())
	err = ingest.Serve(context.Background(), srv, ln, time.Second)
	if err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("Serve on a closed listener = %v, want an error naming %s", err, ln.Addr())
	}
}

func TestServeGraceExpires(t *testing.T) {
	cfg := ingest.DefaultConfig()
	cfg.ShutdownGrace = 100 * time.Millisecond

	release := make(chan struct{})
	started := make(chan struct{})
	s := startServe(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	}), cfg)
	defer close(release)

	go func() {
		resp, err := http.Get("http://" + s.addr + "/slow")
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-started

	s.cancel()
	err := s.wait(t)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Serve = %v, want an error wrapping context.DeadlineExceeded", err)
	}
}

func TestServerClosesSlowHeaderClient(t *testing.T) {
	cfg := ingest.DefaultConfig()
	cfg.ReadHeaderTimeout = 200 * time.Millisecond
	s := startServe(t, http.NotFoundHandler(), cfg)

	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()

	start := time.Now()
	if _, err := io.WriteString(conn, "POST "+cfg.Path+" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"); err != nil {
		t.Fatalf("write partial header: %v", err)
	}

	// The server closes the connection after ReadHeaderTimeout, perhaps
	// after writing an error response. The client deadline only ends the
	// test when the server never closes it.
	if err := conn.SetReadDeadline(time.Now().Add(3 * time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(io.Discard, conn)
	elapsed := time.Since(start)

	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Fatalf("server kept a connection with an unfinished header open for %s", elapsed)
	}
	if elapsed < cfg.ReadHeaderTimeout/2 {
		t.Errorf("connection closed after %s, before ReadHeaderTimeout %s", elapsed, cfg.ReadHeaderTimeout)
	}
}
