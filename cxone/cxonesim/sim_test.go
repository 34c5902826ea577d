package cxonesim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cxrouter/router/cxone/cxonesim"
)

const validBody = `{"wrapUpCode":"Sales Transfer","routingData":{"priority":1,"skill":"Sales-Premium","customField":"Interest: PremiumPackage"}}`

func start(t *testing.T, cfg cxonesim.Config) (*cxonesim.Sim, string) {
	t.Helper()
	if cfg.ClientID == "" {
		cfg.ClientID, cfg.ClientSecret = "router", "s3cret"
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	sim := cxonesim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL
}

// requestToken sends a token request and returns the response and its
// decoded JSON body.
func requestToken(t *testing.T, base, user, password, contentType, form string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/api/v2/oauth/token", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	return resp, body
}

func getToken(t *testing.T, base string) string {
	t.Helper()
	resp, body := requestToken(t, base, "router", "s3cret", "application/x-www-form-urlencoded", "grant_type=client_credentials&scope=interaction:update+interaction:read")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token status = %d, body %v", resp.StatusCode, body)
	}
	token, _ := body["access_token"].(string)
	return token
}

func patch(t *testing.T, base, id, token, contentType, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPatch, base+"/api/v2/interactions/"+url.PathEscape(id), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

func control(t *testing.T, method, target, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

func TestTokenEndpoint(t *testing.T) {
	_, base := start(t, cxonesim.Config{TokenTTL: 90 * time.Second})
	form := "application/x-www-form-urlencoded"
	grant := "grant_type=client_credentials"

	tests := []struct {
		name        string
		user, pass  string
		contentType string
		form        string
		wantStatus  int
		wantError   string
	}{
		{"valid", "router", "s3cret", form, grant, 200, ""},
		{"wrong secret", "router", "wrong", form, grant, 401, "invalid_client"},
		{"no credentials", "", "", form, grant, 401, "invalid_client"},
		{"password grant", "router", "s3cret", form, "grant_type=password", 400, "unsupported_grant_type"},
		{"no grant type", "router", "s3cret", form, "scope=interaction:update", 400, "invalid_request"},
		{"JSON body", "router", "s3cret", "application/json", `{"grant_type":"client_credentials"}`, 400, "invalid_request"},
		{"unknown scope", "router", "s3cret", form, grant + "&scope=admin", 400, "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := requestToken(t, base, tt.user, tt.pass, tt.contentType, tt.form)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %v)", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantError != "" {
				if body["error"] != tt.wantError {
					t.Errorf("error = %v, want %q", body["error"], tt.wantError)
				}
				return
			}
			if token, _ := body["access_token"].(string); len(token) < 32 {
				t.Errorf("access_token = %q, want a random token", token)
			}
			if body["token_type"] != "Bearer" {
				t.Errorf("token_type = %v, want Bearer", body["token_type"])
			}
			if body["expires_in"] != float64(90) {
				t.Errorf("expires_in = %v, want 90", body["expires_in"])
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
		})
	}
}

func TestTokenEndpointAnyCredentials(t *testing.T) {
	sim := cxonesim.New(cxonesim.Config{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)

	resp, _ := requestToken(t, srv.URL, "anyone", "anything", "application/x-www-form-urlencoded", "grant_type=client_credentials")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status with any credentials = %d, want 200", resp.StatusCode)
	}
	resp, _ = requestToken(t, srv.URL, "", "", "application/x-www-form-urlencoded", "grant_type=client_credentials")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status without credentials = %d, want 401", resp.StatusCode)
	}
}

func TestPatchBearerChecks(t *testing.T) {
	sim, base := start(t, cxonesim.Config{TokenTTL: time.Second})

	resp, _ := patch(t, base, "i1", "", "application/json", validBody)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: status = %d, want 401", resp.StatusCode)
	}
	if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
		t.Errorf("no token: WWW-Authenticate = %q, want a Bearer challenge", got)
	}

	resp, _ = patch(t, base, "i1", "made-up-token", "application/json", validBody)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown token: status = %d, want 401", resp.StatusCode)
	}

	token := getToken(t, base)
	resp, _ = patch(t, base, "i1", token, "application/json", validBody)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("live token: status = %d, want 200", resp.StatusCode)
	}

	time.Sleep(1100 * time.Millisecond)
	resp, _ = patch(t, base, "i1", token, "application/json", validBody)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("expired token: status = %d, want 401", resp.StatusCode)
	}

	token = getToken(t, base)
	sim.RevokeTokens()
	resp, _ = patch(t, base, "i1", token, "application/json", validBody)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked token: status = %d, want 401", resp.StatusCode)
	}
}

