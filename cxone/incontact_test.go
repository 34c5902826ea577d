package cxone_test

import (
	"context"
	"errors"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cxrouter/router/cxone"
	"github.com/cxrouter/router/cxone/cxonesim"
)

// Credentials with the characters that break naive encoding: access keys
// and secrets contain "=", and form values must escape "&" and "+".
const (
	icClientID     = "router-app"
	icClientSecret = "cl=ient+sec/ret=="
	icKeyID        = "AK=key+id"
	icKeySecret    = "se=cr&et+/=="
)

func startInContactSim(t *testing.T, cfg cxonesim.Config) (*cxonesim.Sim, *httptest.Server) {
	t.Helper()
	cfg.ClientID, cfg.ClientSecret = icClientID, icClientSecret
	cfg.AccessKeyID, cfg.AccessKeySecret = icKeyID, icKeySecret
	if err := cfg.Validate(); err != nil {
		t.Fatalf("sim config: %v", err)
	}
	sim := cxonesim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv
}

func newInContactClient(t *testing.T, issuer string, change func(*cxone.InContactConfig)) *cxone.InContactClient {
	t.Helper()
	cfg := cxone.InContactConfig{
		IssuerURL:       issuer,
		ClientID:        icClientID,
		ClientSecret:    icClientSecret,
		AccessKeyID:     icKeyID,
		AccessKeySecret: icKeySecret,
		RequestTimeout:  2 * time.Second,
		Retry:           fastRetry,
	}
	if change != nil {
		change(&cfg)
	}
	client, err := cxone.NewInContactClient(cfg)
	if err != nil {
		t.Fatalf("NewInContactClient: %v", err)
	}
	return client
}

// requestsOf returns the recorded requests of one kind.
func requestsOf(sim *cxonesim.Sim, kind string) []cxonesim.Request {
	var out []cxonesim.Request
	for _, r := range sim.Requests() {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// countPath returns how many recorded requests went to path.
func countPath(sim *cxonesim.Sim, path string) int {
	n := 0
	for _, r := range sim.Requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

func withActions(u cxone.Update, d *cxone.Disposition, actions ...string) cxone.Update {
	u.Actions = actions
	u.Disposition = d
	return u
}

func TestInContactSignalEndToEnd(t *testing.T) {
	sim, srv := startInContactSim(t, cxonesim.Config{})
	client := newInContactClient(t, srv.URL, nil)

	res, err := client.UpdateInteraction(context.Background(), "5001", sampleUpdate)
	if err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}
	if res.Status != http.StatusNoContent || res.Attempts != 1 {
		t.Errorf("result = %+v, want status 204 after 1 attempt", res)
	}

	var paths []string
	for _, r := range sim.Requests() {
		paths = append(paths, r.Path)
	}
	want := []string{
		"/.well-known/openid-configuration",
		"/auth/token",
		"/.well-known/cxone-configuration",
		"/inContactAPI/services/v30.0/interactions/5001/signal",
	}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("request paths = %v, want %v", paths, want)
	}

	state, ok := sim.Interaction("5001")
	if !ok {
		t.Fatal("sim has no state for contact 5001")
	}
	wantParams := map[string]string{
		"p1": "Sales-Premium",
		"p2": "1",
		"p3": "Sales Transfer",
		"p4": "Interest: PremiumPackage",
	}
	if !maps.Equal(state.LastSignal, wantParams) {
		t.Errorf("signal parameters = %v, want %v", state.LastSignal, wantParams)
	}
	if state.Signals != 1 || state.Count != 0 || state.Disposition != nil {
		t.Errorf("state = %+v, want one signal, no PATCH and no disposition", state)
	}
}

func TestInContactSignalParamsOrder(t *testing.T) {
	sim, srv := startInContactSim(t, cxonesim.Config{SignalStatus: http.StatusAccepted})
	client := newInContactClient(t, srv.URL, func(c *cxone.InContactConfig) {
		c.SignalParams = cxone.ParseSignalParams(" wrapUpCode, customField ,missingField,priority")
		c.APIVersion = "v31.0"
	})

	res, err := client.UpdateInteraction(context.Background(), "5002", sampleUpdate)
	if err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}
	if res.Status != http.StatusAccepted {
		t.Errorf("status = %d, want 202", res.Status)
	}

	state, _ := sim.Interaction("5002")
	want := map[string]string{"p1": "Sales Transfer", "p2": "Interest: PremiumPackage", "p3": "", "p4": "1"}
	if !maps.Equal(state.LastSignal, want) {
		t.Errorf("signal parameters = %v, want %v", state.LastSignal, want)
	}
	if got := requestsOf(sim, cxonesim.KindSignal)[0].Path; !strings.HasPrefix(got, "/inContactAPI/services/v31.0/") {
		t.Errorf("signal path = %q, want API version v31.0", got)
	}
}

