package ingest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
)

const samplePayload = `{"sessionId":"12345678-1234-1234-1234-123456789012","userId":"user_abc123","botId":"bot_xyz789","intent":{"name":"TransferToSales","confidence":0.95},"entities":[{"name":"ProductInterest","value":"PremiumPackage","confidence":0.98}],"cxoneInteractionId":"interaction-uuid-from-previous-step"}`

const sampleInteraction = "interaction-uuid-from-previous-step"

// logBuffer collects log lines written by concurrent handlers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the decoded JSON log lines.
func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()

	var lines []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(b.buf.Bytes()), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var fields map[string]any
		if err := json.Unmarshal(line, &fields); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		lines = append(lines, fields)
	}
	return lines
}

// testServer is ingest on a real HTTP server in front of an embedded JetStream.
type testServer struct {
	nats *queuetest.Server
	http *httptest.Server
	logs *logBuffer
}

func startIngest(t *testing.T, cfg ingest.Config) *testServer {
	t.Helper()

	ns := queuetest.Start(t, queue.DefaultTopology())
	logs := &logBuffer{}
	h, err := ingest.NewHandler(ns.JS, cfg, zerolog.New(logs))
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}

	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testServer{nats: ns, http: srv, logs: logs}
}

func (s *testServer) webhookURL() string {
	return s.http.URL + ingest.DefaultConfig().Path
}

// postJSON posts body as application/json with the extra headers.
func (s *testServer) postJSON(t *testing.T, body string, header map[string]string) (*http.Response, []byte) {
	t.Helper()

	req, err := http.NewRequest(http.MethodPost, s.webhookURL(), strings.NewReader(body))
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(t, s.http.Client(), req)
}

func do(t *testing.T, client *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()

	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response body: %v", err)
	}
	return resp, body
}

func decodeAccepted(t *testing.T, body []byte) ingest.Accepted {
	t.Helper()

	var accepted ingest.Accepted
	if err := json.Unmarshal(body, &accepted); err != nil {
		t.Fatalf("decode 202 body %q: %v", body, err)
	}
	return accepted
}

func lastMsg(t *testing.T, s *queuetest.Server, subject string) *jetstream.RawStreamMsg {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	msg, err := s.Stream.GetLastMsgForSubject(ctx, subject)
	if err != nil {
		t.Fatalf("read last message on %s: %v", subject, err)
	}
	return msg
}

func TestWebhookSamplePayload(t *testing.T) {
	s := startIngest(t, ingest.DefaultConfig())
	before := time.Now().UTC()

	resp, body := s.postJSON(t, samplePayload, map[string]string{ingest.HeaderRequestID: "req-42"})

	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status = %d, want 202; body %s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	if got := resp.Header.Get(ingest.HeaderRequestID); got != "req-42" {
		t.Errorf("X-Request-Id = %q, want the incoming req-42", got)
	}

	// The sample has a sessionId but no inputId, so the id is the body hash.
	sum := sha256.Sum256([]byte(samplePayload))
	wantID := hex.EncodeToString(sum[:])
	accepted := decodeAccepted(t, body)
	if accepted.MsgID != wantID {
		t.Errorf("msgId = %q, want SHA-256 of the body %q", accepted.MsgID, wantID)
	}
	if accepted.Stream != queue.StreamName {
		t.Errorf("stream = %q, want %q", accepted.Stream, queue.StreamName)
	}
	if accepted.StreamSeq != 1 {
		t.Errorf("streamSeq = %d, want 1", accepted.StreamSeq)
	}
	if accepted.Duplicate {
		t.Error("duplicate = true for the first request")
	}

	if n := s.nats.Messages(t, queue.StreamName); n != 1 {
		t.Fatalf("stream has %d messages, want 1", n)
	}
	msg := lastMsg(t, s.nats, queue.Subject(sampleInteraction))
	if msg.Subject != "routing.requests."+sampleInteraction {
		t.Errorf("subject = %q", msg.Subject)
	}
	if !bytes.Equal(msg.Data, []byte(samplePayload)) {
		t.Errorf("stored data = %q, want the request body byte for byte", msg.Data)
	}
	if got := msg.Header.Get(queue.HeaderMsgID); got != wantID {
		t.Errorf("Nats-Msg-Id = %q, want %q", got, wantID)
	}
	if got := msg.Header.Get(queue.HeaderRequestID); got != "req-42" {
		t.Errorf("%s = %q, want req-42", queue.HeaderRequestID, got)
	}

	receivedAt, err := time.Parse(time.RFC3339Nano, msg.Header.Get(queue.HeaderReceivedAt))
	if err != nil {
		t.Fatalf("%s is not RFC 3339: %v", queue.HeaderReceivedAt, err)
	}
	if receivedAt.Before(before.Add(-time.Second)) || receivedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("%s = %s, want the time of the request", queue.HeaderReceivedAt, receivedAt)
	}
	if !strings.HasSuffix(msg.Header.Get(queue.HeaderReceivedAt), "Z") {
		t.Errorf("%s = %q, want UTC", queue.HeaderReceivedAt, msg.Header.Get(queue.HeaderReceivedAt))
	}
}

