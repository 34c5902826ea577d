package cxone_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cxrouter/router/cxone"
	"github.com/cxrouter/router/cxone/cxonesim"
)

const sampleID = "interaction-uuid-from-previous-step"

var sampleUpdate = cxone.Update{
	WrapUpCode: "Sales Transfer",
	RoutingData: cxone.RoutingData{
		Priority: 1,
		Skill:    "Sales-Premium",
		Fields:   map[string]string{"customField": "Interest: PremiumPackage"},
	},
}

// fastRetry keeps the package's test time low.
var fastRetry = cxone.RetryPolicy{
	InitialInterval: 5 * time.Millisecond,
	MaxInterval:     20 * time.Millisecond,
	MaxElapsedTime:  5 * time.Second,
	MaxAttempts:     6,
}

func startSim(t *testing.T, cfg cxonesim.Config) (*cxonesim.Sim, *httptest.Server) {
	t.Helper()
	if cfg.ClientID == "" {
		cfg.ClientID, cfg.ClientSecret = "router", "s3cret"
	}
	sim := cxonesim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv
}

func newClient(t *testing.T, baseURL string, change func(*cxone.Config)) *cxone.Client {
	t.Helper()
	cfg := cxone.Config{
		BaseURL:        baseURL,
		ClientID:       "router",
		ClientSecret:   "s3cret",
		RequestTimeout: 2 * time.Second,
		Retry:          fastRetry,
	}
	if change != nil {
		change(&cfg)
	}
	client, err := cxone.NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return client
}

func patches(sim *cxonesim.Sim) []cxonesim.Request {
	var out []cxonesim.Request
	for _, r := range sim.Requests() {
		if r.Method == http.MethodPatch {
			out = append(out, r)
		}
	}
	return out
}

func asError(t *testing.T, err error) *cxone.Error {
	t.Helper()
	var e *cxone.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *cxone.Error", err, err)
	}
	return e
}

func TestUpdateInteractionSendsContractBody(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, nil)

	res, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate)
	if err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}
	if res.Status != http.StatusOK || res.Attempts != 1 {
		t.Errorf("result = %+v, want status 200 after 1 attempt", res)
	}

	got := patches(sim)
	if len(got) != 1 {
		t.Fatalf("sim received %d PATCH requests, want 1", len(got))
	}
	if want := "/api/v2/interactions/" + sampleID; got[0].Path != want {
		t.Errorf("PATCH path = %q, want %q", got[0].Path, want)
	}

	state, ok := sim.Interaction(sampleID)
	if !ok {
		t.Fatalf("sim has no state for %q", sampleID)
	}
	var body, want any
	if err := json.Unmarshal(state.Last, &body); err != nil {
		t.Fatalf("stored body %s: %v", state.Last, err)
	}
	wantJSON := `{"wrapUpCode":"Sales Transfer","routingData":{"priority":1,"skill":"Sales-Premium","customField":"Interest: PremiumPackage"}}`
	if err := json.Unmarshal([]byte(wantJSON), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("PATCH body = %s, want %s", state.Last, wantJSON)
	}
}

func TestUpdateInteractionEscapesID(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, nil)

	id := "a/b c"
	if _, err := client.UpdateInteraction(context.Background(), id, sampleUpdate); err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}
	if _, ok := sim.Interaction(id); !ok {
		t.Errorf("sim has no state for %q", id)
	}
	if got := patches(sim)[0].Path; got != "/api/v2/interactions/a%2Fb%20c" {
		t.Errorf("PATCH path = %q, want the id path-escaped", got)
	}
}

func TestUpdateInteractionHonoursRetryAfter(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, nil)
	if err := sim.InjectFault(cxonesim.Fault{Status: http.StatusTooManyRequests, RetryAfter: "2"}); err != nil {
		t.Fatal(err)
	}

	res, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate)
	if err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}
	if res.Attempts != 2 {
		t.Errorf("attempts = %d, want 2", res.Attempts)
	}

	got := patches(sim)
	if len(got) != 2 {
		t.Fatalf("sim received %d PATCH requests, want 2", len(got))
	}
	if got[0].Status != http.StatusTooManyRequests || got[1].Status != http.StatusOK {
		t.Errorf("statuses = %d, %d, want 429, 200", got[0].Status, got[1].Status)
	}
	if gap := got[1].Received.Sub(got[0].Answered); gap < 2*time.Second {
		t.Errorf("retry came %v after the 429, want at least 2s", gap)
	}
}