func TestInContactSignalThenDisposition(t *testing.T) {
	sim, srv := startInContactSim(t, cxonesim.Config{})
	client := newInContactClient(t, srv.URL, nil)
	u := withActions(sampleUpdate, &cxone.Disposition{ID: 42, Notes: "Interest: PremiumPackage"},
		cxone.ActionSignal, cxone.ActionDisposition)

	res, err := client.UpdateInteraction(context.Background(), "5003", u)
	if err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}
	if res.Attempts != 2 || res.Status != http.StatusAccepted {
		t.Errorf("result = %+v, want 2 attempts ending with 202", res)
	}

	signals, dispositions := requestsOf(sim, cxonesim.KindSignal), requestsOf(sim, cxonesim.KindDisposition)
	if len(signals) != 1 || len(dispositions) != 1 {
		t.Fatalf("sim got %d signal and %d set-disposition requests, want 1 each", len(signals), len(dispositions))
	}
	if !signals[0].Answered.Before(dispositions[0].Received) {
		t.Error("set-disposition was sent before the signal was answered")
	}
	if want := "/inContactAPI/services/v30.0/contacts/5003/set-disposition"; dispositions[0].Path != want {
		t.Errorf("set-disposition path = %q, want %q", dispositions[0].Path, want)
	}

	state, _ := sim.Interaction("5003")
	want := cxonesim.DispositionState{Skill: "Sales-Premium", DispositionCode: "42", Notes: "Interest: PremiumPackage"}
	if state.Disposition == nil || *state.Disposition != want {
		t.Errorf("disposition = %+v, want %+v", state.Disposition, want)
	}
}

func TestInContactDispositionOnly(t *testing.T) {
	sim, srv := startInContactSim(t, cxonesim.Config{})
	client := newInContactClient(t, srv.URL, nil)
	u := withActions(sampleUpdate, &cxone.Disposition{ID: 7}, cxone.ActionDisposition)

	if _, err := client.UpdateInteraction(context.Background(), "5004", u); err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}
	if n := len(requestsOf(sim, cxonesim.KindSignal)); n != 0 {
		t.Errorf("sim got %d signal requests, want 0", n)
	}
	state, _ := sim.Interaction("5004")
	if state.Disposition == nil || state.Disposition.DispositionCode != "7" || state.Disposition.Notes != "" {
		t.Errorf("disposition = %+v, want code 7 without notes", state.Disposition)
	}
}

