//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// webhook is one routing request and the routing CXone should end up with.
type webhook struct {
	interactionID string
	body          []byte
	wantSkill     string
}

// intents cycles through the built-in rules, so every rule is exercised.
var intents = []struct {
	body      string
	wantSkill string
}{
	{`"intent":{"name":"TransferToSales","confidence":0.95},"entities":[{"name":"ProductInterest","value":"PremiumPackage","confidence":0.98}]`, "Sales-Premium"},
	{`"intent":{"name":"TransferToSales","confidence":0.9}`, "Sales-Standard"},
	{`"intent":"TransferToSupport"`, "Support-Tier2"},
	{`"intent":null`, "General"},
}

// newWebhooks returns n webhooks, each for its own interaction, so that no
// request supersedes another.
func newWebhooks(scenario string, n int) []webhook {
	run := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	hooks := make([]webhook, n)
	for i := range hooks {
		id := fmt.Sprintf("e2e-%s-%s-%d", scenario, run, i)
		intent := intents[i%len(intents)]
		body := fmt.Sprintf(`{"sessionId":"s-%s","inputId":"in-1","cxoneInteractionId":%q,%s}`, id, id, intent.body)
		hooks[i] = webhook{interactionID: id, body: []byte(body), wantSkill: intent.wantSkill}
	}
	return hooks
}

// sendResult counts ingest's responses to one send run.
type sendResult struct {
	accepted    int // webhooks accepted with 202, each counted once
	unavailable int // 503 responses, each retried
	connErrors  int // requests that got no response, each retried
	rejected    int // webhooks given up: another status, or retries spent
	firstError  string
}

// sender posts webhooks the way Cognigy does: it retries a 503 or a failed
// connection after the Retry-After seconds, at most 1 s here, until retryFor
// has passed.
type sender struct {
	url         string
	client      *http.Client
	concurrency int
	// interval paces the requests of all goroutines together; 0 sends as
	// fast as ingest responds.
	interval time.Duration
	retryFor time.Duration
	// progress, when set, is called with the number of webhooks handled so
	// far, after each one.
	progress func(done int)
}

func newSender(ingestURL string) *sender {
	return &sender{
		url:         ingestURL + "/webhook/cognigy-routing",
		client:      &http.Client{Timeout: 10 * time.Second},
		concurrency: 16,
		retryFor:    90 * time.Second,
	}
}

// send posts every webhook once until it is accepted or given up.
func (s *sender) send(ctx context.Context, hooks []webhook) sendResult {
	var (
		mu     sync.Mutex
		result sendResult
		done   atomic.Int64
		next   = make(chan webhook)
		wg     sync.WaitGroup
	)

	var pace <-chan time.Time
	if s.interval > 0 {
		ticker := time.NewTicker(s.interval)
		defer ticker.Stop()
		pace = ticker.C
	}

	for range s.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range next {
				unavailable, connErrors, err := s.deliver(ctx, h)
				mu.Lock()
				result.unavailable += unavailable
				result.connErrors += connErrors
				if err != nil {
					result.rejected++
					if result.firstError == "" {
						result.firstError = err.Error()
					}
				} else {
					result.accepted++
				}
				mu.Unlock()
				if s.progress != nil {
					s.progress(int(done.Add(1)))
				}
			}
		}()
	}

	for _, h := range hooks {
		if pace != nil {
			<-pace
		}
		next <- h
	}
	close(next)
	wg.Wait()
	return result
}

// deliver posts one webhook until ingest returns 202, and counts the 503
// responses and the requests without a response before that.
func (s *sender) deliver(ctx context.Context, h webhook) (unavailable, connErrors int, err error) {
	deadline := time.Now().Add(s.retryFor)
	for {
		status, retryAfter, postErr := s.post(ctx, h)
		switch {
		case postErr != nil:
			connErrors++
		case status == http.StatusAccepted:
			return unavailable, connErrors, nil
		case status == http.StatusServiceUnavailable:
			unavailable++
		default:
			return unavailable, connErrors, fmt.Errorf("webhook %s: status %d, want 202 or 503", h.interactionID, status)
		}

		if time.Now().After(deadline) {
			return unavailable, connErrors, fmt.Errorf("webhook %s: not accepted within %s; last status %d, error %v", h.interactionID, s.retryFor, status, postErr)
		}
		select {
		case <-ctx.Done():
			return unavailable, connErrors, ctx.Err()
		case <-time.After(retryAfter):
		}
	}
}

