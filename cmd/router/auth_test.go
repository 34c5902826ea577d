package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
)

// authEnv lists the variables that configure webhook auth.
var authEnv = []string{"ROUTER_API_KEYS", "ROUTER_BASIC_AUTH", "ROUTER_JWT_SECRETS", "ROUTER_INSECURE_NO_AUTH"}

// setEnv sets every auth variable, empty unless env gives a value.
func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, name := range authEnv {
		t.Setenv(name, env[name])
	}
	for name, value := range env {
		t.Setenv(name, value)
	}
}

func TestIngestRefusesToStartWithoutAuth(t *testing.T) {
	// No NATS server listens here: the check must come before connecting.
	setEnv(t, map[string]string{"NATS_URL": "nats://" + freeAddr(t), "ROUTER_HTTP_ADDR": freeAddr(t)})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var stdout, stderr lockedBuffer
	err := run(ctx, []string{"ingest"}, &stdout, &stderr)

	if !errors.Is(err, errNoAuth) {
		t.Fatalf("run(ingest) = %v, want errNoAuth", err)
	}
	for _, name := range append(authEnv, "--insecure-no-auth") {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

func TestIngestAuthEnvErrors(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		secret  string
	}{
		{"short key", map[string]string{"ROUTER_API_KEYS": "0123456789abcdef0123,tiny-key"}, "ROUTER_API_KEYS: ingest: invalid config: Auth.APIKeys[1] has 8 characters", "tiny-key"},
		{"empty key", map[string]string{"ROUTER_API_KEYS": "0123456789abcdef0123,"}, "Auth.APIKeys[1] is empty", ""},
		{"pair without colon", map[string]string{"ROUTER_BASIC_AUTH": "cognigy-password-one"}, "ROUTER_BASIC_AUTH: ingest: invalid config: Auth.BasicAuth[0] has no colon", "cognigy-password-one"},
		{"short secret", map[string]string{"ROUTER_JWT_SECRETS": "short-hs256-secret"}, "ROUTER_JWT_SECRETS: ingest: invalid config: Auth.JWTSecrets[0] has 18 bytes", "short-hs256-secret"},
		{"insecure not a boolean", map[string]string{"ROUTER_INSECURE_NO_AUTH": "yes please"}, `ROUTER_INSECURE_NO_AUTH="yes please" is not true or false`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.env)
			var stdout, stderr lockedBuffer
			err := run(context.Background(), []string{"ingest"}, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("run(ingest) = %v, want an error containing %q", err, tt.wantErr)
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q contains the secret", err)
			}
		})
	}
}

// ingestRun is a `router ingest` subprocess against an embedded NATS
// server. A subprocess keeps the NATS client's callbacks, which log through
// zerolog, out of the test process.
type ingestRun struct {
	*process
	url string
}

func startIngestProcess(t *testing.T, args []string, env ...string) *ingestRun {
	t.Helper()
	if testing.Short() {
		t.Skip("runs router ingest as a subprocess")
	}

	ns := queuetest.Start(t, queue.DefaultTopology())
	addr := freeAddr(t)
	env = append(env, "NATS_URL="+ns.URL, "ROUTER_HTTP_ADDR="+addr)
	r := &ingestRun{process: startRouter(t, env, append([]string{"ingest"}, args...)...), url: "http://" + addr}
	waitHTTP(t, r.url+"/healthz")
	return r
}

func (r *ingestRun) post(t *testing.T, header map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.url+"/webhook/cognigy-routing", strings.NewReader(samplePayload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST webhook: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestIngestStartsInsecureWhenAsked(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  []string
	}{
		{"flag", []string{"--insecure-no-auth"}, nil},
		{"single-dash flag", []string{"-insecure-no-auth"}, nil},
		{"environment", nil, []string{"ROUTER_INSECURE_NO_AUTH=true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := startIngestProcess(t, tt.args, tt.env...)

			if status := r.post(t, nil); status != http.StatusAccepted {
				t.Errorf("POST without a credential: status %d, want 202", status)
			}
			if err := r.stop(t); err != nil {
				t.Errorf("router ingest exit: %v, want status 0", err)
			}
			out := r.output.String()
			if !strings.Contains(out, `"level":"warn"`) || !strings.Contains(out, "webhook authentication is off") {
				t.Errorf("log lacks the warning about missing auth:\n%s", out)
			}
		})
	}
}

func TestIngestRequiresConfiguredKey(t *testing.T) {
	const key1, key2 = "first-key-0123456789abcdef", "second-key-0123456789abcdef"
	r := startIngestProcess(t, nil, "ROUTER_API_KEYS="+key1+", "+key2)

	if status := r.post(t, nil); status != http.StatusUnauthorized {
		t.Errorf("POST without a credential: status %d, want 401", status)
	}
	if status := r.post(t, map[string]string{"X-API-Key": "wrong-key-0123456789abcdef"}); status != http.StatusUnauthorized {
		t.Errorf("POST with a wrong key: status %d, want 401", status)
	}
	if status := r.post(t, map[string]string{"X-API-Key": key2}); status != http.StatusAccepted {
		t.Errorf("POST with the second key: status %d, want 202", status)
	}
	if status := r.post(t, map[string]string{"Authorization": "ApiKey " + key1}); status != http.StatusAccepted {
		t.Errorf("POST with the first key as ApiKey: status %d, want 202", status)
	}
	if err := r.stop(t); err != nil {
		t.Errorf("router ingest exit: %v, want status 0", err)
	}

	out := r.output.String()
	if !strings.Contains(out, `"api_keys":2`) {
		t.Errorf("log does not report the two keys:\n%s", out)
	}
	if strings.Contains(out, "authentication is off") {
		t.Errorf("log warns about missing auth although keys are set:\n%s", out)
	}
	for _, secret := range []string{key1, key2, "wrong-key"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains a key")
		}
	}
}
