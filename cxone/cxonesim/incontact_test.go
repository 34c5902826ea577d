package cxonesim_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cxrouter/router/cxone/cxonesim"
)

const (
	simKeyID     = "AK=id"
	simKeySecret = "se=cr&et+"
	servicesPath = "/inContactAPI/services/v30.0"
)

func startInContact(t *testing.T, cfg cxonesim.Config) (*cxonesim.Sim, string) {
	t.Helper()
	cfg.AccessKeyID, cfg.AccessKeySecret = simKeyID, simKeySecret
	return start(t, cfg)
}

// passwordGrant sends a password grant to /auth/token with the sim's
// client credentials.
func passwordGrant(t *testing.T, base, username, password string) (*http.Response, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "username": {username}, "password": {password}}
	req, err := http.NewRequest(http.MethodPost, base+"/auth/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("router", "s3cret")
	return do(t, req)
}

func inContactToken(t *testing.T, base string) string {
	t.Helper()
	resp, body := passwordGrant(t, base, simKeyID, simKeySecret)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("password grant status = %d, body %v", resp.StatusCode, body)
	}
	token, _ := body["access_token"].(string)
	return token
}

func post(t *testing.T, target, token, contentType, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

// jwtClaims decodes the payload of a JWT without verifying it.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d parts, want a JWT with 3", token, len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return claims
}

func TestDiscoveryEndpoints(t *testing.T) {
	_, base := startInContact(t, cxonesim.Config{TenantID: "tenant-1"})

	resp, body := control(t, http.MethodGet, base+"/.well-known/openid-configuration", "")
	if resp.StatusCode != http.StatusOK || body["token_endpoint"] != base+"/auth/token" {
		t.Errorf("openid-configuration = %d %v, want token_endpoint %s/auth/token", resp.StatusCode, body, base)
	}

	resp, body = control(t, http.MethodGet, base+"/.well-known/cxone-configuration?tenantId=tenant-1", "")
	if resp.StatusCode != http.StatusOK || body["api_endpoint"] != base {
		t.Errorf("cxone-configuration = %d %v, want api_endpoint %s", resp.StatusCode, body, base)
	}
	resp, _ = control(t, http.MethodGet, base+"/.well-known/cxone-configuration?tenantId=other", "")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown tenant: status = %d, want 404", resp.StatusCode)
	}
	resp, _ = control(t, http.MethodGet, base+"/.well-known/cxone-configuration", "")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("missing tenantId: status = %d, want 400", resp.StatusCode)
	}
}

func TestSetAPIEndpoint(t *testing.T) {
	sim, base := startInContact(t, cxonesim.Config{APIEndpoint: "https://api-na1.example.test"})
	target := base + "/.well-known/cxone-configuration?tenantId=" + cxonesim.DefaultTenantID

	if _, body := control(t, http.MethodGet, target, ""); body["api_endpoint"] != "https://api-na1.example.test" {
		t.Errorf("api_endpoint = %v, want the configured one", body["api_endpoint"])
	}
	sim.SetAPIEndpoint("")
	if _, body := control(t, http.MethodGet, target, ""); body["api_endpoint"] != base {
		t.Errorf("api_endpoint after SetAPIEndpoint(\"\") = %v, want %s", body["api_endpoint"], base)
	}
	sim.Reset()
	if _, body := control(t, http.MethodGet, target, ""); body["api_endpoint"] != "https://api-na1.example.test" {
		t.Errorf("api_endpoint after Reset = %v, want the configured one", body["api_endpoint"])
	}
}