func TestUpdateInteractionRetryAfterBeyondBudget(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, func(c *cxone.Config) { c.Retry.MaxElapsedTime = time.Second })
	if err := sim.InjectFault(cxonesim.Fault{Status: http.StatusTooManyRequests, RetryAfter: "30"}); err != nil {
		t.Fatal(err)
	}

	res, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate)
	if !errors.Is(err, cxone.ErrTransient) {
		t.Fatalf("error = %v, want ErrTransient", err)
	}
	if res.Attempts != 1 {
		t.Errorf("attempts = %d, want 1", res.Attempts)
	}
	if res.Elapsed > 5*time.Second {
		t.Errorf("call took %v, want it to return without waiting for Retry-After", res.Elapsed)
	}
	wait, ok := cxone.RetryAfterOf(err)
	if !ok || wait < 25*time.Second || wait > 30*time.Second {
		t.Errorf("RetryAfterOf = %v, %v, want about 30s", wait, ok)
	}
	if e := asError(t, err); e.Status != http.StatusTooManyRequests {
		t.Errorf("Error.Status = %d, want 429", e.Status)
	}
}

func TestUpdateInteractionPauseSharedByClient(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, func(c *cxone.Config) { c.Retry.MaxElapsedTime = 5 * time.Second })
	if err := sim.InjectFault(cxonesim.Fault{InteractionID: "first", Status: http.StatusTooManyRequests, RetryAfter: "1"}); err != nil {
		t.Fatal(err)
	}

	firstDone := make(chan error, 1)
	go func() {
		_, err := client.UpdateInteraction(context.Background(), "first", sampleUpdate)
		firstDone <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for client.PausedUntil().IsZero() {
		if time.Now().After(deadline) {
			t.Fatal("client did not pause after the 429")
		}
		time.Sleep(5 * time.Millisecond)
	}

	if _, err := client.UpdateInteraction(context.Background(), "second", sampleUpdate); err != nil {
		t.Fatalf("second update: %v", err)
	}
	if err := <-firstDone; err != nil {
		t.Fatalf("first update: %v", err)
	}

	var answered429, secondReceived time.Time
	for _, r := range patches(sim) {
		if r.Status == http.StatusTooManyRequests {
			answered429 = r.Answered
		}
		if r.InteractionID == "second" {
			secondReceived = r.Received
		}
	}
	if gap := secondReceived.Sub(answered429); gap < time.Second {
		t.Errorf("other interaction was sent %v after the 429, want at least the 1s Retry-After", gap)
	}
}

func TestUpdateInteractionPausedBeyondBudget(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, func(c *cxone.Config) { c.Retry.MaxElapsedTime = time.Second })
	if err := sim.InjectFault(cxonesim.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "20"}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UpdateInteraction(context.Background(), "first", sampleUpdate); !errors.Is(err, cxone.ErrTransient) {
		t.Fatalf("first update error = %v, want ErrTransient", err)
	}

	res, err := client.UpdateInteraction(context.Background(), "second", sampleUpdate)
	if !errors.Is(err, cxone.ErrTransient) {
		t.Fatalf("second update error = %v, want ErrTransient", err)
	}
	if res.Attempts != 0 {
		t.Errorf("second update attempts = %d, want 0 while paused", res.Attempts)
	}
	if wait, ok := cxone.RetryAfterOf(err); !ok || wait < 15*time.Second {
		t.Errorf("RetryAfterOf = %v, %v, want about 20s", wait, ok)
	}
	if n := len(patches(sim)); n != 1 {
		t.Errorf("sim received %d PATCH requests, want 1", n)
	}
}

func TestUpdateInteractionRefreshesRevokedToken(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, nil)
	ctx := context.Background()

	if _, err := client.UpdateInteraction(ctx, sampleID, sampleUpdate); err != nil {
		t.Fatalf("first update: %v", err)
	}
	sim.RevokeTokens()
	res, err := client.UpdateInteraction(ctx, sampleID, sampleUpdate)
	if err != nil {
		t.Fatalf("update after revoke: %v", err)
	}

	if res.Attempts != 2 {
		t.Errorf("attempts = %d, want 2 (401, then 200)", res.Attempts)
	}
	if got := client.TokenFetches(); got != 2 {
		t.Errorf("TokenFetches = %d, want 2", got)
	}
	if got := sim.Stats().TokensIssued; got != 2 {
		t.Errorf("sim issued %d tokens, want 2", got)
	}
}

