package bench

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cxrouter/router/cxone"
	"github.com/cxrouter/router/cxone/cxonesim"
	"github.com/cxrouter/router/mapping"
)

func TestLoadCountsResponses(t *testing.T) {
	srv := httptest.NewServer(RawHandler())
	defer srv.Close()

	l := Load{URL: srv.URL + "/webhook", Connections: 4, Duration: 200 * time.Millisecond, Body: WebhookBodies("test")}
	res, err := l.Run(context.Background())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}

	if len(res.Latencies) == 0 {
		t.Fatal("no request completed in the window")
	}
	if res.ByStatus[http.StatusAccepted] != len(res.Latencies) {
		t.Errorf("202 count %d differs from the latency samples %d", res.ByStatus[http.StatusAccepted], len(res.Latencies))
	}
	if res.Errors != 0 || res.Non2xx() != 0 {
		t.Errorf("errors = %d, non-2xx = %d, want none (first error %q)", res.Errors, res.Non2xx(), res.FirstError)
	}
	if res.Total2xx < len(res.Latencies) {
		t.Errorf("Total2xx = %d is below the window's %d", res.Total2xx, len(res.Latencies))
	}
}

func TestLoadRejectsMissingFields(t *testing.T) {
	if _, err := (Load{URL: "http://127.0.0.1:1"}).Run(context.Background()); err == nil {
		t.Error("Run without Connections, Duration and Body returned no error")
	}
}

func TestMergeLoadsAddsWindows(t *testing.T) {
	a := LoadResult{Connections: 2, Window: time.Second, ByStatus: map[int]int{202: 2}, Latencies: Latencies{3, 5}, Total2xx: 3}
	b := LoadResult{Connections: 2, Window: time.Second, ByStatus: map[int]int{202: 1, 503: 1}, Errors: 1, Latencies: Latencies{4}, Total2xx: 1}

	got := MergeLoads([]LoadResult{a, b})

	if got.Window != 2*time.Second {
		t.Errorf("Window = %v, want 2s", got.Window)
	}
	if want := (Latencies{3, 4, 5}); !reflect.DeepEqual(got.Latencies, want) {
		t.Errorf("Latencies = %v, want sorted %v", got.Latencies, want)
	}
	if got.ByStatus[202] != 3 || got.ByStatus[503] != 1 || got.Errors != 1 || got.Total2xx != 4 {
		t.Errorf("counts = %v, errors %d, Total2xx %d; want 202:3 503:1, 1, 4", got.ByStatus, got.Errors, got.Total2xx)
	}
	if got.Rate() != 1.5 {
		t.Errorf("Rate() = %v, want 1.5", got.Rate())
	}
}

func TestWebhookBodiesAreDistinctAndValid(t *testing.T) {
	bodies := WebhookBodies("run")
	seen := map[string]bool{}
	for _, pair := range [][2]int{{0, 0}, {0, 1}, {1, 0}, {12, 345}} {
		in, err := mapping.ParseWebhook(bodies(pair[0], pair[1]))
		if err != nil {
			t.Fatalf("body %v does not parse: %v", pair, err)
		}
		if seen[in.InteractionID] {
			t.Errorf("interaction id %q repeats", in.InteractionID)
		}
		seen[in.InteractionID] = true
	}
}

func TestPatchBodyMatchesRules(t *testing.T) {
	in, err := mapping.ParseWebhook(WebhookBodies("run")(0, 0))
	if err != nil {
		t.Fatalf("ParseWebhook: %v", err)
	}
	decision, err := mapping.Default().Decide(in)
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	update := cxone.Update{WrapUpCode: decision.WrapUpCode, RoutingData: cxone.RoutingData{
		Priority: decision.Priority, Skill: decision.Skill, Fields: decision.Fields,
	}}
	encoded, err := json.Marshal(update)
	if err != nil {
		t.Fatalf("marshal update: %v", err)
	}

	var got, want any
	_ = json.Unmarshal(encoded, &got)
	_ = json.Unmarshal([]byte(patchBody), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the rules produce %s, but the bare loop sends %s", encoded, patchBody)
	}
}

func TestSyncHandlerAppliesUpdate(t *testing.T) {
	sim := cxonesim.New(cxonesim.Config{ClientID: SimClientID, ClientSecret: SimClientSecret})
	simServer := httptest.NewServer(sim)
	defer simServer.Close()
	client, err := cxone.NewClient(cxone.Config{BaseURL: simServer.URL, ClientID: SimClientID, ClientSecret: SimClientSecret})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	handler := httptest.NewServer(NewSyncHandler(mapping.Default(), client))
	defer handler.Close()

	body := WebhookBodies("sync")(0, 0)
	resp, err := http.Post(handler.URL+"/webhook/cognigy-routing", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	_ = resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
	in, _ := mapping.ParseWebhook(body)
	state, ok := sim.Interaction(in.InteractionID)
	if !ok || state.Count != 1 {
		t.Errorf("simulator state of %s = %+v, %v; want one update", in.InteractionID, state, ok)
	}
}

func TestSyncHandlerRejectsInvalidBody(t *testing.T) {
	client, err := cxone.NewClient(cxone.Config{BaseURL: "http://127.0.0.1:1", ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	rec := httptest.NewRecorder()
	NewSyncHandler(mapping.Default(), client).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(`{}`)))

	if rec.Code != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", rec.Code)
	}
}

func TestProcessReadsProcFiles(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command")
	}
	p, err := StartProcess("sleep", sleep, []string{"30"}, nil)
	if err != nil {
		t.Fatalf("StartProcess: %v", err)
	}
	defer p.Stop()

	if rss, err := p.PeakRSS(); err != nil || rss == 0 {
		t.Errorf("PeakRSS() = %d, %v; want a positive size", rss, err)
	}
	if _, err := p.CPUTime(); err != nil {
		t.Errorf("CPUTime(): %v", err)
	}
}

func TestReportMarkdownTable(t *testing.T) {
	var b strings.Builder
	r := Report{Command: "make bench", Sections: []Section{{
		Title:  "One",
		Tables: []Table{{Header: []string{"a", "b"}, Rows: [][]string{{"1", "2"}}}},
	}}}
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatalf("WriteMarkdown: %v", err)
	}

	for _, want := range []string{"## One\n", "| a | b |\n|---|---|\n| 1 | 2 |\n", "`make bench`"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}