func TestPasswordGrant(t *testing.T) {
	_, base := startInContact(t, cxonesim.Config{TenantID: "tenant-1", TokenTTL: time.Hour})

	resp, body := passwordGrant(t, base, simKeyID, simKeySecret)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, body %v", resp.StatusCode, body)
	}
	if body["expires_in"] != float64(3600) || body["token_type"] != "Bearer" {
		t.Errorf("token response = %v, want a Bearer token with expires_in 3600", body)
	}
	access, _ := body["access_token"].(string)
	if claims := jwtClaims(t, access); claims["tenantId"] != "tenant-1" {
		t.Errorf("access token claims = %v, want tenantId tenant-1", claims)
	}
	idToken, _ := body["id_token"].(string)
	if claims := jwtClaims(t, idToken); claims["tenantId"] != "tenant-1" || claims["aud"] != "router" {
		t.Errorf("id_token claims = %v, want tenantId tenant-1 and aud router", claims)
	}

	resp, body = passwordGrant(t, base, simKeyID, "wrong")
	if resp.StatusCode != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("wrong access key secret = %d %v, want 400 invalid_grant", resp.StatusCode, body)
	}
	resp, body = post(t, base+"/auth/token", "", "application/x-www-form-urlencoded", "grant_type=password&username=a&password=b")
	if resp.StatusCode != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Errorf("no client credentials = %d %v, want 401 invalid_client", resp.StatusCode, body)
	}
}

func TestSignal(t *testing.T) {
	sim, base := startInContact(t, cxonesim.Config{})
	token := inContactToken(t, base)

	resp, _ := post(t, base+servicesPath+"/interactions/700/signal?p1=Sales-Premium&p2=1&p9=last", token, "", "")
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("signal status = %d, want 204", resp.StatusCode)
	}
	state, ok := sim.Interaction("700")
	if !ok || state.Signals != 1 {
		t.Fatalf("state = %+v, want one signal", state)
	}
	if state.LastSignal["p1"] != "Sales-Premium" || state.LastSignal["p2"] != "1" || state.LastSignal["p9"] != "last" {
		t.Errorf("LastSignal = %v", state.LastSignal)
	}

	resp, body := control(t, http.MethodGet, base+"/sim/interactions/700", "")
	lastSignal, _ := body["lastSignal"].(map[string]any)
	if resp.StatusCode != http.StatusOK || lastSignal["p1"] != "Sales-Premium" || body["signals"] != float64(1) {
		t.Errorf("GET /sim/interactions/700 = %d %v, want the signal parameters", resp.StatusCode, body)
	}
}

func TestSignalRejects(t *testing.T) {
	_, base := startInContact(t, cxonesim.Config{Strict: true})
	token := inContactToken(t, base)
	v2Token := getToken(t, base)
	control(t, http.MethodPut, base+"/sim/interactions/701", "")

	tests := []struct {
		name   string
		target string
		token  string
		want   int
	}{
		{"no token", servicesPath + "/interactions/701/signal?p1=a", "", 401},
		{"interactions-v2 token", servicesPath + "/interactions/701/signal?p1=a", v2Token, 401},
		{"unknown contact", servicesPath + "/interactions/702/signal?p1=a", token, 404},
		{"bad version", "/inContactAPI/services/latest/interactions/701/signal?p1=a", token, 404},
		{"p10", servicesPath + "/interactions/701/signal?p10=a", token, 400},
		{"repeated parameter", servicesPath + "/interactions/701/signal?p1=a&p1=b", token, 400},
		{"known contact", servicesPath + "/interactions/701/signal?p1=a", token, 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := post(t, base+tt.target, tt.token, "", "")
			if resp.StatusCode != tt.want {
				t.Errorf("status = %d, want %d (body %v)", resp.StatusCode, tt.want, body)
			}
			if tt.want == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestInContactTokenRejectedByPatch(t *testing.T) {
	_, base := startInContact(t, cxonesim.Config{})
	resp, _ := patch(t, base, "i1", inContactToken(t, base), "application/json", validBody)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("PATCH with an inContact token: status = %d, want 401", resp.StatusCode)
	}
}

func TestInContactTokenExpires(t *testing.T) {
	_, base := startInContact(t, cxonesim.Config{TokenTTL: time.Second})
	token := inContactToken(t, base)
	time.Sleep(1100 * time.Millisecond)

	resp, _ := post(t, base+servicesPath+"/interactions/703/signal?p1=a", token, "", "")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("expired token: status = %d, want 401", resp.StatusCode)
	}
}

func TestSetDisposition(t *testing.T) {
	sim, base := startInContact(t, cxonesim.Config{})
	token := inContactToken(t, base)
	target := base + servicesPath + "/contacts/704/set-disposition"

	tests := []struct {
		name        string
		contentType string
		body        string
		want        int
	}{
		{"form body", "application/x-www-form-urlencoded", "skill=a", 415},
		{"not JSON", "application/json", "{", 400},
		{"no dispositionInfo", "application/json", `{}`, 400},
		{"no skill", "application/json", `{"dispositionInfo":{"dispositionCode":"42"}}`, 400},
		{"no code", "application/json", `{"dispositionInfo":{"skill":"Sales"}}`, 400},
		{"numeric code", "application/json", `{"dispositionInfo":{"skill":"Sales","dispositionCode":42}}`, 400},
		{"unknown member", "application/json", `{"dispositionInfo":{"skill":"Sales","dispositionCode":"42","color":"red"}}`, 400},
		{"valid", "application/json", `{"dispositionInfo":{"skill":"Sales","dispositionCode":"42","notes":"bot"}}`, 202},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := post(t, target, token, tt.contentType, tt.body)
			if resp.StatusCode != tt.want {
				t.Errorf("status = %d, want %d (body %v)", resp.StatusCode, tt.want, body)
			}
		})
	}

	state, _ := sim.Interaction("704")
	want := cxonesim.DispositionState{Skill: "Sales", DispositionCode: "42", Notes: "bot"}
	if state.Dispositions != 1 || state.Disposition == nil || *state.Disposition != want {
		t.Errorf("state = %+v, want one disposition %+v", state, want)
	}
	if got := sim.Stats().DispositionByStatus[400]; got != 6 {
		t.Errorf("DispositionByStatus[400] = %d, want 6", got)
	}
}