func TestInContactDispositionFailsAfterSignal(t *testing.T) {
	sim, srv := startInContactSim(t, cxonesim.Config{})
	client := newInContactClient(t, srv.URL, nil)
	// Scripted faults apply in order: the first lets the signal through
	// after a short delay, the second rejects the set-disposition.
	if err := sim.InjectFault(cxonesim.Fault{InteractionID: "5005", Latency: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if err := sim.InjectFault(cxonesim.Fault{InteractionID: "5005", Status: http.StatusUnprocessableEntity}); err != nil {
		t.Fatal(err)
	}
	u := withActions(sampleUpdate, &cxone.Disposition{ID: 42}, cxone.ActionSignal, cxone.ActionDisposition)

	res, err := client.UpdateInteraction(context.Background(), "5005", u)
	if !cxone.IsPermanent(err) {
		t.Fatalf("error = %v, want permanent", err)
	}
	e := asError(t, err)
	if e.Op != "set-disposition" {
		t.Errorf("Op = %q, want set-disposition", e.Op)
	}
	if len(e.Completed) != 1 || e.Completed[0] != cxone.ActionSignal {
		t.Errorf("Completed = %v, want [signal]", e.Completed)
	}
	if !strings.Contains(err.Error(), "after signal succeeded") {
		t.Errorf("message %q does not say that the signal succeeded", err)
	}
	if res.Attempts != 2 || e.Attempts != 2 {
		t.Errorf("attempts = %d (error %d), want 2", res.Attempts, e.Attempts)
	}
	if state, _ := sim.Interaction("5005"); state.Signals != 1 || state.Disposition != nil {
		t.Errorf("state = %+v, want one signal and no disposition", state)
	}
}

func TestInContactRejectsInvalidUpdate(t *testing.T) {
	noSkill := sampleUpdate
	noSkill.RoutingData.Skill = ""
	tests := []struct {
		name    string
		update  cxone.Update
		wantErr string
	}{
		{"unknown action", withActions(sampleUpdate, nil, "signal", "transfer"), `unknown action "transfer"`},
		{"disposition without value", withActions(sampleUpdate, nil, "disposition"), "needs Update.Disposition"},
		{"disposition id zero", withActions(sampleUpdate, &cxone.Disposition{}, "disposition"), "not positive"},
		{"disposition without skill", withActions(noSkill, &cxone.Disposition{ID: 1}, "disposition"), "needs a skill"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, srv := startInContactSim(t, cxonesim.Config{})
			client := newInContactClient(t, srv.URL, nil)

			_, err := client.UpdateInteraction(context.Background(), "5006", tt.update)
			if !cxone.IsPermanent(err) {
				t.Fatalf("error = %v, want permanent", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("message %q does not contain %q", err, tt.wantErr)
			}
			if n := len(sim.Requests()); n != 0 {
				t.Errorf("sim got %d requests, want none for an invalid update", n)
			}
		})
	}
}

func TestInContactSignalHonoursRetryAfter(t *testing.T) {
	sim, srv := startInContactSim(t, cxonesim.Config{})
	client := newInContactClient(t, srv.URL, nil)
	if err := sim.InjectFault(cxonesim.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"}); err != nil {
		t.Fatal(err)
	}

	res, err := client.UpdateInteraction(context.Background(), "5007", sampleUpdate)
	if err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}
	if res.Attempts != 2 {
		t.Errorf("attempts = %d, want 2", res.Attempts)
	}
	signals := requestsOf(sim, cxonesim.KindSignal)
	if len(signals) != 2 || signals[0].Status != http.StatusTooManyRequests || signals[1].Status != http.StatusNoContent {
		t.Fatalf("signal requests = %+v, want 429 then 204", signals)
	}
	if gap := signals[1].Received.Sub(signals[0].Answered); gap < time.Second {
		t.Errorf("retry came %v after the 429, want at least 1s", gap)
	}
	if client.PausedUntil().IsZero() {
		t.Error("PausedUntil is zero after a 429 with Retry-After")
	}
}

func TestInContactRefreshesRevokedToken(t *testing.T) {
	sim, srv := startInContactSim(t, cxonesim.Config{})
	client := newInContactClient(t, srv.URL, nil)
	if _, err := client.UpdateInteraction(context.Background(), "5008", sampleUpdate); err != nil {
		t.Fatalf("first UpdateInteraction: %v", err)
	}
	sim.RevokeTokens()

	res, err := client.UpdateInteraction(context.Background(), "5008", sampleUpdate)
	if err != nil {
		t.Fatalf("UpdateInteraction after revocation: %v", err)
	}
	if res.Attempts != 2 {
		t.Errorf("attempts = %d, want 2: a 401, then the repeat with a new token", res.Attempts)
	}
	if got := sim.Stats().TokensIssued; got != 2 {
		t.Errorf("tokens issued = %d, want 2", got)
	}
	if got := countPath(sim, "/.well-known/cxone-configuration"); got != 1 {
		t.Errorf("API endpoint discoveries = %d, want 1: a 401 does not trigger discovery", got)
	}
}

func TestInContactUnknownContactIsPermanent(t *testing.T) {
	sim, srv := startInContactSim(t, cxonesim.Config{Strict: true})
	client := newInContactClient(t, srv.URL, nil)

	res, err := client.UpdateInteraction(context.Background(), "unknown-contact", sampleUpdate)
	if !cxone.IsPermanent(err) {
		t.Fatalf("error = %v, want permanent", err)
	}
	e := asError(t, err)
	if e.Status != http.StatusNotFound || e.Op != "signal" || res.Attempts != 1 {
		t.Errorf("error = %+v after %d attempts, want signal 404 after 1", e, res.Attempts)
	}

	sim.AddInteraction("known-contact")
	if _, err := client.UpdateInteraction(context.Background(), "known-contact", sampleUpdate); err != nil {
		t.Errorf("signal to a registered contact: %v", err)
	}
}

func TestInContactDiscoveryUnavailableThenRecovers(t *testing.T) {
	sim, srv := startInContactSim(t, cxonesim.Config{})
	client := newInContactClient(t, srv.URL, nil)
	if err := sim.InjectFault(cxonesim.Fault{Endpoint: cxonesim.EndpointDiscovery, Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}

	res, err := client.UpdateInteraction(context.Background(), "5009", sampleUpdate)
	if err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}
	if res.Attempts != 2 {
		t.Errorf("attempts = %d, want 2: the first failed in discovery", res.Attempts)
	}
	if got := countPath(sim, "/.well-known/openid-configuration"); got != 2 {
		t.Errorf("token endpoint discoveries = %d, want 2", got)
	}
}

func TestInContactDiscoveryRejectedIsAuthError(t *testing.T) {
	sim, srv := startInContactSim(t, cxonesim.Config{})
	client := newInContactClient(t, srv.URL, nil)
	if err := sim.InjectFault(cxonesim.Fault{Endpoint: cxonesim.EndpointDiscovery, Status: http.StatusNotFound}); err != nil {
		t.Fatal(err)
	}

	_, err := client.UpdateInteraction(context.Background(), "5010", sampleUpdate)
	if !cxone.IsAuth(err) {
		t.Fatalf("error = %v, want ErrAuth", err)
	}
	if e := asError(t, err); e.Op != "discovery" || e.Status != http.StatusNotFound {
		t.Errorf("error = %+v, want discovery 404", e)
	}
	if !strings.Contains(err.Error(), "CXONE_ISSUER_URL") {
		t.Errorf("message %q does not name CXONE_ISSUER_URL", err)
	}

	if _, err := client.UpdateInteraction(context.Background(), "5010", sampleUpdate); err != nil {
		t.Errorf("UpdateInteraction after the fault: %v", err)
	}
}

func TestInContactRediscoversAfterConnectionErrors(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + listener.Addr().String()
	listener.Close()

	sim, srv := startInContactSim(t, cxonesim.Config{APIEndpoint: deadURL})
	client := newInContactClient(t, srv.URL, func(c *cxone.InContactConfig) { c.Retry.MaxAttempts = 3 })

	_, err = client.UpdateInteraction(context.Background(), "5011", sampleUpdate)
	if !errors.Is(err, cxone.ErrTransient) {
		t.Fatalf("error = %v, want ErrTransient while the API host refuses connections", err)
	}

	sim.SetAPIEndpoint("")
	res, err := client.UpdateInteraction(context.Background(), "5011", sampleUpdate)
	if err != nil {
		t.Fatalf("UpdateInteraction after the API endpoint moved: %v", err)
	}
	if res.Attempts != 1 {
		t.Errorf("attempts = %d, want 1: the failed endpoint was dropped", res.Attempts)
	}
	if got := countPath(sim, "/.well-known/cxone-configuration"); got != 2 {
		t.Errorf("API endpoint discoveries = %d, want 2", got)
	}
}

func TestInContactRediscoversAfterTTL(t *testing.T) {
	sim, srv := startInContactSim(t, cxonesim.Config{})
	client := newInContactClient(t, srv.URL, func(c *cxone.InContactConfig) { c.DiscoveryTTL = 50 * time.Millisecond })

	if _, err := client.UpdateInteraction(context.Background(), "5012", sampleUpdate); err != nil {
		t.Fatalf("first UpdateInteraction: %v", err)
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := client.UpdateInteraction(context.Background(), "5012", sampleUpdate); err != nil {
		t.Fatalf("second UpdateInteraction: %v", err)
	}

	if got := countPath(sim, "/.well-known/cxone-configuration"); got != 2 {
		t.Errorf("API endpoint discoveries = %d, want 2 after the TTL passed", got)
	}
	if got := client.TokenFetches(); got != 1 {
		t.Errorf("token requests = %d, want 1: the token outlives the discovery TTL", got)
	}
}

func TestInContactCachesTokenAndDiscovery(t *testing.T) {
	sim, srv := startInContactSim(t, cxonesim.Config{})
	client := newInContactClient(t, srv.URL, nil)

	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := client.UpdateInteraction(context.Background(), "5013", sampleUpdate); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("UpdateInteraction: %v", err)
	}

	stats := sim.Stats()
	if stats.TokenRequests != 1 {
		t.Errorf("token requests = %d, want 1", stats.TokenRequests)
	}
	if stats.DiscoveryRequests != 2 {
		t.Errorf("discovery requests = %d, want 2 (token endpoint and API endpoint once each)", stats.DiscoveryRequests)
	}
	if stats.SignalByStatus[http.StatusNoContent] != 20 {
		t.Errorf("signals answered 204 = %d, want 20", stats.SignalByStatus[http.StatusNoContent])
	}
}

func TestInContactBadAccessKey(t *testing.T) {
	_, srv := startInContactSim(t, cxonesim.Config{})
	client := newInContactClient(t, srv.URL, func(c *cxone.InContactConfig) { c.AccessKeySecret = "wrong=secret" })

	res, err := client.UpdateInteraction(context.Background(), "5014", sampleUpdate)
	if !cxone.IsAuth(err) {
		t.Fatalf("error = %v, want ErrAuth", err)
	}
	if cxone.IsPermanent(err) {
		t.Error("an auth failure must not be permanent")
	}
	if e := asError(t, err); e.Op != "token" || e.Status != http.StatusBadRequest {
		t.Errorf("error = %+v, want token 400", e)
	}
	if res.Attempts != 1 {
		t.Errorf("attempts = %d, want 1", res.Attempts)
	}
	for _, secret := range []string{"wrong=secret", icClientSecret} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("message %q contains a secret", err)
		}
	}
	if !strings.Contains(err.Error(), "CXONE_ACCESS_KEY_SECRET") {
		t.Errorf("message %q does not name CXONE_ACCESS_KEY_SECRET", err)
	}
}