func TestUpdateInteractionSecond401IsAuthError(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, nil)
	if err := sim.InjectFault(cxonesim.Fault{Status: http.StatusUnauthorized, Count: 2}); err != nil {
		t.Fatal(err)
	}

	res, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate)
	if !cxone.IsAuth(err) {
		t.Fatalf("error = %v, want ErrAuth", err)
	}
	if cxone.IsPermanent(err) {
		t.Errorf("IsPermanent = true for %v, want false", err)
	}
	if res.Attempts != 2 {
		t.Errorf("attempts = %d, want 2", res.Attempts)
	}
	if got := client.TokenFetches(); got != 2 {
		t.Errorf("TokenFetches = %d, want 2", got)
	}
}

func TestUpdateInteractionPermanentStatuses(t *testing.T) {
	for _, status := range []int{400, 403, 404, 409, 422} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			sim, srv := startSim(t, cxonesim.Config{})
			client := newClient(t, srv.URL, nil)
			if err := sim.InjectFault(cxonesim.Fault{Status: status, Count: 5}); err != nil {
				t.Fatal(err)
			}

			res, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate)
			if !cxone.IsPermanent(err) {
				t.Fatalf("error = %v, want permanent", err)
			}
			if res.Attempts != 1 {
				t.Errorf("attempts = %d, want 1", res.Attempts)
			}
			if n := len(patches(sim)); n != 1 {
				t.Errorf("sim received %d PATCH requests, want 1", n)
			}
			e := asError(t, err)
			if e.Status != status || e.InteractionID != sampleID || e.Attempts != 1 {
				t.Errorf("Error = %+v, want status %d, interaction %q, 1 attempt", e, status, sampleID)
			}
			if e.Body == "" {
				t.Error("Error.Body is empty, want the start of the response body")
			}
		})
	}
}

func TestUpdateInteractionStrictUnknownIs404(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{Strict: true})
	client := newClient(t, srv.URL, nil)

	_, err := client.UpdateInteraction(context.Background(), "unknown-id", sampleUpdate)
	if !cxone.IsPermanent(err) {
		t.Fatalf("error = %v, want permanent", err)
	}
	if e := asError(t, err); e.Status != http.StatusNotFound {
		t.Errorf("status = %d, want 404", e.Status)
	}
	for _, want := range []string{`"unknown-id"`, "404", "1 attempt"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not contain %q", err, want)
		}
	}

	sim.AddInteraction("known-id")
	if _, err := client.UpdateInteraction(context.Background(), "known-id", sampleUpdate); err != nil {
		t.Errorf("update of a registered interaction: %v", err)
	}
}

func TestUpdateInteractionRetriesTransientStatuses(t *testing.T) {
	for _, status := range []int{408, 425, 429, 500, 502, 503, 504} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			sim, srv := startSim(t, cxonesim.Config{})
			client := newClient(t, srv.URL, nil)
			if err := sim.InjectFault(cxonesim.Fault{Status: status, Count: 2}); err != nil {
				t.Fatal(err)
			}

			res, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate)
			if err != nil {
				t.Fatalf("UpdateInteraction: %v", err)
			}
			if res.Attempts != 3 {
				t.Errorf("attempts = %d, want 3", res.Attempts)
			}
			if state, _ := sim.Interaction(sampleID); state.Count != 1 {
				t.Errorf("stored update count = %d, want 1", state.Count)
			}
		})
	}
}

func TestUpdateInteractionStopsAtMaxAttempts(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, func(c *cxone.Config) { c.Retry.MaxAttempts = 3 })
	if err := sim.InjectFault(cxonesim.Fault{Status: http.StatusInternalServerError, Count: 10}); err != nil {
		t.Fatal(err)
	}

	res, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate)
	if !errors.Is(err, cxone.ErrTransient) {
		t.Fatalf("error = %v, want ErrTransient", err)
	}
	if res.Attempts != 3 {
		t.Errorf("attempts = %d, want 3", res.Attempts)
	}
	if _, ok := cxone.RetryAfterOf(err); ok {
		t.Error("RetryAfterOf reports a wait, but the server sent no Retry-After")
	}
}