// post sends one request and returns the status and the wait before a retry.
func (s *sender) post(ctx context.Context, h webhook) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(h.body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")

	resp, err := s.client.Do(req)
	if err != nil {
		return 0, 200 * time.Millisecond, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)

	wait := 200 * time.Millisecond
	if seconds, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
		wait = min(time.Duration(seconds)*time.Second, time.Second)
	}
	return resp.StatusCode, wait, nil
}

// simClient reads the CXone simulator's control endpoints.
type simClient struct {
	url    string
	client *http.Client
}

func newSimClient(simURL string) *simClient {
	return &simClient{url: simURL, client: &http.Client{Timeout: 10 * time.Second}}
}

// simStats is the part of GET /sim/stats the tests read.
type simStats struct {
	PatchRequests int            `json:"patchRequests"`
	PatchByStatus map[string]int `json:"patchByStatus"`
	Interactions  int            `json:"interactions"`
}

// simInteraction is GET /sim/interactions/{id}.
type simInteraction struct {
	Count int `json:"count"`
	Last  struct {
		WrapUpCode  string `json:"wrapUpCode"`
		RoutingData struct {
			Skill string `json:"skill"`
		} `json:"routingData"`
	} `json:"last"`
}

var errNotFound = errors.New("not found")

func (c *simClient) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return json.NewDecoder(resp.Body).Decode(v)
	case http.StatusNotFound:
		return errNotFound
	default:
		return fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
}

func (c *simClient) stats(ctx context.Context) (simStats, error) {
	var st simStats
	err := c.getJSON(ctx, "/sim/stats", &st)
	return st, err
}

// fault scripts status for the next count PATCH requests of any interaction.
func (c *simClient) fault(ctx context.Context, status, count int) error {
	body := fmt.Sprintf(`{"status":%d,"retryAfter":"1","count":%d}`, status, count)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/sim/faults", bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST /sim/faults: status %d, want 201", resp.StatusCode)
	}
	return nil
}

// appliedResult compares the simulator's interactions with the webhooks.
type appliedResult struct {
	applied    int // interactions with the expected skill
	missing    []string
	wrong      []string // interactions updated with another skill
	duplicates int      // PATCHes beyond the first per interaction
}

// waitApplied polls the simulator until every webhook's interaction has the
// expected routing, or until timeout, and returns what it found last.
func (c *simClient) waitApplied(ctx context.Context, t *testing.T, hooks []webhook, timeout time.Duration) appliedResult {
	t.Helper()
	deadline := time.Now().Add(timeout)

	// The interaction count in /sim/stats is a cheap gate before reading
	// every interaction.
	for time.Now().Before(deadline) {
		st, err := c.stats(ctx)
		if err == nil && st.Interactions >= len(hooks) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}

	for {
		result := c.check(ctx, hooks)
		if len(result.missing) == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return result
		}
		time.Sleep(time.Second)
	}
}

// check reads every webhook's interaction from the simulator.
func (c *simClient) check(ctx context.Context, hooks []webhook) appliedResult {
	var (
		mu     sync.Mutex
		result appliedResult
		next   = make(chan webhook)
		wg     sync.WaitGroup
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range next {
				var got simInteraction
				err := c.getJSON(ctx, "/sim/interactions/"+h.interactionID, &got)
				mu.Lock()
				switch {
				case err != nil || got.Count == 0:
					result.missing = append(result.missing, h.interactionID)
				case got.Last.RoutingData.Skill != h.wantSkill:
					result.wrong = append(result.wrong, fmt.Sprintf("%s: skill %q, want %q", h.interactionID, got.Last.RoutingData.Skill, h.wantSkill))
				default:
					result.applied++
					result.duplicates += got.Count - 1
				}
				mu.Unlock()
			}
		}()
	}
	for _, h := range hooks {
		next <- h
	}
	close(next)
	wg.Wait()
	return result
}

// requireAllApplied fails the test unless every webhook was accepted and
// applied with the expected routing.
func requireAllApplied(t *testing.T, sent sendResult, applied appliedResult, total int) {
	t.Helper()
	if sent.rejected > 0 {
		t.Errorf("%d of %d webhooks were not accepted; first: %s", sent.rejected, total, sent.firstError)
	}
	if len(applied.missing) > 0 {
		t.Errorf("%d accepted webhooks were never applied in CXone, e.g. %v", len(applied.missing), applied.missing[:min(5, len(applied.missing))])
	}
	if len(applied.wrong) > 0 {
		t.Errorf("%d interactions got the wrong routing, e.g. %v", len(applied.wrong), applied.wrong[:min(5, len(applied.wrong))])
	}
	if applied.applied != total {
		t.Errorf("applied %d of %d webhooks", applied.applied, total)
	}
}