func TestInContactBeforeAttempt(t *testing.T) {
	sim, srv := startInContactSim(t, cxonesim.Config{})
	client := newInContactClient(t, srv.URL, nil)
	if err := sim.InjectFault(cxonesim.Fault{Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}

	errStale := errors.New("a newer request exists")
	checks := 0
	check := func(context.Context) error {
		checks++
		if checks > 1 {
			return errStale
		}
		return nil
	}
	u := withActions(sampleUpdate, &cxone.Disposition{ID: 1}, cxone.ActionSignal, cxone.ActionDisposition)

	res, err := client.UpdateInteraction(context.Background(), "5015", u, cxone.BeforeAttempt(check))
	if !errors.Is(err, errStale) {
		t.Fatalf("error = %v, want the check's error", err)
	}
	if res.Attempts != 1 || checks != 2 {
		t.Errorf("attempts = %d, checks = %d, want 1 attempt and 2 checks", res.Attempts, checks)
	}
	if n := len(requestsOf(sim, cxonesim.KindDisposition)); n != 0 {
		t.Errorf("sim got %d set-disposition requests, want 0", n)
	}
}

func TestClientIgnoresInContactFields(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, nil)
	u := withActions(sampleUpdate, &cxone.Disposition{ID: 9, Notes: "n"}, cxone.ActionSignal, cxone.ActionDisposition)

	if _, err := client.UpdateInteraction(context.Background(), sampleID, u); err != nil {
		t.Fatalf("UpdateInteraction: %v", err)
	}
	state, _ := sim.Interaction(sampleID)
	want := `{"wrapUpCode":"Sales Transfer","routingData":{"priority":1,"skill":"Sales-Premium","customField":"Interest: PremiumPackage"}}`
	if string(state.Last) != want {
		t.Errorf("PATCH body = %s, want %s", state.Last, want)
	}
}
