package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/metrics"
	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
	"github.com/cxrouter/router/worker"
)

func scrape(t *testing.T, reg *metrics.Registry) string {
	t.Helper()
	srv := httptest.NewServer(reg.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func assertLine(t *testing.T, text, line string) {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return
		}
	}
	t.Errorf("metrics lack the line %q", line)
}

func TestIngestMetricsCountRequests(t *testing.T) {
	s := queuetest.Start(t, queue.DefaultTopology())
	reg := metrics.New()
	cfg := ingest.DefaultConfig()
	handler, err := ingest.NewHandler(reg.ObservePublisher(s.JS), cfg, zerolog.Nop())
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	srv := httptest.NewServer(reg.ObserveRequests(cfg.Path, handler))
	defer srv.Close()

	post := func(contentType, body string) {
		resp, err := http.Post(srv.URL+cfg.Path, contentType, strings.NewReader(body))
		if err != nil {
			t.Fatalf("POST: %v", err)
		}
		resp.Body.Close()
	}
	post("application/json", `{"cxoneInteractionId":"a"}`)
	post("application/json", `{"cxoneInteractionId":"a"}`)
	post("text/plain", `x`)

	text := scrape(t, reg)
	assertLine(t, text, `router_ingest_requests_total{status="202"} 2`)
	assertLine(t, text, `router_ingest_requests_total{status="415"} 1`)
	assertLine(t, text, `router_ingest_duplicates_total 1`)
	assertLine(t, text, `router_ingest_publish_duration_seconds_count 2`)
	assertLine(t, text, `router_ingest_request_duration_seconds_count 3`)
}

func TestJetStreamCollectorReadsState(t *testing.T) {
	s := queuetest.Start(t, queue.DefaultTopology())
	for _, id := range []string{"a", "b", "c"} {
		if _, err := s.JS.Publish(t.Context(), queue.Subject(id), []byte("{}")); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	reg := metrics.New()
	if err := reg.Register(metrics.NewJetStreamCollector(s.JS, 2*time.Second)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	reg.MessageDone(worker.OutcomeApplied, 10*time.Millisecond)

	text := scrape(t, reg)
	assertLine(t, text, "router_consumer_pending_messages 3")
	assertLine(t, text, "router_consumer_ack_pending_messages 0")
	assertLine(t, text, "router_stream_messages 3")
	assertLine(t, text, "router_dlq_messages 0")
	assertLine(t, text, `router_worker_messages_total{outcome="applied"} 1`)
}

func TestCXoneMetrics(t *testing.T) {
	reg := metrics.New()
	reg.Request("update", 429, 20*time.Millisecond)
	reg.Request("update", 200, 10*time.Millisecond)
	reg.Retry(time.Second, true)
	reg.Retry(100*time.Millisecond, false)
	if err := reg.ObserveTokenFetches(func() int64 { return 3 }); err != nil {
		t.Fatalf("ObserveTokenFetches: %v", err)
	}

	text := scrape(t, reg)
	assertLine(t, text, `router_cxone_request_duration_seconds_count{operation="update",status="429"} 1`)
	assertLine(t, text, `router_cxone_request_duration_seconds_count{operation="update",status="200"} 1`)
	assertLine(t, text, `router_cxone_retries_total 2`)
	assertLine(t, text, `router_cxone_retry_after_waits_total 1`)
	assertLine(t, text, `router_cxone_retry_after_wait_seconds_total 1`)
	assertLine(t, text, `router_cxone_token_requests_total 3`)
}
