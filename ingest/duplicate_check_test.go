package ingest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
)

// startCheckedIngest is startIngest with the duplicate check on.
func startCheckedIngest(t *testing.T) *testServer {
	t.Helper()
	ns := queuetest.Start(t, queue.DefaultTopology())
	logs := &logBuffer{}
	h, err := ingest.NewHandler(ns.JS, ingest.DefaultConfig(), zerolog.New(logs), ingest.WithDuplicateCheck(ns.Stream))
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testServer{nats: ns, http: srv, logs: logs}
}

func TestDuplicateCheck(t *testing.T) {
	otherInteraction := strings.Replace(samplePayload, sampleInteraction, "another-interaction", 1)
	otherIntent := strings.Replace(samplePayload, "TransferToSales", "TransferToSupport", 1)
	key := map[string]string{ingest.HeaderIdempotencyKey: "key-1"}

	tests := []struct {
		name          string
		first, second string
		header        map[string]string
		wantStatus    int
		wantMessages  uint64
	}{
		{"same key same body", samplePayload, samplePayload, key, http.StatusAccepted, 1},
		{"same key other interaction", samplePayload, otherInteraction, key, http.StatusUnprocessableEntity, 1},
		{"same key other body", samplePayload, otherIntent, key, http.StatusUnprocessableEntity, 1},
		{"same session other interaction",
			`{"sessionId":"a:b","inputId":"c","cxoneInteractionId":"col1"}`,
			`{"sessionId":"a","inputId":"b:c","cxoneInteractionId":"col2"}`, nil, http.StatusUnprocessableEntity, 1},
		{"same session same interaction",
			`{"sessionId":"s","inputId":"i","cxoneInteractionId":"col1"}`,
			`{"sessionId":"s","inputId":"i","cxoneInteractionId":"col1","intent":"X"}`, nil, http.StatusAccepted, 1},
		{"same body", samplePayload, samplePayload, nil, http.StatusAccepted, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startCheckedIngest(t)
			if resp, body := s.postJSON(t, tt.first, tt.header); resp.StatusCode != http.StatusAccepted {
				t.Fatalf("first request: status %d body %s", resp.StatusCode, body)
			}

			resp, body := s.postJSON(t, tt.second, tt.header)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("second request: status %d, want %d; body %s", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantStatus == http.StatusUnprocessableEntity && !strings.Contains(string(body), "already used") {
				t.Errorf("422 body %s does not say the id was already used", body)
			}
			if got := s.nats.Messages(t, queue.StreamName); got != tt.wantMessages {
				t.Errorf("stream holds %d messages, want %d", got, tt.wantMessages)
			}
		})
	}
}