func TestWebhookLogLine(t *testing.T) {
	s := startIngest(t, ingest.DefaultConfig())

	resp, body := s.postJSON(t, samplePayload, map[string]string{
		ingest.HeaderRequestID: "req-log",
		"Authorization":        "ApiKey secret-key-value",
	})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status = %d, want 202; body %s", resp.StatusCode, body)
	}
	accepted := decodeAccepted(t, body)

	lines := s.logs.lines(t)
	if len(lines) != 1 {
		t.Fatalf("got %d log lines, want 1: %v", len(lines), lines)
	}
	line := lines[0]
	for field, want := range map[string]any{
		"level":          "info",
		"request_id":     "req-log",
		"interaction_id": sampleInteraction,
		"msg_id":         accepted.MsgID,
		"stream_seq":     float64(accepted.StreamSeq),
		"status":         float64(http.StatusAccepted),
		"duplicate":      false,
	} {
		if line[field] != want {
			t.Errorf("log field %s = %v, want %v", field, line[field], want)
		}
	}
	if latency, ok := line["latency_ms"].(float64); !ok || latency < 0 {
		t.Errorf("log field latency_ms = %v, want a non-negative number of milliseconds", line["latency_ms"])
	}

	s.logs.mu.Lock()
	raw := s.logs.buf.String()
	s.logs.mu.Unlock()
	for _, secret := range []string{"PremiumPackage", "user_abc123", "secret-key-value"} {
		if strings.Contains(raw, secret) {
			t.Errorf("log contains %q from the body or the auth header: %s", secret, raw)
		}
	}
}

func TestWebhookAcceptsJSONMediaTypes(t *testing.T) {
	s := startIngest(t, ingest.DefaultConfig())

	for i, contentType := range []string{
		"application/json",
		"application/json; charset=utf-8",
		"Application/JSON",
		"application/vnd.cognigy+json",
	} {
		body := strings.Replace(samplePayload, `"user_abc123"`, `"user-`+string(rune('a'+i))+`"`, 1)
		req, err := http.NewRequest(http.MethodPost, s.webhookURL(), strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)

		resp, respBody := do(t, s.http.Client(), req)
		if resp.StatusCode != http.StatusAccepted {
			t.Errorf("Content-Type %q: status = %d, want 202; body %s", contentType, resp.StatusCode, respBody)
		}
	}
}

// rejectCase is one request that ingest must reject with a 4xx status.
type rejectCase struct {
	name        string
	method      string
	contentType string
	body        []byte
	chunked     bool
	header      map[string]string
	wantStatus  int
	wantField   string // ErrorBody.Field
	wantHeader  string // ErrorBody.Header
	wantMessage []string
}

