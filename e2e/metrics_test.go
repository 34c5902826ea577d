//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

var errNoMetrics = errors.New("GET /metrics returned 404")

// scrape returns the Prometheus text exposition of baseURL/metrics.
func scrape(ctx context.Context, baseURL string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/metrics", nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return "", err
	case resp.StatusCode == http.StatusNotFound:
		return "", errNoMetrics
	case resp.StatusCode != http.StatusOK:
		return "", fmt.Errorf("GET %s/metrics: status %d", baseURL, resp.StatusCode)
	}
	return string(body), nil
}

// sample returns the value of the series name{label="value"} in a text
// exposition, and 0 when the series is absent: a counter vector exposes a
// label value only after its first increment.
func sample(exposition, name, label, value string) float64 {
	prefix := fmt.Sprintf(`%s{%s=%q}`, name, label, value)
	scanner := bufio.NewScanner(strings.NewReader(exposition))
	for scanner.Scan() {
		rest, ok := strings.CutPrefix(scanner.Text(), prefix)
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err == nil {
			return v
		}
	}
	return 0
}

// padBody returns body, a JSON object, with a "padding" member that makes
// it size bytes long.
func padBody(body []byte, size int) []byte {
	head := `{"padding":"`
	tail := `",` + string(body[1:])
	return []byte(head + strings.Repeat("x", size-len(head)-len(tail)) + tail)
}

// workerOutcomes sums router_worker_messages_total{outcome} over every
// running worker of the project.
func workerOutcomes(ctx context.Context, t *testing.T, p *project, outcomes ...string) (map[string]float64, error) {
	t.Helper()
	sums := make(map[string]float64)
	for _, id := range p.containers(ctx, "worker") {
		text, err := scrape(ctx, "http://"+p.containerAddr(ctx, id, "8081"))
		if err != nil {
			return nil, fmt.Errorf("worker %.12s: %w", id, err)
		}
		for _, o := range outcomes {
			sums[o] += sample(text, "router_worker_messages_total", "outcome", o)
		}
	}
	return sums, nil
}

// TestMetricsAgree runs docker-compose.yml with two workers, sends valid and
// invalid webhooks while the simulator returns 503 to some PATCHes, and
// checks that the /metrics counters of ingest and the workers match what the
// test sent and what the simulator received.
func TestMetricsAgree(t *testing.T) {
	ctx := context.Background()
	const (
		total    = 500
		invalid  = 10
		faults   = 20
		outcomes = "applied superseded retry dead-lettered released"
	)
	start := time.Now()

	p := newProject(t, []string{"docker-compose.yml"})
	p.up(ctx, 2)
	ingestURL := "http://" + p.hostAddr(ctx, "ingest", "8080")
	sim := newSimClient("http://" + p.hostAddr(ctx, "cxone-sim", "8090"))
	js := p.connectNATS(ctx, "nats")

	if _, err := scrape(ctx, ingestURL); errors.Is(err, errNoMetrics) {
		t.Skip("ingest has no /metrics endpoint (GET /metrics returned 404); this scenario needs router_ingest_requests_total and router_worker_messages_total")
	} else if err != nil {
		t.Fatal(err)
	}

	// The worker's CXone client retries these 503s within one delivery,
	// so every message still ends applied.
	if err := sim.fault(ctx, http.StatusServiceUnavailable, faults); err != nil {
		t.Fatal(err)
	}
	hooks := newWebhooks("metrics", total)
	// A body just under ingest's 1 MiB limit is stored only because the
	// Compose files raise the NATS max_payload to 2 MiB.
	hooks[0].body = padBody(hooks[0].body, 1<<20-16)
	sent := newSender(ingestURL).send(ctx, hooks)
	for i := range invalid {
		body := fmt.Sprintf(`{"intent":"TransferToSupport","cxoneInteractionId":"not valid %d"}`, i)
		resp, err := http.Post(ingestURL+"/webhook/cognigy-routing", "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("invalid webhook %d: status %d, want 400", i, resp.StatusCode)
		}
	}
	applied := sim.waitApplied(ctx, t, hooks, 2*time.Minute)
	requireAllApplied(t, sent, applied, total)

	// A worker counts the outcome after the acknowledgement, a moment after
	// the PATCH that the simulator already stored.
	var counts map[string]float64
	deadline := time.Now().Add(15 * time.Second)
	for {
		var err error
		counts, err = workerOutcomes(ctx, t, p, strings.Fields(outcomes)...)
		if err != nil {
			t.Fatal(err)
		}
		if counts["applied"] >= total || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}

	ingestText, err := scrape(ctx, ingestURL)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := sim.stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dlq := dlqCount(ctx, t, js)
	ingest202 := sample(ingestText, "router_ingest_requests_total", "status", "202")
	ingest400 := sample(ingestText, "router_ingest_requests_total", "status", "400")
	ingest503 := sample(ingestText, "router_ingest_requests_total", "status", "503")
	t.Logf("scenario=metrics sent=%d invalid=%d accepted=%d applied=%d dlq=%d ingest_202=%.0f ingest_400=%.0f ingest_503=%.0f worker_outcomes=%v sim_patch_200=%d sim_patch_503=%d duration=%s",
		total, invalid, sent.accepted, applied.applied, dlq, ingest202, ingest400, ingest503, counts,
		stats.PatchByStatus["200"], stats.PatchByStatus["503"], time.Since(start).Round(time.Second))

	if int(ingest202) != sent.accepted {
		t.Errorf(`router_ingest_requests_total{status="202"} = %.0f, want %d accepted webhooks`, ingest202, sent.accepted)
	}
	if int(ingest503) != sent.unavailable {
		t.Errorf(`router_ingest_requests_total{status="503"} = %.0f, want the %d 503 answers the sender saw`, ingest503, sent.unavailable)
	}
	if sent.connErrors != 0 {
		t.Errorf("%d webhook requests got no answer, so ingest's counters cannot be compared", sent.connErrors)
	}
	if int(ingest400) != invalid {
		t.Errorf(`router_ingest_requests_total{status="400"} = %.0f, want %d invalid webhooks`, ingest400, invalid)
	}
	if int(counts["applied"]) != total {
		t.Errorf(`router_worker_messages_total{outcome="applied"} summed over workers = %.0f, want %d`, counts["applied"], total)
	}
	if int(counts["applied"]) != stats.PatchByStatus["200"] {
		t.Errorf(`router_worker_messages_total{outcome="applied"} = %.0f, but the simulator returned 200 to %d PATCHes`, counts["applied"], stats.PatchByStatus["200"])
	}
	if counts["dead-lettered"] != 0 || dlq != 0 {
		t.Errorf(`router_worker_messages_total{outcome="dead-lettered"} = %.0f and ROUTING_DLQ holds %d, want 0`, counts["dead-lettered"], dlq)
	}
	if stats.PatchByStatus["503"] != faults {
		t.Errorf("the simulator returned 503 to %d PATCHes, want the %d scripted faults", stats.PatchByStatus["503"], faults)
	}
}
