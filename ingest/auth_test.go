package ingest_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
)

// Test credentials. Two of each kind, as during a rotation.
const (
	testKey1      = "key-one-0123456789abcdef"
	testKey2      = "key-two-0123456789abcdef"
	testPair1     = "cognigy:password-one"
	testPair2     = "cognigy-next:password:two" // the password contains a colon
	testSecret1   = "secret-one-0123456789abcdef0123456789"
	testSecret2   = "secret-two-0123456789abcdef0123456789"
	wrongSecret   = "secret-bad-0123456789abcdef0123456789"
	hs256Header   = `{"alg":"HS256","typ":"JWT"}`
	wantChallenge = `Basic realm="router", charset="UTF-8", Bearer realm="router", ApiKey realm="router"`
)

func authConfig() ingest.Config {
	cfg := ingest.DefaultConfig()
	cfg.Auth.APIKeys = []string{testKey1, testKey2}
	cfg.Auth.BasicAuth = []string{testPair1, testPair2}
	cfg.Auth.JWTSecrets = [][]byte{[]byte(testSecret1), []byte(testSecret2)}
	return cfg
}

// authServer is ingest with auth on a real HTTP server, keeping the Handler
// to read its counter.
type authServer struct {
	*testServer
	handler *ingest.Handler
}