func rejectCases() []rejectCase {
	withID := func(id string) []byte {
		return []byte(`{"sessionId":"s","cxoneInteractionId":` + id + `}`)
	}
	invalidID := func(name, id string) rejectCase {
		return rejectCase{
			name: name, body: withID(`"` + id + `"`),
			wantStatus: http.StatusBadRequest, wantField: "cxoneInteractionId", wantMessage: []string{"cxoneInteractionId", "must match"},
		}
	}
	oversized := append([]byte(`{"cxoneInteractionId":"abc","pad":"`), bytes.Repeat([]byte("x"), 1<<20)...)
	oversized = append(oversized, '"', '}')
	oversized = oversized[:1<<20+1]

	return []rejectCase{
		{name: "form encoded", contentType: "application/x-www-form-urlencoded", body: []byte("cxoneInteractionId=abc"),
			wantStatus: http.StatusUnsupportedMediaType, wantMessage: []string{"Content-Type: application/json", "form encoding", "application/x-www-form-urlencoded"}},
		{name: "text plain", contentType: "text/plain", body: []byte(samplePayload),
			wantStatus: http.StatusUnsupportedMediaType, wantMessage: []string{"text/plain", "Content-Type: application/json", "Cognigy"}},
		{name: "no content type", contentType: "-", body: []byte(samplePayload),
			wantStatus: http.StatusUnsupportedMediaType, wantMessage: []string{"missing", "Content-Type: application/json"}},
		{name: "unparsable content type", contentType: "application/json; =", body: []byte(samplePayload),
			wantStatus: http.StatusUnsupportedMediaType, wantMessage: []string{"invalid", "Content-Type: application/json"}},
		{name: "malformed JSON", body: []byte(`{"cxoneInteractionId": abc}`),
			wantStatus: http.StatusBadRequest, wantMessage: []string{"malformed JSON"}},
		{name: "truncated JSON", body: []byte(samplePayload[:len(samplePayload)-10]),
			wantStatus: http.StatusBadRequest, wantMessage: []string{"malformed JSON"}},
		{name: "empty body", body: []byte{},
			wantStatus: http.StatusBadRequest, wantMessage: []string{"JSON object"}},
		{name: "array body", body: []byte(`[` + samplePayload + `]`),
			wantStatus: http.StatusBadRequest, wantMessage: []string{"JSON object"}},
		{name: "string body", body: []byte(`"interaction-1"`),
			wantStatus: http.StatusBadRequest, wantMessage: []string{"JSON object"}},
		{name: "missing interaction id", body: []byte(`{"sessionId":"s","intent":"TransferToSales"}`),
			wantStatus: http.StatusBadRequest, wantField: "cxoneInteractionId", wantMessage: []string{"cxoneInteractionId", "missing"}},
		{name: "numeric interaction id", body: withID(`12345`),
			wantStatus: http.StatusBadRequest, wantField: "cxoneInteractionId", wantMessage: []string{"cxoneInteractionId", "string"}},
		invalidID("id with path", "../x"),
		invalidID("id with dot", "a.b"),
		invalidID("id with star", "a*"),
		invalidID("id with greater-than", "a>"),
		invalidID("id with space", "a b"),
		invalidID("id of 129 chars", strings.Repeat("a", 129)),
		invalidID("empty id", ""),
		{name: "intent number", body: []byte(`{"cxoneInteractionId":"abc","intent":42}`),
			wantStatus: http.StatusBadRequest, wantField: "intent", wantMessage: []string{`"intent"`}},
		{name: "intent array", body: []byte(`{"cxoneInteractionId":"abc","intent":["TransferToSales"]}`),
			wantStatus: http.StatusBadRequest, wantField: "intent", wantMessage: []string{`"intent"`}},
		{name: "entities object", body: []byte(`{"cxoneInteractionId":"abc","entities":{"name":"ProductInterest"}}`),
			wantStatus: http.StatusBadRequest, wantField: "entities", wantMessage: []string{`"entities"`, "list"}},
		{name: "entities string", body: []byte(`{"cxoneInteractionId":"abc","entities":"ProductInterest"}`),
			wantStatus: http.StatusBadRequest, wantField: "entities", wantMessage: []string{`"entities"`, "list"}},
		{name: "entity without name", body: []byte(`{"cxoneInteractionId":"abc","entities":[{"name":"A","value":"1"},{"value":"PremiumPackage"}]}`),
			wantStatus: http.StatusBadRequest, wantField: "entities[1].name", wantMessage: []string{`"entities[1].name"`, "missing"}},
		{name: "body over limit with Content-Length", body: oversized,
			wantStatus: http.StatusRequestEntityTooLarge, wantMessage: []string{"1048577 bytes", "limit of 1048576 bytes"}},
		{name: "body over limit chunked", body: oversized, chunked: true,
			wantStatus: http.StatusRequestEntityTooLarge, wantMessage: []string{"limit of 1048576 bytes"}},
		{name: "GET", method: http.MethodGet,
			wantStatus: http.StatusMethodNotAllowed, wantMessage: []string{"GET", "use POST"}},
		{name: "PUT", method: http.MethodPut, body: []byte(samplePayload),
			wantStatus: http.StatusMethodNotAllowed, wantMessage: []string{"PUT", "use POST"}},
		{name: "DELETE", method: http.MethodDelete,
			wantStatus: http.StatusMethodNotAllowed, wantMessage: []string{"DELETE", "use POST"}},
		{name: "Idempotency-Key too long", body: []byte(samplePayload), header: map[string]string{ingest.HeaderIdempotencyKey: strings.Repeat("k", 201)},
			wantStatus: http.StatusBadRequest, wantHeader: ingest.HeaderIdempotencyKey, wantMessage: []string{ingest.HeaderIdempotencyKey, "printable ASCII"}},
		{name: "Idempotency-Key empty", body: []byte(samplePayload), header: map[string]string{ingest.HeaderIdempotencyKey: ""},
			wantStatus: http.StatusBadRequest, wantHeader: ingest.HeaderIdempotencyKey, wantMessage: []string{ingest.HeaderIdempotencyKey}},
		{name: "Idempotency-Key not ASCII", body: []byte(samplePayload), header: map[string]string{ingest.HeaderIdempotencyKey: "schlüssel"},
			wantStatus: http.StatusBadRequest, wantHeader: ingest.HeaderIdempotencyKey, wantMessage: []string{ingest.HeaderIdempotencyKey, "printable ASCII"}},
		{name: "Idempotency-Key with tab", body: []byte(samplePayload), header: map[string]string{ingest.HeaderIdempotencyKey: "a\tb"},
			wantStatus: http.StatusBadRequest, wantHeader: ingest.HeaderIdempotencyKey, wantMessage: []string{ingest.HeaderIdempotencyKey}},
	}
}

