package worker_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/cxrouter/router/cxone"
	"github.com/cxrouter/router/cxone/cxonesim"
	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/mapping"
	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
	"github.com/cxrouter/router/worker"
)

const sampleInteraction = "interaction-uuid-from-previous-step"

const samplePayload = `{"sessionId":"12345678-1234-1234-1234-123456789012","userId":"user_abc123","botId":"bot_xyz789","intent":{"name":"TransferToSales","confidence":0.95},"entities":[{"name":"ProductInterest","value":"PremiumPackage","confidence":0.98}],"cxoneInteractionId":"interaction-uuid-from-previous-step"}`

const sampleUpdate = `{"wrapUpCode":"Sales Transfer","routingData":{"priority":1,"skill":"Sales-Premium","customField":"Interest: PremiumPackage"}}`

// options change one harness before it starts.
type options struct {
	sim      cxonesim.Config
	topology queue.Topology
	worker   worker.Config
	retry    cxone.RetryPolicy
	noWorker bool
	noLeases bool
}

// harness runs ingest, a worker and the CXone simulator over real HTTP
// against an embedded JetStream server.
type harness struct {
	t         *testing.T
	nats      *queuetest.Server
	sim       *cxonesim.Sim
	client    *cxone.Client
	ingestURL string
	logs      *syncBuffer
	opts      options
	worker    *worker.Worker // the last one started
}

func defaultOptions() options {
	topology := queue.DefaultTopology()
	topology.AckWait = 5 * time.Second

	cfg := worker.DefaultConfig()
	cfg.MaxInFlight = 16
	cfg.AckWait = topology.AckWait
	cfg.MaxDeliver = topology.MaxDeliver
	cfg.Redelivery = worker.Redelivery{Initial: 100 * time.Millisecond, Multiplier: 2, Max: time.Second}
	cfg.ShutdownGrace = 2 * time.Second

	return options{
		sim:      cxonesim.Config{ClientID: "router", ClientSecret: "s3cret"},
		topology: topology,
		worker:   cfg,
		retry: cxone.RetryPolicy{
			InitialInterval: 10 * time.Millisecond,
			MaxInterval:     50 * time.Millisecond,
			MaxElapsedTime:  3 * time.Second,
			MaxAttempts:     4,
		},
	}
}

func newHarness(t *testing.T, change func(*options)) *harness {
	t.Helper()
	opts := defaultOptions()
	if change != nil {
		change(&opts)
	}
	opts.worker.AckWait = opts.topology.AckWait
	opts.worker.MaxDeliver = opts.topology.MaxDeliver

	h := &harness{t: t, opts: opts, logs: &syncBuffer{}}
	h.nats = queuetest.Start(t, opts.topology)

	h.sim = cxonesim.New(opts.sim)
	simServer := httptest.NewServer(h.sim)
	t.Cleanup(simServer.Close)

	client, err := cxone.NewClient(cxone.Config{
		BaseURL:        simServer.URL,
		ClientID:       "router",
		ClientSecret:   "s3cret",
		RequestTimeout: 2 * time.Second,
		Retry:          opts.retry,
	})
	if err != nil {
		t.Fatalf("cxone.NewClient: %v", err)
	}
	h.client = client

	handler, err := ingest.NewHandler(h.nats.JS, ingest.DefaultConfig(), zerolog.New(h.logs))
	if err != nil {
		t.Fatalf("ingest.NewHandler: %v", err)
	}
	ingestServer := httptest.NewServer(handler)
	t.Cleanup(ingestServer.Close)
	h.ingestURL = ingestServer.URL + ingest.DefaultConfig().Path

	if !opts.noWorker {
		h.startWorker()
	}
	return h
}

// startWorker runs a worker until the test ends and returns its stop
// function, which cancels it and waits for Run to return.
func (h *harness) startWorker() (stop func()) {
	h.t.Helper()

	consumer, err := h.nats.Stream.Consumer(context.Background(), queue.ConsumerName)
	if err != nil {
		h.t.Fatalf("look up consumer: %v", err)
	}
	locks, err := queue.EnsureLockBucket(context.Background(), h.nats.JS, h.opts.topology)
	if err != nil {
		h.t.Fatalf("create lock bucket: %v", err)
	}
	deps := worker.Deps{
		JetStream: h.nats.JS,
		Stream:    h.nats.Stream,
		Consumer:  consumer,
		Rules:     mapping.Default(),
		CXone:     h.client,
		Logger:    zerolog.New(h.logs),
	}
	if !h.opts.noLeases {
		deps.Locks = locks
	}
	w, err := worker.New(h.opts.worker, deps)
	if err != nil {
		h.t.Fatalf("worker.New: %v", err)
	}

	h.worker = w
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()

	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					h.t.Errorf("worker.Run returned %v", err)
				}
			case <-time.After(15 * time.Second):
				h.t.Errorf("worker.Run did not return within 15s of cancellation")
			}
		})
	}
	h.t.Cleanup(stop)
	return stop
}

// post sends body to the webhook and returns the status and response body.
func (h *harness) post(body string, headers ...string) (int, string) {
	h.t.Helper()

	req, err := http.NewRequest(http.MethodPost, h.ingestURL, strings.NewReader(body))
	if err != nil {
		h.t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("POST webhook: %v", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// mustAccept posts body and fails the test unless ingest returns 202.
func (h *harness) mustAccept(body string, headers ...string) {
	h.t.Helper()
	if status, resp := h.post(body, headers...); status != http.StatusAccepted {
		h.t.Fatalf("POST webhook: status %d, want 202; body %s", status, resp)
	}
}

// waitFor polls cond until it is true or timeout passes.
func (h *harness) waitFor(what string, timeout time.Duration, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out after %s waiting for %s\nlogs:\n%s", timeout, what, h.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitApplied waits until the simulator holds count updates for id.
func (h *harness) waitApplied(id string, count int, timeout time.Duration) cxonesim.State {
	h.t.Helper()
	var state cxonesim.State
	h.waitFor("interaction "+id+" to be updated", timeout, func() bool {
		var ok bool
		state, ok = h.sim.Interaction(id)
		return ok && state.Count >= count
	})
	return state
}

// patchRequests returns the PATCH requests the simulator received for id.
func (h *harness) patchRequests(id string) []cxonesim.Request {
	var out []cxonesim.Request
	for _, r := range h.sim.Requests() {
		if r.Method == http.MethodPatch && r.InteractionID == id {
			out = append(out, r)
		}
	}
	return out
}

// payload returns the sample payload for another interaction and intent.
func payload(interactionID, intent, product string) string {
	p := strings.Replace(samplePayload, sampleInteraction, interactionID, 1)
	p = strings.Replace(p, "TransferToSales", intent, 1)
	return strings.Replace(p, "PremiumPackage", product, 1)
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of loggers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