func TestUpdateInteractionRetriesDroppedConnection(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, nil)
	if err := sim.InjectFault(cxonesim.Fault{Drop: true}); err != nil {
		t.Fatal(err)
	}

	res, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate)
	if err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}
	if res.Attempts != 2 {
		t.Errorf("attempts = %d, want 2", res.Attempts)
	}
	if got := sim.Stats().Dropped; got != 1 {
		t.Errorf("sim dropped %d connections, want 1", got)
	}
}

func TestUpdateInteractionRetriesRequestTimeout(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, func(c *cxone.Config) { c.RequestTimeout = 100 * time.Millisecond })
	if err := sim.InjectFault(cxonesim.Fault{Latency: time.Second}); err != nil {
		t.Fatal(err)
	}

	res, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate)
	if err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}
	if res.Attempts != 2 {
		t.Errorf("attempts = %d, want 2", res.Attempts)
	}
}

func TestUpdateInteractionTimeoutIsTransient(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, func(c *cxone.Config) {
		c.RequestTimeout = 50 * time.Millisecond
		c.Retry.MaxAttempts = 2
	})
	if err := sim.InjectFault(cxonesim.Fault{Latency: time.Second, Count: 10}); err != nil {
		t.Fatal(err)
	}

	res, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate)
	if !errors.Is(err, cxone.ErrTransient) {
		t.Fatalf("error = %v, want ErrTransient", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want it to wrap context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "timed out") {
		t.Errorf("message %q does not say the request timed out", err)
	}
	if res.Attempts != 2 {
		t.Errorf("attempts = %d, want 2", res.Attempts)
	}
}

func TestUpdateInteractionHonoursContext(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, nil)
	if err := sim.InjectFault(cxonesim.Fault{Status: http.StatusTooManyRequests, RetryAfter: "3"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()

	res, err := client.UpdateInteraction(ctx, sampleID, sampleUpdate)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want context.DeadlineExceeded", err)
	}
	if !errors.Is(err, cxone.ErrTransient) {
		t.Errorf("error = %v, want ErrTransient", err)
	}
	if res.Elapsed >= 3*time.Second {
		t.Errorf("call took %v, want it to stop when ctx expired", res.Elapsed)
	}
}

func TestUpdateInteractionCachesToken(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, nil)

	for i := range 100 {
		if _, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	if got := client.TokenFetches(); got != 1 {
		t.Errorf("TokenFetches = %d, want 1", got)
	}
	if got := sim.Stats().TokenRequests; got != 1 {
		t.Errorf("sim token requests = %d, want 1", got)
	}
}

func TestUpdateInteractionConcurrentColdCache(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{Latency: 20 * time.Millisecond})
	client := newClient(t, srv.URL, nil)

	var wg sync.WaitGroup
	var failures atomic.Int64
	for i := range 50 {
		wg.Go(func() {
			id := "interaction-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
			if _, err := client.UpdateInteraction(context.Background(), id, sampleUpdate); err != nil {
				failures.Add(1)
				t.Errorf("update %s: %v", id, err)
			}
		})
	}
	wg.Wait()

	if failures.Load() == 0 && sim.Stats().PatchByStatus[200] != 50 {
		t.Errorf("sim answered %d PATCH requests with 200, want 50", sim.Stats().PatchByStatus[200])
	}
	if got := client.TokenFetches(); got != 1 {
		t.Errorf("TokenFetches = %d, want 1", got)
	}
	if got := sim.Stats().TokenRequests; got != 1 {
		t.Errorf("sim token requests = %d, want 1", got)
	}
}

func TestUpdateInteractionRefreshesTokenBeforeExpiry(t *testing.T) {
	tests := []struct {
		name  string
		ttl   time.Duration
		sleep time.Duration
	}{
		// 61 s lives 1 s past the 60 s refresh margin.
		{"within margin after 1s", 61 * time.Second, 1100 * time.Millisecond},
		// A token that lives 60 s or less is never cached.
		{"short-lived never cached", 30 * time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := startSim(t, cxonesim.Config{TokenTTL: tt.ttl})
			client := newClient(t, srv.URL, nil)

			if _, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate); err != nil {
				t.Fatalf("first update: %v", err)
			}
			time.Sleep(tt.sleep)
			if _, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate); err != nil {
				t.Fatalf("second update: %v", err)
			}
			if got := client.TokenFetches(); got != 2 {
				t.Errorf("TokenFetches = %d, want 2", got)
			}
		})
	}
}