func TestWebhookRejects(t *testing.T) {
	s := startIngest(t, ingest.DefaultConfig())

	for _, tc := range rejectCases() {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.request(t, s.webhookURL())
			resp, body := do(t, s.http.Client(), req)

			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tc.wantStatus, body)
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			if resp.Header.Get(ingest.HeaderRequestID) == "" {
				t.Error("response has no X-Request-Id")
			}
			if tc.wantStatus == http.StatusMethodNotAllowed {
				if got := resp.Header.Get("Allow"); got != http.MethodPost {
					t.Errorf("Allow = %q, want POST", got)
				}
			}

			var errBody ingest.ErrorBody
			if err := json.Unmarshal(body, &errBody); err != nil {
				t.Fatalf("error body %q is not JSON: %v", body, err)
			}
			if errBody.Field != tc.wantField {
				t.Errorf("field = %q, want %q", errBody.Field, tc.wantField)
			}
			if errBody.Header != tc.wantHeader {
				t.Errorf("header = %q, want %q", errBody.Header, tc.wantHeader)
			}
			for _, want := range tc.wantMessage {
				if !strings.Contains(errBody.Error, want) {
					t.Errorf("error %q does not contain %q", errBody.Error, want)
				}
			}

			if n := s.nats.Messages(t, queue.StreamName); n != 0 {
				t.Errorf("stream has %d messages after a rejected request, want 0", n)
			}
		})
	}
}