func startAuthIngest(t *testing.T, cfg ingest.Config) *authServer {
	t.Helper()

	ns := queuetest.Start(t, queue.DefaultTopology())
	logs := &logBuffer{}
	h, err := ingest.NewHandler(ns.JS, cfg, zerolog.New(logs))
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &authServer{testServer: &testServer{nats: ns, http: srv, logs: logs}, handler: h}
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// signJWT returns a compact HS256 JWS of header and claims, both raw JSON.
func signJWT(secret, header, claims string) string {
	input := b64url(header) + "." + b64url(claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// claimsAt returns claims with exp and nbf at the given offsets from now.
func claimsAt(exp, nbf time.Duration) string {
	now := time.Now()
	return fmt.Sprintf(`{"sub":"cognigy","exp":%d,"nbf":%d}`, now.Add(exp).Unix(), now.Add(nbf).Unix())
}

func basic(pair string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(pair))
}

// payloadFor returns the sample payload for another interaction, so that
// each accepted request is stored as its own message.
func payloadFor(id string) string {
	return strings.Replace(samplePayload, sampleInteraction, id, 1)
}

func TestAuthAcceptsEachScheme(t *testing.T) {
	s := startAuthIngest(t, authConfig())
	valid := signJWT(testSecret1, hs256Header, claimsAt(time.Hour, -time.Minute))

	tests := []struct {
		name   string
		header map[string]string
	}{
		{"X-API-Key first key", map[string]string{"X-API-Key": testKey1}},
		{"X-API-Key second key", map[string]string{"X-API-Key": testKey2}},
		{"ApiKey scheme", map[string]string{"Authorization": "ApiKey " + testKey1}},
		{"ApiKey scheme lower case", map[string]string{"Authorization": "apikey " + testKey2}},
		{"Basic first pair", map[string]string{"Authorization": basic(testPair1)}},
		{"Basic password with colon", map[string]string{"Authorization": basic(testPair2)}},
		{"Bearer first secret", map[string]string{"Authorization": "Bearer " + valid}},
		{"Bearer second secret", map[string]string{"Authorization": "Bearer " + signJWT(testSecret2, hs256Header, claimsAt(time.Hour, 0))}},
		{"Bearer without typ", map[string]string{"Authorization": "Bearer " + signJWT(testSecret1, `{"alg":"HS256"}`, claimsAt(time.Hour, 0))}},
		{"Bearer without time claims", map[string]string{"Authorization": "Bearer " + signJWT(testSecret1, hs256Header, `{"sub":"cognigy"}`)}},
		{"Bearer expired within leeway", map[string]string{"Authorization": "Bearer " + signJWT(testSecret1, hs256Header, claimsAt(-10*time.Second, -time.Hour))}},
		{"Bearer nbf within leeway", map[string]string{"Authorization": "Bearer " + signJWT(testSecret1, hs256Header, claimsAt(time.Hour, 10*time.Second))}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := s.postJSON(t, payloadFor(fmt.Sprintf("auth-ok-%d", i)), tc.header)
			if resp.StatusCode != http.StatusAccepted {
				t.Fatalf("status = %d, want 202; body %s", resp.StatusCode, body)
			}
		})
	}

	if n := s.nats.Messages(t, queue.StreamName); n != uint64(len(tests)) {
		t.Errorf("stream has %d messages, want %d", n, len(tests))
	}
	if n := s.handler.AuthFailures(); n != 0 {
		t.Errorf("AuthFailures() = %d, want 0", n)
	}
}

// authRejectCases returns requests with a missing, wrong or malformed
// credential, each with the auth_scheme its log line must carry.
func authRejectCases() []struct {
	name       string
	header     http.Header
	wantScheme string
} {
	bearer := func(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }
	future := claimsAt(time.Hour, -time.Minute)
	valid := signJWT(testSecret1, hs256Header, future)
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + b64url(`{"sub":"admin","exp":99999999999}`) + "." + parts[2]

	return []struct {
		name       string
		header     http.Header
		wantScheme string
	}{
		{"no credential", http.Header{}, "none"},
		{"wrong X-API-Key", http.Header{"X-Api-Key": {"key-bad-0123456789abcdef"}}, "x-api-key"},
		{"X-API-Key prefix of a key", http.Header{"X-Api-Key": {testKey1[:len(testKey1)-1]}}, "x-api-key"},
		{"empty X-API-Key", http.Header{"X-Api-Key": {""}}, "x-api-key"},
		{"wrong ApiKey", http.Header{"Authorization": {"ApiKey key-bad-0123456789abcdef"}}, "apikey"},
		{"key without scheme", http.Header{"Authorization": {testKey1}}, "unsupported"},
		{"unknown scheme", http.Header{"Authorization": {"Digest username=\"cognigy\""}}, "unsupported"},
		{"two X-API-Key headers", http.Header{"X-Api-Key": {testKey1, testKey2}}, "multiple"},
		{"X-API-Key and Authorization", http.Header{"X-Api-Key": {testKey1}, "Authorization": {basic(testPair1)}}, "multiple"},
		{"wrong Basic password", http.Header{"Authorization": {basic("cognigy:password-two")}}, "basic"},
		{"wrong Basic user", http.Header{"Authorization": {basic("cognigy-next:password-one")}}, "basic"},
		{"Basic pairs crossed", http.Header{"Authorization": {basic("cognigy:password:two")}}, "basic"},
		{"Basic not base64", http.Header{"Authorization": {"Basic !!!"}}, "basic"},
		{"Basic without colon", http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("cognigy"))}}, "basic"},
		{"Bearer wrong secret", bearer(signJWT(wrongSecret, hs256Header, future)), "bearer"},
		{"Bearer expired", bearer(signJWT(testSecret1, hs256Header, claimsAt(-2*time.Minute, -time.Hour))), "bearer"},
		{"Bearer nbf in future", bearer(signJWT(testSecret1, hs256Header, claimsAt(time.Hour, 2*time.Minute))), "bearer"},
		{"Bearer alg none unsigned", bearer(b64url(`{"alg":"none","typ":"JWT"}`) + "." + b64url(future) + "."), "bearer"},
		{"Bearer alg none signed", bearer(signJWT(testSecret1, `{"alg":"none","typ":"JWT"}`, future)), "bearer"},
		{"Bearer alg HS512", bearer(signJWT(testSecret1, `{"alg":"HS512","typ":"JWT"}`, future)), "bearer"},
		{"Bearer alg RS256", bearer(signJWT(testSecret1, `{"alg":"RS256","typ":"JWT"}`, future)), "bearer"},
		{"Bearer alg lower case", bearer(signJWT(testSecret1, `{"alg":"hs256","typ":"JWT"}`, future)), "bearer"},
		{"Bearer alg repeated", bearer(signJWT(testSecret1, `{"alg":"none","alg":"HS256"}`, future)), "bearer"},
		{"Bearer typ not JWT", bearer(signJWT(testSecret1, `{"alg":"HS256","typ":"at+jwt"}`, future)), "bearer"},
		{"Bearer crit header", bearer(signJWT(testSecret1, `{"alg":"HS256","crit":["exp"]}`, future)), "bearer"},
		{"Bearer tampered claims", bearer(tampered), "bearer"},
		{"Bearer exp string", bearer(signJWT(testSecret1, hs256Header, `{"exp":"tomorrow"}`)), "bearer"},
		{"Bearer exp null", bearer(signJWT(testSecret1, hs256Header, `{"exp":null}`)), "bearer"},
		{"Bearer claims array", bearer(signJWT(testSecret1, hs256Header, `[1]`)), "bearer"},
		{"Bearer two segments", bearer(parts[0] + "." + parts[1]), "bearer"},
		{"Bearer four segments", bearer(valid + "." + parts[2]), "bearer"},
		{"Bearer empty payload", bearer(parts[0] + ".." + parts[2]), "bearer"},
		{"Bearer padded signature", bearer(valid + "="), "bearer"},
		{"Bearer standard base64", bearer(strings.NewReplacer("-", "+", "_", "/").Replace(valid) + "+/"), "bearer"},
		{"Bearer header not JSON", bearer(b64url("HS256") + "." + parts[1] + "." + parts[2]), "bearer"},
		{"Bearer oversized", bearer(signJWT(testSecret1, hs256Header, `{"pad":"`+strings.Repeat("x", 5000)+`"}`)), "bearer"},
		{"Bearer empty", http.Header{"Authorization": {"Bearer "}}, "bearer"},
	}
}

