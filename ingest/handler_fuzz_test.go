package ingest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/mapping"
	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
)

// fuzzStatuses are the statuses a POST to the webhook may get. A 503 comes
// from a slow JetStream; any other 5xx is a bug.
var fuzzStatuses = map[int]bool{
	http.StatusAccepted:              true,
	http.StatusBadRequest:            true,
	http.StatusUnauthorized:          true,
	http.StatusRequestEntityTooLarge: true,
	http.StatusUnsupportedMediaType:  true,
	http.StatusServiceUnavailable:    true,
}

func FuzzHandler(f *testing.F) {
	validToken := signJWT(testSecret1, hs256Header, `{"sub":"cognigy"}`)
	for _, seed := range []struct{ body, contentType, authorization string }{
		{samplePayload, "application/json", "ApiKey " + testKey1},
		{samplePayload, "application/json", basic(testPair1)},
		{samplePayload, "application/json; charset=utf-8", "Bearer " + validToken},
		{samplePayload, "application/json", "Bearer " + validToken[:len(validToken)-2]},
		{samplePayload, "application/x-www-form-urlencoded", "ApiKey " + testKey1},
		{`{"cxoneInteractionId":"a","cxoneInteractionId":"b"}`, "application/json", "ApiKey " + testKey2},
		{samplePayload, "application/json", ""},
	} {
		f.Add([]byte(seed.body), seed.contentType, seed.authorization)
	}
	for _, body := range hostileBodies(f) {
		f.Add(body, "application/json", "ApiKey "+testKey1)
	}

	ns := queuetest.Start(f, queue.DefaultTopology())
	cfg := authConfig()
	cfg.MaxBodyBytes = 64 << 10
	cfg.PublishTimeout = 2 * time.Second
	h, err := ingest.NewHandler(ns.JS, cfg, zerolog.Nop())
	if err != nil {
		f.Fatalf("NewHandler: %v", err)
	}

	f.Fuzz(func(t *testing.T, body []byte, contentType, authorization string) {
		req := httptest.NewRequest(http.MethodPost, cfg.Path, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", contentType)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()

		h.ServeHTTP(rec, req)

		if !fuzzStatuses[rec.Code] {
			t.Fatalf("status %d is not one of the allowed statuses; body %s", rec.Code, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("status %d with a body that is not JSON: %q", rec.Code, rec.Body)
		}
		if rec.Code == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
			t.Fatal("401 without WWW-Authenticate")
		}
		if rec.Code == http.StatusAccepted {
			in, err := mapping.ParseWebhook(body)
			if err != nil || !mapping.InteractionIDPattern.MatchString(in.InteractionID) {
				t.Fatalf("202 for a body that ParseWebhook rejects: %v", err)
			}
		}
	})
}

// hostileBodies returns the bodies of the requests in testdata/hostile that
// are small enough to be useful fuzz seeds.
func hostileBodies(f *testing.F) [][]byte {
	paths, err := filepath.Glob("testdata/hostile/*.http")
	if err != nil {
		f.Fatal(err)
	}
	var bodies [][]byte
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		_, request, _ := strings.Cut(string(data), "---\n")
		_, body, _ := strings.Cut(strings.TrimSuffix(request, "\n"), "\n\n")
		expanded, err := expandMacros(body)
		if err != nil {
			f.Fatalf("%s: %v", path, err)
		}
		if len(expanded) <= 4<<10 {
			bodies = append(bodies, expanded)
		}
	}
	return bodies
}