func TestUpdateInteractionBadCredentials(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, func(c *cxone.Config) { c.ClientSecret = "wrong-secret" })

	res, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate)
	if !cxone.IsAuth(err) {
		t.Fatalf("error = %v, want ErrAuth", err)
	}
	if cxone.IsPermanent(err) {
		t.Errorf("bad credentials reported as permanent: %v", err)
	}
	e := asError(t, err)
	if e.Op != "token" || e.Status != http.StatusUnauthorized {
		t.Errorf("Error op %q status %d, want token 401", e.Op, e.Status)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("message %q contains the client secret", err)
	}
	if res.Attempts != 1 {
		t.Errorf("attempts = %d, want 1", res.Attempts)
	}
	if n := len(patches(sim)); n != 0 {
		t.Errorf("sim received %d PATCH requests, want 0", n)
	}
}

func TestUpdateInteractionConcurrentBadCredentials(t *testing.T) {
	_, srv := startSim(t, cxonesim.Config{Latency: 20 * time.Millisecond})
	client := newClient(t, srv.URL, func(c *cxone.Config) { c.ClientSecret = "wrong-secret" })

	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			id := fmt.Sprintf("interaction-%d", i)
			_, err := client.UpdateInteraction(context.Background(), id, sampleUpdate)
			if !cxone.IsAuth(err) {
				t.Errorf("%s: error = %v, want ErrAuth", id, err)
				return
			}
			var e *cxone.Error
			if errors.As(err, &e) && e.InteractionID != id {
				t.Errorf("error names interaction %q, want %q", e.InteractionID, id)
			}
		})
	}
	wg.Wait()
}

func TestUpdateInteractionTokenEndpointUnavailable(t *testing.T) {
	sim := cxonesim.New(cxonesim.Config{})
	var failuresLeft atomic.Int64
	failuresLeft.Store(2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v2/oauth/token" && failuresLeft.Add(-1) >= 0 {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	client := newClient(t, srv.URL, nil)

	res, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate)
	if err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}
	if res.Attempts != 3 {
		t.Errorf("attempts = %d, want 3", res.Attempts)
	}
	if got := client.TokenFetches(); got != 3 {
		t.Errorf("TokenFetches = %d, want 3", got)
	}
}

func TestUpdateInteractionErrorBodyOmitsToken(t *testing.T) {
	sim := cxonesim.New(cxonesim.Config{})
	var sentToken atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			sentToken.Store(token)
			http.Error(w, "bad request with token "+token, http.StatusBadRequest)
			return
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	client := newClient(t, srv.URL, nil)

	_, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate)
	e := asError(t, err)
	token, _ := sentToken.Load().(string)
	if token == "" {
		t.Fatal("no PATCH with a bearer token reached the server")
	}
	if strings.Contains(e.Body, token) {
		t.Errorf("Error.Body = %q contains the bearer token", e.Body)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("message %q contains the bearer token", err)
	}
	if want := "bad request with token [token removed]"; e.Body != want {
		t.Errorf("Error.Body = %q, want %q", e.Body, want)
	}
}

func TestUpdateInteractionRejectsReservedField(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, nil)
	u := sampleUpdate
	u.RoutingData.Fields = map[string]string{"Priority": "9"}

	res, err := client.UpdateInteraction(context.Background(), sampleID, u)
	if !cxone.IsPermanent(err) {
		t.Fatalf("error = %v, want permanent", err)
	}
	if res.Attempts != 0 {
		t.Errorf("attempts = %d, want 0", res.Attempts)
	}
	if n := len(sim.Requests()); n != 0 {
		t.Errorf("sim received %d requests, want 0", n)
	}
}

func TestUpdateInteractionMaxRPS(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, func(c *cxone.Config) { c.MaxRPS = 5 })

	for i := range 8 {
		if _, err := client.UpdateInteraction(context.Background(), sampleID, sampleUpdate); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	got := patches(sim)
	// A burst of 5 goes at once; the next 3 wait 200 ms each.
	if span := got[len(got)-1].Received.Sub(got[0].Received); span < 500*time.Millisecond {
		t.Errorf("8 PATCH requests at MaxRPS 5 spanned %v, want at least 500ms", span)
	}
}