func TestPatchReadOnlyScopeIs403(t *testing.T) {
	_, base := start(t, cxonesim.Config{})
	_, body := requestToken(t, base, "router", "s3cret", "application/x-www-form-urlencoded", "grant_type=client_credentials&scope=interaction:read")
	token, _ := body["access_token"].(string)

	resp, errBody := patch(t, base, "i1", token, "application/json", validBody)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status = %d, want 403", resp.StatusCode)
	}
	if errBody["error"] != "insufficient_scope" {
		t.Errorf("error = %v, want insufficient_scope", errBody["error"])
	}
}

func TestPatchValidation(t *testing.T) {
	_, base := start(t, cxonesim.Config{})
	token := getToken(t, base)

	tests := []struct {
		name        string
		contentType string
		body        string
		want        int
	}{
		{"valid", "application/json", validBody, 200},
		{"valid with charset", "application/json; charset=utf-8", validBody, 200},
		{"empty routingData", "application/json", `{"wrapUpCode":"x","routingData":{}}`, 200},
		{"form body", "application/x-www-form-urlencoded", "wrapUpCode=x", 415},
		{"no content type", "", validBody, 415},
		{"array", "application/json", `[]`, 400},
		{"not JSON", "application/json", `{"wrapUpCode":`, 400},
		{"null", "application/json", `null`, 400},
		{"missing wrapUpCode", "application/json", `{"routingData":{}}`, 400},
		{"numeric wrapUpCode", "application/json", `{"wrapUpCode":7,"routingData":{}}`, 400},
		{"missing routingData", "application/json", `{"wrapUpCode":"x"}`, 400},
		{"string routingData", "application/json", `{"wrapUpCode":"x","routingData":"y"}`, 400},
		{"string priority", "application/json", `{"wrapUpCode":"x","routingData":{"priority":"1"}}`, 400},
		{"fractional priority", "application/json", `{"wrapUpCode":"x","routingData":{"priority":1.5}}`, 400},
		{"numeric skill", "application/json", `{"wrapUpCode":"x","routingData":{"skill":3}}`, 400},
		{"unknown member", "application/json", `{"wrapupCode":"x","wrapUpCode":"x","routingData":{}}`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := patch(t, base, "i1", token, tt.contentType, tt.body)
			if resp.StatusCode != tt.want {
				t.Errorf("status = %d, want %d (body %v)", resp.StatusCode, tt.want, body)
			}
		})
	}
}

func TestPatchStoresUpdate(t *testing.T) {
	sim, base := start(t, cxonesim.Config{})
	token := getToken(t, base)

	patch(t, base, "i1", token, "application/json", `{"wrapUpCode":"first","routingData":{}}`)
	resp, body := patch(t, base, "i1", token, "application/json", validBody)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	if body["interactionId"] != "i1" || body["count"] != float64(2) {
		t.Errorf("answer = %v, want interaction i1 with count 2", body)
	}

	state, ok := sim.Interaction("i1")
	if !ok {
		t.Fatal("Interaction(i1) not found")
	}
	if string(state.Last) != validBody {
		t.Errorf("Last = %s, want %s", state.Last, validBody)
	}
	if state.UpdatedAt.IsZero() {
		t.Error("UpdatedAt is zero")
	}

	resp, body = control(t, http.MethodGet, base+"/sim/interactions/i1", "")
	if resp.StatusCode != http.StatusOK || body["count"] != float64(2) {
		t.Errorf("GET /sim/interactions/i1 = %d %v, want 200 with count 2", resp.StatusCode, body)
	}
	last, _ := body["last"].(map[string]any)
	if last["wrapUpCode"] != "Sales Transfer" {
		t.Errorf("last = %v, want the second PATCH body", body["last"])
	}
	resp, _ = control(t, http.MethodGet, base+"/sim/interactions/unknown", "")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET of an unknown interaction = %d, want 404", resp.StatusCode)
	}
}