func TestFaultEndpoints(t *testing.T) {
	sim, base := startInContact(t, cxonesim.Config{})
	token := inContactToken(t, base)

	resp, _ := control(t, http.MethodPost, base+"/sim/faults", `{"endpoint":"discovery","status":503,"retryAfter":"2"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /sim/faults = %d, want 201", resp.StatusCode)
	}
	if err := sim.InjectFault(cxonesim.Fault{Endpoint: cxonesim.EndpointToken, Status: 500}); err != nil {
		t.Fatal(err)
	}
	if err := sim.InjectFault(cxonesim.Fault{InteractionID: "705", Status: 429, RetryAfter: "1"}); err != nil {
		t.Fatal(err)
	}

	resp, _ = control(t, http.MethodGet, base+"/.well-known/openid-configuration", "")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("discovery with a fault = %d, Retry-After %q, want 503 and 2", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp, _ := passwordGrant(t, base, simKeyID, simKeySecret); resp.StatusCode != 500 {
		t.Errorf("token with a fault = %d, want 500", resp.StatusCode)
	}
	if resp, _ := post(t, base+servicesPath+"/interactions/705/signal?p1=a", token, "", ""); resp.StatusCode != 429 {
		t.Errorf("signal with a fault = %d, want 429", resp.StatusCode)
	}
	if resp, _ := post(t, base+servicesPath+"/interactions/705/signal?p1=a", token, "", ""); resp.StatusCode != 204 {
		t.Errorf("signal after the fault = %d, want 204", resp.StatusCode)
	}

	for _, body := range []string{`{"endpoint":"patch","status":500}`, `{"endpoint":"token","interactionId":"x","status":500}`} {
		if resp, _ := control(t, http.MethodPost, base+"/sim/faults", body); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("POST /sim/faults %s = %d, want 400", body, resp.StatusCode)
		}
	}
}

func TestConfigValidateInContact(t *testing.T) {
	tests := []struct {
		name    string
		cfg     cxonesim.Config
		wantErr string
	}{
		{"access key", cxonesim.Config{AccessKeyID: "a", AccessKeySecret: "b"}, ""},
		{"key id without secret", cxonesim.Config{AccessKeyID: "a"}, "AccessKeySecret"},
		{"signal status 202", cxonesim.Config{SignalStatus: 202}, ""},
		{"signal status 200", cxonesim.Config{SignalStatus: 200}, "SignalStatus"},
		{"relative API endpoint", cxonesim.Config{APIEndpoint: "/api"}, "APIEndpoint"},
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