func TestAuthRejects(t *testing.T) {
	s := startAuthIngest(t, authConfig())
	cases := authRejectCases()

	var firstBody []byte
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, s.webhookURL(), strings.NewReader(samplePayload))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = tc.header.Clone()
			req.Header.Set("Content-Type", "application/json")

			resp, body := do(t, s.http.Client(), req)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401; body %s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != wantChallenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, wantChallenge)
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			if firstBody == nil {
				firstBody = body
			} else if !bytes.Equal(body, firstBody) {
				t.Errorf("body %s differs from the body of the first failure %s; every failure must look the same", body, firstBody)
			}
		})
	}

	if n := s.nats.Messages(t, queue.StreamName); n != 0 {
		t.Errorf("stream has %d messages, want 0", n)
	}
	if got := s.handler.AuthFailures(); got != uint64(len(cases)) {
		t.Errorf("AuthFailures() = %d, want %d", got, len(cases))
	}

	lines := s.logs.lines(t)
	if len(lines) != len(cases) {
		t.Fatalf("got %d log lines, want %d", len(lines), len(cases))
	}
	for i, line := range lines {
		if line["status"] != float64(http.StatusUnauthorized) {
			t.Errorf("%s: log status = %v, want 401", cases[i].name, line["status"])
		}
		if line["level"] != "warn" {
			t.Errorf("%s: log level = %v, want warn", cases[i].name, line["level"])
		}
		if line["auth_scheme"] != cases[i].wantScheme {
			t.Errorf("%s: auth_scheme = %v, want %s", cases[i].name, line["auth_scheme"], cases[i].wantScheme)
		}
		if addr, _ := line["remote_addr"].(string); !strings.HasPrefix(addr, "127.0.0.1:") {
			t.Errorf("%s: remote_addr = %v, want the client address", cases[i].name, line["remote_addr"])
		}
	}
}

func TestAuthLogHasNoSecret(t *testing.T) {
	s := startAuthIngest(t, authConfig())
	wrongToken := signJWT(wrongSecret, hs256Header, claimsAt(time.Hour, 0))
	presented := map[string]string{
		"wrong key":    "key-bad-0123456789abcdef",
		"wrong pair":   "cognigy:password-bad",
		"wrong token":  wrongToken,
		"bare key":     testKey2,
		"right key":    testKey1,
		"right pair":   testPair1,
		"right token":  signJWT(testSecret1, hs256Header, claimsAt(time.Hour, 0)),
		"wrong secret": wrongSecret,
	}
	headers := []map[string]string{
		{"X-API-Key": presented["wrong key"]},
		{"Authorization": basic(presented["wrong pair"])},
		{"Authorization": "Bearer " + wrongToken},
		{"Authorization": presented["bare key"]},
		{"X-API-Key": presented["right key"]},
		{"Authorization": basic(presented["right pair"])},
		{"Authorization": "Bearer " + presented["right token"]},
	}
	for i, header := range headers {
		_, _ = s.postJSON(t, payloadFor(fmt.Sprintf("log-%d", i)), header)
	}

	s.logs.mu.Lock()
	raw := s.logs.buf.String()
	s.logs.mu.Unlock()
	for name, secret := range presented {
		if strings.Contains(raw, secret) {
			t.Errorf("log contains the %s", name)
		}
	}
	for _, secret := range []string{testSecret1, testSecret2, testKey2, "password-one", "password:two", base64.StdEncoding.EncodeToString([]byte(testPair1))} {
		if strings.Contains(raw, secret) {
			t.Errorf("log contains a configured secret")
		}
	}
	if got := s.handler.AuthFailures(); got != 4 {
		t.Errorf("AuthFailures() = %d, want 4", got)
	}
}

func TestAuthChallengeListsConfiguredSchemes(t *testing.T) {
	cfg := ingest.DefaultConfig()
	cfg.Auth.APIKeys = []string{testKey1}
	s := startAuthIngest(t, cfg)

	// Basic is not configured, so valid-looking Basic credentials fail too.
	resp, body := s.postJSON(t, samplePayload, map[string]string{"Authorization": basic(testPair1)})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401; body %s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("WWW-Authenticate"); got != `ApiKey realm="router"` {
		t.Errorf("WWW-Authenticate = %q, want only the ApiKey challenge", got)
	}
}