func TestPatchStrictMode(t *testing.T) {
	sim, base := start(t, cxonesim.Config{Strict: true})
	token := getToken(t, base)

	resp, _ := patch(t, base, "unknown", token, "application/json", validBody)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown interaction: status = %d, want 404", resp.StatusCode)
	}

	resp, _ = control(t, http.MethodPut, base+"/sim/interactions/known", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT /sim/interactions/known = %d, want 200", resp.StatusCode)
	}
	resp, _ = patch(t, base, "known", token, "application/json", validBody)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("registered interaction: status = %d, want 200", resp.StatusCode)
	}

	sim.AddInteraction("also-known")
	resp, _ = patch(t, base, "also-known", token, "application/json", validBody)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("interaction added in Go: status = %d, want 200", resp.StatusCode)
	}
}

func TestScriptedFaults(t *testing.T) {
	sim, base := start(t, cxonesim.Config{})
	token := getToken(t, base)

	resp, _ := control(t, http.MethodPost, base+"/sim/faults", `{"interactionId":"i1","status":503,"retryAfter":"2","count":2}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /sim/faults = %d, want 201", resp.StatusCode)
	}

	resp, _ = patch(t, base, "other", token, "application/json", validBody)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("other interaction: status = %d, want 200", resp.StatusCode)
	}
	for i := range 2 {
		resp, _ = patch(t, base, "i1", token, "application/json", validBody)
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("faulted request %d: status = %d, want 503", i, resp.StatusCode)
		}
		if got := resp.Header.Get("Retry-After"); got != "2" {
			t.Errorf("faulted request %d: Retry-After = %q, want 2", i, got)
		}
	}
	resp, _ = patch(t, base, "i1", token, "application/json", validBody)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after the faults: status = %d, want 200", resp.StatusCode)
	}

	stats := sim.Stats()
	if stats.PatchByStatus[503] != 2 || stats.PatchByStatus[200] != 2 || stats.FaultsInjected != 2 {
		t.Errorf("stats = %+v, want 2 × 503, 2 × 200, 2 faults", stats)
	}
}

func TestScriptedFaultRejectsInvalid(t *testing.T) {
	_, base := start(t, cxonesim.Config{})
	for _, body := range []string{
		`{"status":200}`,
		`{"status":429,"latency":"soon"}`,
		`{"status":429,"retry_after":"2"}`,
		`{"count":3}`,
		`{"status":500,"drop":true}`,
	} {
		resp, _ := control(t, http.MethodPost, base+"/sim/faults", body)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("POST /sim/faults %s = %d, want 400", body, resp.StatusCode)
		}
	}
}

func TestScriptedFaultLatencyAndDrop(t *testing.T) {
	sim, base := start(t, cxonesim.Config{})
	token := getToken(t, base)
	if err := sim.InjectFault(cxonesim.Fault{Latency: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if err := sim.InjectFault(cxonesim.Fault{Drop: true}); err != nil {
		t.Fatal(err)
	}

	resp, _ := patch(t, base, "i1", token, "application/json", validBody)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("delayed request: status = %d, want 200", resp.StatusCode)
	}

	req, _ := http.NewRequest(http.MethodPatch, base+"/api/v2/interactions/i1", strings.NewReader(validBody))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("dropped request got status %d, want a connection error", resp.StatusCode)
	}

	reqs := sim.Requests()
	delayed, dropped := reqs[1], reqs[2]
	if got := delayed.Answered.Sub(delayed.Received); got < 200*time.Millisecond {
		t.Errorf("delayed request answered after %v, want at least 200ms", got)
	}
	if !dropped.Dropped || dropped.Status != 0 {
		t.Errorf("dropped request recorded as %+v, want Dropped and status 0", dropped)
	}
	if got := sim.Stats().Dropped; got != 1 {
		t.Errorf("Stats.Dropped = %d, want 1", got)
	}
}

func TestRandomFaultsRepeatWithSeed(t *testing.T) {
	run := func() []int {
		sim, base := start(t, cxonesim.Config{Seed: 42, Rate429: 0.3, Rate5xx: 0.3, RetryAfter: "3"})
		token := getToken(t, base)
		for range 30 {
			patch(t, base, "i1", token, "application/json", validBody)
		}
		var statuses []int
		for _, r := range sim.Requests() {
			if r.Method == http.MethodPatch {
				statuses = append(statuses, r.Status)
			}
		}
		return statuses
	}

	first, second := run(), run()
	if len(first) != 30 || len(second) != 30 {
		t.Fatalf("recorded %d and %d PATCH requests, want 30 each", len(first), len(second))
	}
	counts := map[int]int{}
	for i := range first {
		if first[i] != second[i] {
			t.Fatalf("request %d: status %d then %d with the same seed", i, first[i], second[i])
		}
		counts[first[i]]++
	}
	if counts[429] == 0 || counts[200] == 0 || counts[500]+counts[503] == 0 {
		t.Errorf("status counts = %v, want a mix of 200, 429 and 5xx at these rates", counts)
	}
}

func TestStatsAndReset(t *testing.T) {
	sim, base := start(t, cxonesim.Config{})
	token := getToken(t, base)
	requestToken(t, base, "router", "wrong", "application/x-www-form-urlencoded", "grant_type=client_credentials")
	patch(t, base, "i1", token, "application/json", validBody)
	patch(t, base, "i1", "bad", "application/json", validBody)

	resp, body := control(t, http.MethodGet, base+"/sim/stats", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /sim/stats = %d", resp.StatusCode)
	}
	if body["tokenRequests"] != float64(2) || body["tokensIssued"] != float64(1) || body["patchRequests"] != float64(2) {
		t.Errorf("stats = %v, want 2 token requests, 1 issued, 2 PATCH requests", body)
	}
	byStatus, _ := body["patchByStatus"].(map[string]any)
	if byStatus["200"] != float64(1) || byStatus["401"] != float64(1) {
		t.Errorf("patchByStatus = %v, want one 200 and one 401", byStatus)
	}

	resp, _ = control(t, http.MethodPost, base+"/sim/reset", "")
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /sim/reset = %d, want 204", resp.StatusCode)
	}
	if _, ok := sim.Interaction("i1"); ok {
		t.Error("interaction i1 survived Reset")
	}
	if stats := sim.Stats(); stats.TokenRequests != 0 || stats.PatchRequests != 0 {
		t.Errorf("stats after Reset = %+v, want zero", stats)
	}
	resp, _ = patch(t, base, "i1", token, "application/json", validBody)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("token issued before Reset: status = %d, want 401", resp.StatusCode)
	}
}

func TestRevokeEndpoint(t *testing.T) {
	_, base := start(t, cxonesim.Config{})
	token := getToken(t, base)

	resp, _ := control(t, http.MethodPost, base+"/sim/tokens/revoke", "")
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /sim/tokens/revoke = %d, want 204", resp.StatusCode)
	}
	resp, _ = patch(t, base, "i1", token, "application/json", validBody)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked token: status = %d, want 401", resp.StatusCode)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     cxonesim.Config
		wantErr string
	}{
		{"zero", cxonesim.Config{}, ""},
		{"credentials", cxonesim.Config{ClientID: "a", ClientSecret: "b"}, ""},
		{"id without secret", cxonesim.Config{ClientID: "a"}, "ClientSecret"},
		{"sub-second TTL", cxonesim.Config{TokenTTL: time.Millisecond}, "TokenTTL"},
		{"negative latency", cxonesim.Config{Latency: -time.Second}, "Latency"},
		{"rate above 1", cxonesim.Config{Rate429: 1.5}, "Rate429"},
		{"negative rate", cxonesim.Config{DropRate: -0.1}, "DropRate"},
		{"rates sum above 1", cxonesim.Config{Rate429: 0.6, Rate5xx: 0.6}, "exceeds 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate() = %v, want an error naming %q", err, tt.wantErr)
			}
		})
	}
}