func (tc rejectCase) request(t *testing.T, url string) *http.Request {
	t.Helper()

	method := tc.method
	if method == "" {
		method = http.MethodPost
	}
	var body io.Reader
	if tc.body != nil {
		body = bytes.NewReader(tc.body)
		if tc.chunked {
			// A reader of unknown length makes the client send Transfer-Encoding: chunked.
			body = io.NopCloser(body)
		}
	}

	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	if tc.chunked {
		req.ContentLength = -1
	}
	switch tc.contentType {
	case "":
		req.Header.Set("Content-Type", "application/json")
	case "-":
	default:
		req.Header.Set("Content-Type", tc.contentType)
	}
	for k, v := range tc.header {
		req.Header[k] = []string{v}
	}
	return req
}

func TestWebhookRejectLogLine(t *testing.T) {
	s := startIngest(t, ingest.DefaultConfig())

	resp, _ := s.postJSON(t, `{"cxoneInteractionId":"abc","intent":42}`, nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400", resp.StatusCode)
	}

	lines := s.logs.lines(t)
	if len(lines) != 1 {
		t.Fatalf("got %d log lines, want 1: %v", len(lines), lines)
	}
	if lines[0]["level"] != "warn" {
		t.Errorf("level = %v, want warn", lines[0]["level"])
	}
	if lines[0]["field"] != "intent" {
		t.Errorf("field = %v, want intent", lines[0]["field"])
	}
	if msg, _ := lines[0]["error"].(string); !strings.Contains(msg, "intent") {
		t.Errorf("error = %q, want the parse error naming intent", msg)
	}
}

func TestWebhookDuplicateBody(t *testing.T) {
	s := startIngest(t, ingest.DefaultConfig())

	resp1, body1 := s.postJSON(t, samplePayload, nil)
	resp2, body2 := s.postJSON(t, samplePayload, nil)

	if resp1.StatusCode != http.StatusAccepted || resp2.StatusCode != http.StatusAccepted {
		t.Fatalf("statuses = %d, %d, want 202, 202; bodies %s %s", resp1.StatusCode, resp2.StatusCode, body1, body2)
	}
	first, second := decodeAccepted(t, body1), decodeAccepted(t, body2)
	if first.Duplicate {
		t.Error("first request: duplicate = true")
	}
	if !second.Duplicate {
		t.Error("second request: duplicate = false, want true")
	}
	if second.MsgID != first.MsgID {
		t.Errorf("msgIds differ: %q and %q", first.MsgID, second.MsgID)
	}
	if second.StreamSeq != first.StreamSeq {
		t.Errorf("duplicate streamSeq = %d, want the original %d", second.StreamSeq, first.StreamSeq)
	}
	if n := s.nats.Messages(t, queue.StreamName); n != 1 {
		t.Errorf("stream has %d messages, want 1", n)
	}
}

func TestWebhookIdempotencyKey(t *testing.T) {
	s := startIngest(t, ingest.DefaultConfig())
	key := map[string]string{ingest.HeaderIdempotencyKey: "cognigy retry 7f3a"}
	other := strings.Replace(samplePayload, "TransferToSales", "TransferToSupport", 1)

	resp1, body1 := s.postJSON(t, samplePayload, key)
	resp2, body2 := s.postJSON(t, other, key)

	if resp1.StatusCode != http.StatusAccepted || resp2.StatusCode != http.StatusAccepted {
		t.Fatalf("statuses = %d, %d, want 202, 202; bodies %s %s", resp1.StatusCode, resp2.StatusCode, body1, body2)
	}
	first, second := decodeAccepted(t, body1), decodeAccepted(t, body2)
	if first.MsgID != "cognigy retry 7f3a" {
		t.Errorf("msgId = %q, want the Idempotency-Key", first.MsgID)
	}
	if !second.Duplicate {
		t.Error("second body with the same key: duplicate = false, want true")
	}
	if n := s.nats.Messages(t, queue.StreamName); n != 1 {
		t.Errorf("stream has %d messages, want 1", n)
	}

	stored := lastMsg(t, s.nats, queue.Subject(sampleInteraction))
	if !bytes.Equal(stored.Data, []byte(samplePayload)) {
		t.Errorf("stored data = %q, want the first body", stored.Data)
	}
}