func TestAuthRunsBeforeOtherChecks(t *testing.T) {
	s := startAuthIngest(t, authConfig())

	for _, tc := range []struct {
		method, contentType string
	}{
		{http.MethodGet, ""},
		{http.MethodPost, "text/plain"},
		{http.MethodPost, "application/json"},
	} {
		req, err := http.NewRequest(tc.method, s.webhookURL(), strings.NewReader("not json"))
		if err != nil {
			t.Fatal(err)
		}
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		}
		resp, body := do(t, s.http.Client(), req)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s %q without a credential: status = %d, want 401; body %s", tc.method, tc.contentType, resp.StatusCode, body)
		}
	}

	// With a credential, the other checks apply.
	req, err := http.NewRequest(http.MethodGet, s.webhookURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-API-Key", testKey1)
	if resp, body := do(t, s.http.Client(), req); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET with a key: status = %d, want 405; body %s", resp.StatusCode, body)
	}

	// The liveness check stays open.
	resp, body := do(t, s.http.Client(), mustRequest(t, http.MethodGet, s.http.URL+"/healthz"))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz without a credential = %d %s, want 200", resp.StatusCode, body)
	}
}

func TestAuthValidate(t *testing.T) {
	tests := []struct {
		name     string
		auth     ingest.Auth
		wantName string // the entry the error names
		secret   string // must not appear in the error
	}{
		{"empty key", ingest.Auth{APIKeys: []string{testKey1, ""}}, "Auth.APIKeys[1] ", ""},
		{"short key", ingest.Auth{APIKeys: []string{"short-key-123"}}, "Auth.APIKeys[0] ", "short-key-123"},
		{"key with space", ingest.Auth{APIKeys: []string{"key with a space 0123456789"}}, "Auth.APIKeys[0] ", "key with a space"},
		{"key not ASCII", ingest.Auth{APIKeys: []string{"schlüssel-0123456789abcdef"}}, "Auth.APIKeys[0] ", "schlüssel"},
		{"pair without colon", ingest.Auth{BasicAuth: []string{testPair1, "cognigy-password-one"}}, "Auth.BasicAuth[1] ", "cognigy-password-one"},
		{"pair without user", ingest.Auth{BasicAuth: []string{":password-one"}}, "Auth.BasicAuth[0] ", "password-one"},
		{"short password", ingest.Auth{BasicAuth: []string{"cognigy:pw-12"}}, "Auth.BasicAuth[0] ", "pw-12"},
		{"pair with newline", ingest.Auth{BasicAuth: []string{"cognigy:password\none"}}, "Auth.BasicAuth[0] ", "password"},
		{"short secret", ingest.Auth{JWTSecrets: [][]byte{[]byte(testSecret1), []byte("too-short-secret")}}, "Auth.JWTSecrets[1] ", "too-short-secret"},
		{"negative leeway", ingest.Auth{JWTLeeway: -time.Second}, "Auth.JWTLeeway ", ""},
		{"leeway over 5 minutes", ingest.Auth{JWTLeeway: 6 * time.Minute}, "Auth.JWTLeeway ", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.auth.Validate()
			if !errors.Is(err, ingest.ErrInvalidConfig) {
				t.Fatalf("Validate() = %v, want ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tc.wantName) {
				t.Errorf("error %q does not name %s", err, tc.wantName)
			}
			if tc.secret != "" && strings.Contains(err.Error(), tc.secret) {
				t.Errorf("error %q contains the secret", err)
			}
		})
	}

	if err := authConfig().Validate(); err != nil {
		t.Errorf("authConfig().Validate() = %v", err)
	}
	cfg := ingest.DefaultConfig()
	cfg.Auth.APIKeys = []string{"short"}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "Auth.APIKeys[0]") {
		t.Errorf("Config.Validate() = %v, want the Auth error", err)
	}
}

func TestAuthEnabled(t *testing.T) {
	if (ingest.Auth{JWTLeeway: time.Second}).Enabled() {
		t.Error("Auth with no credential is enabled")
	}
	for _, a := range []ingest.Auth{
		{APIKeys: []string{testKey1}},
		{BasicAuth: []string{testPair1}},
		{JWTSecrets: [][]byte{[]byte(testSecret1)}},
	} {
		if !a.Enabled() {
			t.Errorf("%+v is not enabled", a)
		}
	}
}

func ExampleAuth_Validate() {
	cfg := ingest.DefaultConfig()
	cfg.Auth.APIKeys = []string{"0123456789abcdef0123", "s3cret"}

	fmt.Println(cfg.Validate())
	// Output: ingest: invalid config: Auth.APIKeys[1] has 6 characters; use at least 16, for example from `openssl rand -hex 32`
}

// jsonError decodes the error of an error response.
func jsonError(t *testing.T, body []byte) ingest.ErrorBody {
	t.Helper()
	var e ingest.ErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", body, err)
	}
	return e
}
