package cxone_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/cxrouter/router/cxone"
	"github.com/cxrouter/router/cxone/cxonesim"
)

// recordingObserver keeps the events it receives.
type recordingObserver struct {
	mu       sync.Mutex
	requests []int
	ops      []string
	retries  []bool
}

func (o *recordingObserver) Request(op string, status int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ops = append(o.ops, op)
	o.requests = append(o.requests, status)
}

func (o *recordingObserver) Retry(_ time.Duration, retryAfter bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.retries = append(o.retries, retryAfter)
}

func TestObserverSeesRequestsAndRetries(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	observer := &recordingObserver{}
	client := newClient(t, srv.URL, func(c *cxone.Config) { c.Observer = observer })
	if err := sim.InjectFault(cxonesim.Fault{InteractionID: "x", Status: http.StatusTooManyRequests, RetryAfter: "1"}); err != nil {
		t.Fatal(err)
	}
	if err := sim.InjectFault(cxonesim.Fault{InteractionID: "x", Status: http.StatusBadGateway}); err != nil {
		t.Fatal(err)
	}

	if _, err := client.UpdateInteraction(context.Background(), "x", sampleUpdate); err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}

	observer.mu.Lock()
	defer observer.mu.Unlock()
	if len(observer.requests) != 3 || observer.requests[0] != 429 || observer.requests[1] != 502 || observer.requests[2] != 200 {
		t.Errorf("observed statuses = %v, want [429 502 200]", observer.requests)
	}
	for _, op := range observer.ops {
		if op != "update" {
			t.Errorf("operation = %q, want update", op)
		}
	}
	if len(observer.retries) != 2 || !observer.retries[0] || observer.retries[1] {
		t.Errorf("retry waits set by Retry-After = %v, want [true false]", observer.retries)
	}
}