func TestWebhookSessionAndInputID(t *testing.T) {
	s := startIngest(t, ingest.DefaultConfig())
	body := `{"sessionId":"sess-1","inputId":"input-9","cxoneInteractionId":"abc"}`

	resp, respBody := s.postJSON(t, body, nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status = %d, want 202; body %s", resp.StatusCode, respBody)
	}
	if got := decodeAccepted(t, respBody).MsgID; got != "sess-1:input-9" {
		t.Errorf("msgId = %q, want sessionId:inputId", got)
	}

	// The same input posted again with other whitespace is the same message.
	resp, respBody = s.postJSON(t, body+"\n", nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status = %d, want 202; body %s", resp.StatusCode, respBody)
	}
	if !decodeAccepted(t, respBody).Duplicate {
		t.Error("same sessionId and inputId: duplicate = false, want true")
	}
}

func TestWebhookRequestIDGenerated(t *testing.T) {
	s := startIngest(t, ingest.DefaultConfig())

	for i, incoming := range []string{"", strings.Repeat("r", 201), "bad\tid"} {
		// Each body differs, so no request is dropped as a duplicate.
		payload := strings.Replace(samplePayload, "user_abc123", "user-"+strings.Repeat("x", i), 1)
		resp, body := s.postJSON(t, payload, map[string]string{ingest.HeaderRequestID: incoming})
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("status = %d, want 202; body %s", resp.StatusCode, body)
		}

		got := resp.Header.Get(ingest.HeaderRequestID)
		if got == "" || got == incoming {
			t.Errorf("incoming X-Request-Id %q: response X-Request-Id = %q, want a new id", incoming, got)
		}
		stored := lastMsg(t, s.nats, queue.Subject(sampleInteraction))
		if stored.Header.Get(queue.HeaderRequestID) != got {
			t.Errorf("stored request id = %q, want the echoed %q", stored.Header.Get(queue.HeaderRequestID), got)
		}
	}
}

func TestWebhookBodyOverMaxPayload(t *testing.T) {
	cfg := ingest.DefaultConfig()
	cfg.MaxBodyBytes = queue.EmbeddedMaxPayload
	s := startIngest(t, cfg)

	// A body of exactly MaxBodyBytes passes the HTTP limit, but with the
	// message headers it exceeds the max_payload of the embedded server.
	body := []byte(`{"cxoneInteractionId":"abc","pad":"`)
	body = append(body, bytes.Repeat([]byte("x"), queue.EmbeddedMaxPayload-len(body)-2)...)
	body = append(body, '"', '}')

	resp, respBody := s.postJSON(t, string(body), nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status = %d, want 413; body %s", resp.StatusCode, respBody)
	}
	if !strings.Contains(string(respBody), "max_payload") {
		t.Errorf("error %s does not name max_payload", respBody)
	}
	if n := s.nats.Messages(t, queue.StreamName); n != 0 {
		t.Errorf("stream has %d messages, want 0", n)
	}
}

