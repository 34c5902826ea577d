package ingest_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
)

// panickingPublisher panics in PublishMsg, as a bug in a publisher would.
type panickingPublisher struct{}

func (panickingPublisher) PublishMsg(context.Context, *nats.Msg, ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	panic("publisher bug")
}

func TestHandlerRecoversPanic(t *testing.T) {
	logs := &logBuffer{}
	h, err := ingest.NewHandler(panickingPublisher{}, ingest.DefaultConfig(), zerolog.New(logs))
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	s := &testServer{http: srv, logs: logs}

	resp, body := s.postJSON(t, samplePayload, map[string]string{ingest.HeaderRequestID: "req-panic"})

	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500; body %s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	if e := jsonError(t, body); !strings.Contains(e.Error, "retry") || strings.Contains(e.Error, "publisher bug") {
		t.Errorf("error %q should tell the client to retry and not show the panic", e.Error)
	}

	lines := logs.lines(t)
	if len(lines) != 1 {
		t.Fatalf("got %d log lines, want 1: %v", len(lines), lines)
	}
	line := lines[0]
	if line["level"] != "error" {
		t.Errorf("log level = %v, want error", line["level"])
	}
	if line["status"] != float64(http.StatusInternalServerError) {
		t.Errorf("log status = %v, want 500", line["status"])
	}
	if line["request_id"] != "req-panic" {
		t.Errorf("log request_id = %v, want req-panic", line["request_id"])
	}
	if line["interaction_id"] != sampleInteraction {
		t.Errorf("log interaction_id = %v, want %s", line["interaction_id"], sampleInteraction)
	}
	if msg, _ := line["error"].(string); !strings.Contains(msg, "panic: publisher bug") {
		t.Errorf("log error = %v, want the panic value", line["error"])
	}
	if stack, _ := line["stack"].(string); !strings.Contains(stack, "PublishMsg") {
		t.Errorf("log stack does not show where the panic happened: %.200s", stack)
	}

	// The server goes on serving after the panic.
	resp, _ = do(t, srv.Client(), mustRequest(t, http.MethodGet, srv.URL+"/healthz"))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz after the panic = %d, want 200", resp.StatusCode)
	}
}

func TestServerCutsOffTrickledHeader(t *testing.T) {
	cfg := ingest.DefaultConfig()
	cfg.ReadHeaderTimeout = 300 * time.Millisecond
	s := startServe(t, http.NotFoundHandler(), cfg)

	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()

	// One byte every 50 ms: the header would take 4 s to arrive, more
	// than ten times ReadHeaderTimeout.
	header := "POST " + cfg.Path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Pad: " + strings.Repeat("a", 20) + "\r\n\r\n"
	start := time.Now()
	sent := 0
	for ; sent < len(header); sent++ {
		if _, err := conn.Write([]byte{header[sent]}); err != nil {
			break
		}
		if closedByPeer(conn) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	elapsed := time.Since(start)

	if sent == len(header) {
		t.Fatalf("server read the whole trickled header over %s; ReadHeaderTimeout %s did not cut it off", elapsed, cfg.ReadHeaderTimeout)
	}
	if elapsed < cfg.ReadHeaderTimeout/2 {
		t.Errorf("connection closed after %s, before ReadHeaderTimeout %s", elapsed, cfg.ReadHeaderTimeout)
	}
}

// closedByPeer reports whether the server has closed conn, waiting at most
// a moment. Data the server sent before closing is discarded.
func closedByPeer(conn net.Conn) bool {
	if err := conn.SetReadDeadline(time.Now().Add(time.Millisecond)); err != nil {
		return true
	}
	defer conn.SetReadDeadline(time.Time{})

	_, err := io.Copy(io.Discard, conn)
	var netErr net.Error
	return !(errors.As(err, &netErr) && netErr.Timeout())
}

func TestServerCutsOffTrickledBody(t *testing.T) {
	ns := queuetest.Start(t, queue.DefaultTopology())
	cfg := ingest.DefaultConfig()
	cfg.ReadHeaderTimeout = 200 * time.Millisecond
	cfg.ReadTimeout = 500 * time.Millisecond
	logs := &logBuffer{}
	h, err := ingest.NewHandler(ns.JS, cfg, zerolog.New(logs))
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	s := startServe(t, h, cfg)

	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}

	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", cfg.Path, len(samplePayload))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatalf("write head: %v", err)
	}

	// One byte every 50 ms: the body would take over 15 s.
	done := make(chan struct{})
	defer close(done)
	go func() {
		for i := range len(samplePayload) {
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := conn.Write([]byte{samplePayload[i]}); err != nil {
				return
			}
		}
	}()

	start := time.Now()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	resp.Body.Close()
	elapsed := time.Since(start)

	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("status = %d, want 408", resp.StatusCode)
	}
	if elapsed < cfg.ReadTimeout/2 {
		t.Errorf("response after %s, before ReadTimeout %s", elapsed, cfg.ReadTimeout)
	}
	if n := ns.Messages(t, queue.StreamName); n != 0 {
		t.Errorf("stream has %d messages, want 0", n)
	}
}

