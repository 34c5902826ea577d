package worker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cxrouter/router/cxone/cxonesim"
	"github.com/cxrouter/router/queue"
)

func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("decode %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("decode %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestSamplePayloadAppliedOnce(t *testing.T) {
	h := newHarness(t, nil)

	status, body := h.post(samplePayload)
	if status != http.StatusAccepted {
		t.Fatalf("status %d, want 202; body %s", status, body)
	}

	state := h.waitApplied(sampleInteraction, 1, 10*time.Second)
	jsonEqual(t, state.Last, sampleUpdate)

	time.Sleep(300 * time.Millisecond)
	if n := len(h.patchRequests(sampleInteraction)); n != 1 {
		t.Errorf("PATCH requests = %d, want exactly 1", n)
	}
	if got := h.sim.Stats().TokenRequests; got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
}

func TestWorkerLogLineFields(t *testing.T) {
	h := newHarness(t, nil)
	h.mustAccept(samplePayload, "X-Request-Id", "req-abc-123")
	h.waitApplied(sampleInteraction, 1, 10*time.Second)

	var line map[string]any
	h.waitFor("the applied log line", 5*time.Second, func() bool {
		for _, text := range strings.Split(h.logs.String(), "\n") {
			if strings.Contains(text, `"outcome":"applied"`) {
				return json.Unmarshal([]byte(text), &line) == nil
			}
		}
		return false
	})

	for _, key := range []string{"interaction_id", "msg_id", "stream_seq", "intent", "status", "attempts", "delivery", "latency_ms", "rule", "request_id"} {
		if _, ok := line[key]; !ok {
			t.Errorf("applied log line lacks %q: %v", key, line)
		}
	}
	if line["interaction_id"] != sampleInteraction {
		t.Errorf("interaction_id = %v, want %s", line["interaction_id"], sampleInteraction)
	}
	if line["request_id"] != "req-abc-123" {
		t.Errorf("request_id = %v, want the X-Request-Id that ingest received", line["request_id"])
	}
	if strings.Contains(h.logs.String(), "s3cret") {
		t.Errorf("logs contain the client secret")
	}
}

func TestDuplicateWebhookOnePatch(t *testing.T) {
	h := newHarness(t, nil)

	h.mustAccept(samplePayload)
	status, body := h.post(samplePayload)
	if status != http.StatusAccepted || !strings.Contains(body, `"duplicate":true`) {
		t.Fatalf("second POST: status %d body %s, want 202 with duplicate true", status, body)
	}

	h.waitApplied(sampleInteraction, 1, 10*time.Second)
	time.Sleep(500 * time.Millisecond)
	if n := len(h.patchRequests(sampleInteraction)); n != 1 {
		t.Errorf("PATCH requests = %d, want exactly 1", n)
	}
	if got := h.nats.Messages(t, queue.StreamName); got != 1 {
		t.Errorf("stream holds %d messages, want 1", got)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	h := newHarness(t, nil)
	if err := h.sim.InjectFault(cxonesim.Fault{InteractionID: sampleInteraction, Status: http.StatusTooManyRequests, RetryAfter: "2", Count: 1}); err != nil {
		t.Fatalf("InjectFault: %v", err)
	}

	h.mustAccept(samplePayload)
	state := h.waitApplied(sampleInteraction, 1, 15*time.Second)
	jsonEqual(t, state.Last, sampleUpdate)

	requests := h.patchRequests(sampleInteraction)
	if len(requests) != 2 {
		t.Fatalf("PATCH requests = %d, want 2 (429 then 200)", len(requests))
	}
	if requests[0].Status != http.StatusTooManyRequests || requests[1].Status != http.StatusOK {
		t.Errorf("statuses = %d, %d; want 429, 200", requests[0].Status, requests[1].Status)
	}
	if gap := requests[1].Received.Sub(requests[0].Answered); gap < 2*time.Second {
		t.Errorf("retry came %s after the 429, want at least 2s", gap)
	}
}

func TestRetryAfterBeyondBudgetRedelivers(t *testing.T) {
	h := newHarness(t, func(o *options) { o.retry.MaxElapsedTime = 500 * time.Millisecond })
	if err := h.sim.InjectFault(cxonesim.Fault{InteractionID: sampleInteraction, Status: http.StatusTooManyRequests, RetryAfter: "2", Count: 1}); err != nil {
		t.Fatalf("InjectFault: %v", err)
	}

	h.mustAccept(samplePayload)
	h.waitApplied(sampleInteraction, 1, 15*time.Second)

	requests := h.patchRequests(sampleInteraction)
	if len(requests) != 2 {
		t.Fatalf("PATCH requests = %d, want 2", len(requests))
	}
	if gap := requests[1].Received.Sub(requests[0].Answered); gap < 2*time.Second {
		t.Errorf("redelivery came %s after the 429, want at least 2s", gap)
	}
	if !strings.Contains(h.logs.String(), `"outcome":"retry"`) {
		t.Errorf("no retry outcome logged:\n%s", h.logs.String())
	}
}

func TestTokenRefreshedOnceAfter401(t *testing.T) {
	h := newHarness(t, nil)
	h.mustAccept(payload("first", "TransferToSupport", "x"))
	h.waitApplied("first", 1, 10*time.Second)

	h.sim.RevokeTokens()
	h.mustAccept(samplePayload)
	h.waitApplied(sampleInteraction, 1, 10*time.Second)

	if got := h.sim.Stats().TokenRequests; got != 2 {
		t.Errorf("token requests = %d, want 2 (one initial, one refresh)", got)
	}
	requests := h.patchRequests(sampleInteraction)
	if len(requests) != 2 || requests[0].Status != http.StatusUnauthorized {
		t.Errorf("PATCH requests = %+v, want a 401 then a 200", requests)
	}
}

func TestNotFoundDeadLetteredWithoutRetry(t *testing.T) {
	h := newHarness(t, func(o *options) { o.sim.Strict = true })

	h.mustAccept(samplePayload)
	h.waitFor("a dead letter", 10*time.Second, func() bool { return h.nats.Messages(t, queue.DLQStreamName) == 1 })

	time.Sleep(500 * time.Millisecond)
	if n := len(h.patchRequests(sampleInteraction)); n != 1 {
		t.Errorf("PATCH requests = %d, want 1: a 404 must not be retried", n)
	}

	msg := lastDeadLetter(t, h)
	want := map[string]string{
		queue.HeaderDLQReason:     queue.ReasonRejected,
		queue.HeaderDLQStatus:     "404",
		queue.HeaderDLQDeliveries: "1",
		queue.HeaderDLQStreamSeq:  "1",
		queue.HeaderDLQSubject:    queue.Subject(sampleInteraction),
	}
	for key, value := range want {
		if got := msg.Header.Get(key); got != value {
			t.Errorf("dead letter header %s = %q, want %q", key, got, value)
		}
	}
	if string(msg.Data) != samplePayload {
		t.Errorf("dead letter body = %s, want the original payload", msg.Data)
	}
	if msg.Header.Get(queue.HeaderDLQError) == "" || msg.Header.Get(queue.HeaderDLQLastAttempt) == "" {
		t.Errorf("dead letter lacks error or last-attempt header: %v", msg.Header)
	}
}

func lastDeadLetter(t *testing.T, h *harness) *nats.Msg {
	t.Helper()
	stream, err := h.nats.JS.Stream(context.Background(), queue.DLQStreamName)
	if err != nil {
		t.Fatalf("look up %s: %v", queue.DLQStreamName, err)
	}
	raw, err := stream.GetLastMsgForSubject(context.Background(), queue.DLQStreamSubjects)
	if err != nil {
		t.Fatalf("read last dead letter: %v", err)
	}
	return &nats.Msg{Subject: raw.Subject, Header: raw.Header, Data: raw.Data}
}

func TestTokenCachedAcrossMessages(t *testing.T) {
	h := newHarness(t, nil)

	for i := range 100 {
		h.mustAccept(payload(fmt.Sprintf("interaction-%03d", i), "TransferToSales", "Basic"))
	}
	h.waitFor("100 interactions updated", 30*time.Second, func() bool {
		return h.sim.Stats().PatchByStatus[http.StatusOK] >= 100
	})

	if got := h.sim.Stats().TokenRequests; got != 1 {
		t.Errorf("token requests = %d, want 1 for 100 messages", got)
	}
	state, _ := h.sim.Interaction("interaction-042")
	jsonEqual(t, state.Last, `{"wrapUpCode":"Sales Transfer","routingData":{"priority":1,"skill":"Sales-Standard","customField":"Interest: Basic"}}`)
}

func TestTransientFailureRedeliveredThenApplied(t *testing.T) {
	h := newHarness(t, nil)
	// MaxAttempts is 4 in the harness, so 6 failures outlast the first delivery.
	if err := h.sim.InjectFault(cxonesim.Fault{InteractionID: sampleInteraction, Status: http.StatusServiceUnavailable, Count: 6}); err != nil {
		t.Fatalf("InjectFault: %v", err)
	}

	h.mustAccept(samplePayload)
	state := h.waitApplied(sampleInteraction, 1, 15*time.Second)
	jsonEqual(t, state.Last, sampleUpdate)

	if got := h.nats.Messages(t, queue.DLQStreamName); got != 0 {
		t.Errorf("dead letters = %d, want 0", got)
	}
	if !strings.Contains(h.logs.String(), `"outcome":"retry"`) {
		t.Errorf("no retry outcome logged")
	}
}

func TestMaxDeliverDeadLetters(t *testing.T) {
	h := newHarness(t, func(o *options) { o.topology.MaxDeliver = 2 })
	if err := h.sim.InjectFault(cxonesim.Fault{InteractionID: sampleInteraction, Status: http.StatusInternalServerError, Count: 100}); err != nil {
		t.Fatalf("InjectFault: %v", err)
	}

	h.mustAccept(samplePayload)
	h.waitFor("a dead letter", 15*time.Second, func() bool { return h.nats.Messages(t, queue.DLQStreamName) == 1 })

	msg := lastDeadLetter(t, h)
	if got := msg.Header.Get(queue.HeaderDLQReason); got != queue.ReasonMaxDeliveries {
		t.Errorf("reason = %q, want %q", got, queue.ReasonMaxDeliveries)
	}
	if got := msg.Header.Get(queue.HeaderDLQDeliveries); got != "2" {
		t.Errorf("deliveries = %q, want 2", got)
	}
	if got := msg.Header.Get(queue.HeaderDLQStatus); got != "500" {
		t.Errorf("status = %q, want 500", got)
	}
	first, errFirst := time.Parse(time.RFC3339Nano, msg.Header.Get(queue.HeaderDLQFirstAttempt))
	last, errLast := time.Parse(time.RFC3339Nano, msg.Header.Get(queue.HeaderDLQLastAttempt))
	if errFirst != nil || errLast != nil {
		t.Fatalf("first or last attempt header unreadable: %v, %v", errFirst, errLast)
	}
	if !first.Before(last) {
		t.Errorf("first attempt %s is not before last attempt %s", first, last)
	}
}

func TestSupersededRequestSkipped(t *testing.T) {
	h := newHarness(t, func(o *options) { o.noWorker = true })

	h.mustAccept(payload(sampleInteraction, "TransferToSupport", "x"))
	h.mustAccept(samplePayload)
	h.startWorker()

	state := h.waitApplied(sampleInteraction, 1, 10*time.Second)
	jsonEqual(t, state.Last, sampleUpdate)
	h.waitFor("the superseded outcome", 5*time.Second, func() bool {
		return strings.Contains(h.logs.String(), `"outcome":"superseded"`)
	})
	if n := len(h.patchRequests(sampleInteraction)); n != 1 {
		t.Errorf("PATCH requests = %d, want 1: the older request must not be applied", n)
	}
}

func TestInvalidStoredPayloadDeadLettered(t *testing.T) {
	h := newHarness(t, nil)

	if _, err := h.nats.JS.Publish(context.Background(), queue.Subject("broken"), []byte(`{"cxoneInteractionId":`)); err != nil {
		t.Fatalf("publish: %v", err)
	}
	h.waitFor("a dead letter", 10*time.Second, func() bool { return h.nats.Messages(t, queue.DLQStreamName) == 1 })

	msg := lastDeadLetter(t, h)
	if got := msg.Header.Get(queue.HeaderDLQReason); got != queue.ReasonInvalidPayload {
		t.Errorf("reason = %q, want %q", got, queue.ReasonInvalidPayload)
	}
	if msg.Subject != queue.DLQSubject("broken") {
		t.Errorf("subject = %q, want %q", msg.Subject, queue.DLQSubject("broken"))
	}
}

func TestShutdownReleasesInFlight(t *testing.T) {
	h := newHarness(t, func(o *options) {
		o.noWorker = true
		o.worker.ShutdownGrace = 200 * time.Millisecond
	})
	if err := h.sim.InjectFault(cxonesim.Fault{Latency: 1500 * time.Millisecond, Count: 5}); err != nil {
		t.Fatalf("InjectFault: %v", err)
	}
	for i := range 5 {
		h.mustAccept(payload(fmt.Sprintf("slow-%d", i), "TransferToSupport", "x"))
	}

	stop := h.startWorker()
	time.Sleep(500 * time.Millisecond)
	stop()

	if got := h.nats.Messages(t, queue.DLQStreamName); got != 0 {
		t.Fatalf("dead letters after shutdown = %d, want 0", got)
	}
	if n := strings.Count(h.logs.String(), `"outcome":"released"`); n != 5 {
		t.Errorf("released outcomes = %d, want 5:\n%s", n, h.logs.String())
	}

	h.startWorker()
	for i := range 5 {
		h.waitApplied(fmt.Sprintf("slow-%d", i), 1, 20*time.Second)
	}
	if got := h.nats.Messages(t, queue.DLQStreamName); got != 0 {
		t.Errorf("dead letters after restart = %d, want 0", got)
	}
}

func TestStaleRequestLosesToNewer(t *testing.T) {
	h := newHarness(t, func(o *options) { o.retry.MaxElapsedTime = 10 * time.Second })
	if err := h.sim.InjectFault(cxonesim.Fault{InteractionID: sampleInteraction, Status: http.StatusTooManyRequests, RetryAfter: "3", Count: 1}); err != nil {
		t.Fatalf("InjectFault: %v", err)
	}

	h.mustAccept(payload(sampleInteraction, "TransferToSupport", "x"))
	h.waitFor("the 429", 5*time.Second, func() bool { return len(h.patchRequests(sampleInteraction)) == 1 })
	h.mustAccept(samplePayload)

	h.waitFor("the older request to be superseded", 15*time.Second, func() bool { return h.worker.Stats().Superseded == 1 })
	h.waitApplied(sampleInteraction, 1, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	state, _ := h.sim.Interaction(sampleInteraction)

	jsonEqual(t, state.Last, sampleUpdate)
	if state.Count != 1 {
		t.Errorf("applied updates = %d, want 1: only the newer request", state.Count)
	}
	if got := h.worker.Stats().Applied; got != 1 {
		t.Errorf("applied = %d, want 1", got)
	}
	if n := len(h.patchRequests(sampleInteraction)); n != 2 {
		t.Errorf("PATCH requests = %d, want 2 (the 429 and the newer update)", n)
	}
}

func TestLongWaitKeepsSingleDelivery(t *testing.T) {
	h := newHarness(t, func(o *options) {
		o.topology.AckWait = 2 * time.Second
		o.retry.MaxElapsedTime = 10 * time.Second
	})
	if err := h.sim.InjectFault(cxonesim.Fault{InteractionID: sampleInteraction, Status: http.StatusTooManyRequests, RetryAfter: "5", Count: 1}); err != nil {
		t.Fatalf("InjectFault: %v", err)
	}

	h.mustAccept(samplePayload)
	h.waitApplied(sampleInteraction, 1, 15*time.Second)
	time.Sleep(500 * time.Millisecond)

	if strings.Contains(h.logs.String(), `"delivery":2`) {
		t.Errorf("message delivered twice although the worker sent InProgress during the 5s wait:\n%s", h.logs.String())
	}
	if n := len(h.patchRequests(sampleInteraction)); n != 2 {
		t.Errorf("PATCH requests = %d, want 2 (the 429 and one retry)", n)
	}
	if got := h.worker.Stats().Applied; got != 1 {
		t.Errorf("applied = %d, want 1", got)
	}
}

func TestCognigyInputObjectApplied(t *testing.T) {
	h := newHarness(t, nil)

	h.mustAccept(`{"text":"I want the premium package","intent":"TransferToSales","intentScore":0.91,` +
		`"slots":{"ProductInterest":[{"keyphrase":"PremiumPackage","synonym":"premium"}]},` +
		`"sessionId":"s-1","inputId":"i-1","userId":"u-1","channel":"webchat3","data":{"contactId":"contact-42"}}`)

	state := h.waitApplied("contact-42", 1, 10*time.Second)
	jsonEqual(t, state.Last, sampleUpdate)
}