func TestWebhookPublishFailure(t *testing.T) {
	cfg := ingest.DefaultConfig()
	cfg.PublishTimeout = 300 * time.Millisecond
	cfg.RetryAfter = 1500 * time.Millisecond

	tests := []struct {
		name        string
		wantProblem string
		stop        func(t *testing.T, ns *queuetest.Server) jetstream.JetStream
	}{
		{
			// The connection keeps reconnecting, so the publish waits until PublishTimeout.
			name:        "server stopped",
			wantProblem: "timed out after 300ms",
			stop: func(t *testing.T, ns *queuetest.Server) jetstream.JetStream {
				ns.NATS.Shutdown()
				ns.NATS.WaitForShutdown()
				return ns.JS
			},
		},
		{
			name:        "connection closed",
			wantProblem: "storing the request in JetStream failed",
			stop: func(t *testing.T, ns *queuetest.Server) jetstream.JetStream {
				conn, err := nats.Connect(ns.URL)
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				js, err := jetstream.New(conn)
				if err != nil {
					t.Fatalf("open JetStream: %v", err)
				}
				conn.Close()
				return js
			},
		},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ns := queuetest.Start(t, queue.DefaultTopology())
			js := tc.stop(t, ns)
			logs := &logBuffer{}
			h, err := ingest.NewHandler(js, cfg, zerolog.New(logs))
			if err != nil {
				t.Fatalf("NewHandler: %v", err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			s := &testServer{nats: ns, http: srv, logs: logs}

			start := time.Now()
			resp, body := s.postJSON(t, samplePayload, nil)
			elapsed := time.Since(start)

			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("status = %d, want 503; body %s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Retry-After"); got != "2" {
				t.Errorf("Retry-After = %q, want 1.5 s rounded up to 2", got)
			}
			var errBody ingest.ErrorBody
			if err := json.Unmarshal(body, &errBody); err != nil {
				t.Fatalf("error body %q is not JSON: %v", body, err)
			}
			if !strings.Contains(errBody.Error, "retry after 2 s") {
				t.Errorf("error %q does not say when to retry", errBody.Error)
			}
			if !strings.Contains(errBody.Error, tc.wantProblem) {
				t.Errorf("error %q does not contain %q", errBody.Error, tc.wantProblem)
			}
			// The bound is generous for a loaded machine. It checks that the
			// handler gives up near PublishTimeout instead of hanging.
			if elapsed > cfg.PublishTimeout+5*time.Second {
				t.Errorf("503 took %s, want about PublishTimeout %s", elapsed, cfg.PublishTimeout)
			}

			lines := logs.lines(t)
			if len(lines) != 1 {
				t.Fatalf("got %d log lines, want 1: %v", len(lines), lines)
			}
			if lines[0]["level"] != "error" {
				t.Errorf("level = %v, want error", lines[0]["level"])
			}
			if lines[0]["error"] == nil {
				t.Error("log line has no error field")
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	s := startIngest(t, ingest.DefaultConfig())

	resp, body := do(t, s.http.Client(), mustRequest(t, http.MethodGet, s.http.URL+"/healthz"))
	if resp.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Errorf("GET /healthz = %d %q, want 200 ok", resp.StatusCode, body)
	}

	resp, _ = do(t, s.http.Client(), mustRequest(t, http.MethodPost, s.http.URL+"/healthz"))
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz = %d, want 405", resp.StatusCode)
	}

	resp, body = do(t, s.http.Client(), mustRequest(t, http.MethodGet, s.http.URL+"/webhook/other"))
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "/webhook/cognigy-routing") {
		t.Errorf("GET /webhook/other = %d %s, want 404 naming the webhook path", resp.StatusCode, body)
	}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	return req
}

func TestNewHandlerChecksArguments(t *testing.T) {
	ns := queuetest.Start(t, queue.DefaultTopology())

	if _, err := ingest.NewHandler(nil, ingest.DefaultConfig(), zerolog.Nop()); err == nil {
		t.Error("NewHandler(nil publisher) returned no error")
	}

	cfg := ingest.DefaultConfig()
	cfg.Path = "webhook"
	if _, err := ingest.NewHandler(ns.JS, cfg, zerolog.Nop()); err == nil || !strings.Contains(err.Error(), "Path") {
		t.Errorf("NewHandler(Path %q) error = %v, want one naming Path", cfg.Path, err)
	}
}