func TestWebhookRejectsEncodedPath(t *testing.T) {
	s := startIngest(t, ingest.DefaultConfig())

	for _, path := range []string{"/webhook%2Fcognigy-routing", "/webhook/cognigy%2Drouting", "/%77ebhook/cognigy-routing", "/healthz%2F"} {
		req, err := http.NewRequest(http.MethodPost, s.http.URL+"/", strings.NewReader(samplePayload))
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Opaque = path
		req.Header.Set("Content-Type", "application/json")

		resp, body := do(t, s.http.Client(), req)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: status = %d, want 404; body %s", path, resp.StatusCode, body)
		}
	}
	if n := s.nats.Messages(t, queue.StreamName); n != 0 {
		t.Errorf("stream has %d messages, want 0", n)
	}
}

func TestWebhookRejectsContentEncoding(t *testing.T) {
	s := startIngest(t, ingest.DefaultConfig())

	for _, encoding := range []string{"gzip", "br", "identity, gzip", "x-custom"} {
		resp, body := s.postJSON(t, samplePayload, map[string]string{"Content-Encoding": encoding})
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Encoding %q: status = %d, want 415; body %s", encoding, resp.StatusCode, body)
		}
	}

	resp, body := s.postJSON(t, samplePayload, map[string]string{"Content-Encoding": "identity"})
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("Content-Encoding identity: status = %d, want 202; body %s", resp.StatusCode, body)
	}
}

func TestWebhookRejectsAmbiguousPayload(t *testing.T) {
	s := startIngest(t, ingest.DefaultConfig())

	tests := []struct {
		name      string
		body      string
		wantField string
	}{
		{"duplicate interaction id", `{"cxoneInteractionId":"a","cxoneInteractionId":"b"}`, "cxoneInteractionId"},
		{"duplicate entity value", `{"cxoneInteractionId":"a","entities":[{"name":"x","value":"1","value":"2"}]}`, "entities[0].value"},
		{"invalid UTF-8", "{\"cxoneInteractionId\":\"a\",\"intent\":\"\xff\"}", ""},
		{"nesting over 64", `{"cxoneInteractionId":"a","data":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`, "data" + strings.Repeat("[0]", 63)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := s.postJSON(t, tc.body, nil)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; body %s", resp.StatusCode, body)
			}
			if e := jsonError(t, body); e.Field != tc.wantField {
				t.Errorf("field = %q, want %q; error %q", e.Field, tc.wantField, e.Error)
			}
		})
	}
	if n := s.nats.Messages(t, queue.StreamName); n != 0 {
		t.Errorf("stream has %d messages, want 0", n)
	}
}
