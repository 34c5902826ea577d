package main

import (
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cxrouter/router/cxone/cxonesim"
	"github.com/cxrouter/router/queue"
)

func TestFaultyCXoneAppliesLastWebhook(t *testing.T) {
	r := newRig(t, cxonesim.Config{Rate5xx: 0.3, Rate429: 0.1, RetryAfter: "1", Seed: 7})
	r.startIngest()
	w := r.startWorker()

	const interactions, rounds = 200, 5
	want := map[string]string{}
	for round := range rounds {
		for i := range interactions {
			id, product := fmt.Sprintf("faulty-%03d", i), fmt.Sprintf("P%d", round)
			r.mustPost(webhook(id, product))
			want[id] = customField(product)
		}
	}

	r.waitForState(want, 3*time.Minute)
	r.waitDrained(30 * time.Second)
	if got := r.messages(queue.DLQStreamName); got != 0 {
		t.Errorf("dead letters = %d, want 0", got)
	}

	stats := r.sim.Stats()
	if stats.PatchRequests > 3*interactions*rounds {
		t.Errorf("PATCH requests = %d for %d webhooks: more than 3 per webhook is a retry storm", stats.PatchRequests, interactions*rounds)
	}
	checkRedeliverySchedule(t, outcomeLines(t, w.output.String()))
}

// checkRedeliverySchedule asserts that no message came back before the
// delay its last retry outcome asked for, and none came back often.
func checkRedeliverySchedule(t *testing.T, lines []logLine) {
	t.Helper()
	lastRetry := map[uint64]logLine{}
	retries := 0
	for _, l := range lines {
		if prev, ok := lastRetry[l.StreamSeq]; ok && l.Delivery > prev.Delivery {
			earliest := prev.Time.Add(time.Duration(prev.Delay*float64(time.Millisecond)) - 100*time.Millisecond)
			if l.Time.Before(earliest) {
				t.Errorf("stream_seq %d delivery %d came at %s, before the %gms delay asked at %s", l.StreamSeq, l.Delivery, l.Time, prev.Delay, prev.Time)
			}
		}
		if l.Delivery > 4 {
			t.Errorf("stream_seq %d reached delivery %d", l.StreamSeq, l.Delivery)
		}
		if l.Outcome == "retry" {
			lastRetry[l.StreamSeq] = l
			retries++
		}
	}
	t.Logf("%d outcome lines, %d handed back with a delay", len(lines), retries)
}

func TestKilledWorkerMessagesRedelivered(t *testing.T) {
	r := newRig(t, cxonesim.Config{Latency: 20 * time.Millisecond}, "ROUTER_ACK_WAIT=3s", "ROUTER_WORKER_CONCURRENCY=16")
	r.startIngest()
	victim := r.startWorker()
	r.startWorker()

	const count = 500
	want := map[string]string{}
	for i := range count {
		id := fmt.Sprintf("kill-%03d", i)
		r.mustPost(webhook(id, "Basic"))
		want[id] = customField("Basic")
	}

	deadline := time.Now().Add(30 * time.Second)
	for r.sim.Stats().PatchByStatus[http.StatusOK] < 50 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := victim.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill -9 worker: %v", err)
	}
	<-victim.done

	r.waitForState(want, 90*time.Second)
	r.waitDrained(30 * time.Second)
	if got := r.messages(queue.DLQStreamName); got != 0 {
		t.Errorf("dead letters = %d, want 0", got)
	}
}

func TestSIGTERMLosesNothing(t *testing.T) {
	r := newRig(t, cxonesim.Config{Latency: 50 * time.Millisecond}, "ROUTER_WORKER_CONCURRENCY=8")
	r.startIngest()
	first := r.startWorker()

	const count = 300
	want := map[string]string{}
	for i := range count {
		id := fmt.Sprintf("term-%03d", i)
		r.mustPost(webhook(id, "Basic"))
		want[id] = customField("Basic")
	}
	deadline := time.Now().Add(30 * time.Second)
	for r.sim.Stats().PatchByStatus[http.StatusOK] < 20 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}

	if err := first.stop(t); err != nil {
		t.Errorf("worker exit after SIGTERM: %v, want status 0", err)
	}
	if len(r.mismatches(want)) == 0 {
		t.Fatalf("all %d webhooks were applied before SIGTERM; the test needs work in flight", count)
	}
	if got := r.messages(queue.DLQStreamName); got != 0 {
		t.Errorf("dead letters after SIGTERM = %d, want 0", got)
	}

	r.startWorker()
	r.waitForState(want, 60*time.Second)
	if got := r.messages(queue.DLQStreamName); got != 0 {
		t.Errorf("dead letters = %d, want 0", got)
	}
}

func TestNATSRestartKeepsEvery202(t *testing.T) {
	r := newRig(t, cxonesim.Config{})
	r.startIngest()
	r.startWorker()

	var poster concurrentPoster
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("restart-%d-%04d", g, i)
				poster.record(id, "Basic", r.post(webhook(id, "Basic")))
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}

	time.Sleep(time.Second)
	r.stopNATS()
	time.Sleep(time.Second)
	if resp, err := http.Get("http://" + r.ingestAddr + "/readyz"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("ingest /readyz during the outage: %v %v, want 503", resp, err)
	} else {
		resp.Body.Close()
	}
	time.Sleep(2 * time.Second)
	r.startNATS()
	poster.mu.Lock()
	acceptedBeforeRestart := poster.statuses[http.StatusAccepted]
	poster.mu.Unlock()
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()

	poster.mu.Lock()
	defer poster.mu.Unlock()
	t.Logf("statuses: %v", poster.statuses)
	if poster.statuses[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no 503 while NATS was down: %v", poster.statuses)
	}
	for status := range poster.statuses {
		if status != http.StatusAccepted && status != http.StatusServiceUnavailable {
			t.Errorf("status %d seen; want only 202 and 503", status)
		}
	}
	if poster.statuses[http.StatusAccepted] == acceptedBeforeRestart {
		t.Fatalf("no 202 after NATS came back: ingest did not recover by itself")
	}
	r.waitForState(poster.accepted, 60*time.Second)
}

func TestReplayCommandAppliesDeadLetter(t *testing.T) {
	r := newRig(t, cxonesim.Config{Strict: true})
	r.startIngest()
	r.startWorker()

	r.mustPost(samplePayload)
	deadline := time.Now().Add(15 * time.Second)
	for r.messages(queue.DLQStreamName) != 1 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := r.messages(queue.DLQStreamName); got != 1 {
		t.Fatalf("dead letters = %d, want 1 after a 404", got)
	}

	out := r.replay(t, "--dlq", "--dry-run")
	if !strings.Contains(out, "would-replay stream=ROUTING_DLQ seq=1 interaction=interaction-uuid-from-previous-step") || !strings.Contains(out, "reason=cxone-rejected status=404") {
		t.Errorf("dry-run output lacks the dead letter:\n%s", out)
	}
	if got := r.messages(queue.DLQStreamName); got != 1 {
		t.Fatalf("dead letters after --dry-run = %d, want 1", got)
	}

	r.sim.AddInteraction("interaction-uuid-from-previous-step")
	out = r.replay(t, "--dlq")
	if !strings.Contains(out, "replayed 1, skipped 0, failed 0") {
		t.Errorf("replay output lacks the summary:\n%s", out)
	}
	r.waitForState(map[string]string{"interaction-uuid-from-previous-step": customField("PremiumPackage")}, 15*time.Second)
	if got := r.messages(queue.DLQStreamName); got != 0 {
		t.Errorf("dead letters after replay = %d, want 0", got)
	}
}

// replay runs `router replay` to completion and returns its output.
func (r *rig) replay(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(routerBinary, append([]string{"replay"}, args...)...)
	cmd.Env = r.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("router replay %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestCXoneOutageAppliedAfterReturn(t *testing.T) {
	r := newRig(t, cxonesim.Config{})
	r.startIngest()
	r.startWorker()

	r.stopSim()
	want := map[string]string{}
	for i := range 100 {
		id := fmt.Sprintf("outage-%03d", i)
		r.mustPost(webhook(id, "Basic"))
		want[id] = customField("Basic")
	}
	time.Sleep(20 * time.Second)
	if got := r.messages(queue.DLQStreamName); got != 0 {
		t.Fatalf("dead letters during the outage = %d, want 0", got)
	}

	r.startSim()
	r.waitForState(want, 90*time.Second)
	if got := r.messages(queue.DLQStreamName); got != 0 {
		t.Errorf("dead letters = %d, want 0", got)
	}
}

func TestTwoWorkersKeepNewestPerInteraction(t *testing.T) {
	r := newRig(t, cxonesim.Config{Latency: 30 * time.Millisecond, DropRate: 0.05, Seed: 7})
	r.startIngest()
	r.startWorker()
	r.startWorker()

	const interactions, updates = 20, 15
	want := map[string]string{}
	for round := range updates {
		for i := range interactions {
			id, product := fmt.Sprintf("order-%02d", i), fmt.Sprintf("P%02d", round)
			r.mustPost(webhook(id, product))
			want[id] = customField(product)
		}
	}

	r.waitDrained(90 * time.Second)
	if missing := r.mismatches(want); len(missing) > 0 {
		t.Errorf("%d interactions ended on an older update, for example %s", len(missing), missing[0])
	}
	if got := r.messages(queue.DLQStreamName); got != 0 {
		t.Errorf("dead letters = %d, want 0", got)
	}
}

func TestInContactProfileSignalsScript(t *testing.T) {
	r := newRig(t, cxonesim.Config{AccessKeyID: "key-id", AccessKeySecret: "key=secret/+", TenantID: "tenant-1"})
	r.env = append(r.env,
		"CXONE_API=incontact",
		"CXONE_ISSUER_URL=http://"+r.simAddr,
		"CXONE_ACCESS_KEY_ID=key-id",
		"CXONE_ACCESS_KEY_SECRET=key=secret/+",
		"CXONE_SIGNAL_PARAMS=skill,customField,priority")
	r.startIngest()
	w := r.startWorker()

	r.mustPost(samplePayload)
	deadline := time.Now().Add(15 * time.Second)
	var state cxonesim.State
	for time.Now().Before(deadline) {
		if state, _ = r.sim.Interaction("interaction-uuid-from-previous-step"); state.Signals > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}

	if state.Signals != 1 {
		t.Fatalf("signals = %d, want 1\nworker output:\n%s", state.Signals, w.output.String())
	}
	want := map[string]string{"p1": "Sales-Premium", "p2": "Interest: PremiumPackage", "p3": "1"}
	for key, value := range want {
		if got := state.LastSignal[key]; got != value {
			t.Errorf("signal %s = %q, want %q", key, got, value)
		}
	}
	if strings.Contains(w.output.String(), "key=secret/+") {
		t.Errorf("worker output contains the access key secret")
	}
}

func TestInputPathsReadCustomShape(t *testing.T) {
	r := newRig(t, cxonesim.Config{}, "ROUTER_INTERACTION_ID_PATHS=conversation.contactId", "ROUTER_INTENT_PATHS=nlu.topIntent")
	r.startIngest()
	r.startWorker()

	r.mustPost(`{"conversation":{"contactId":"custom-1"},"nlu":{"topIntent":"TransferToSupport"}}`)
	deadline := time.Now().Add(15 * time.Second)
	var state cxonesim.State
	for state.Count == 0 && time.Now().Before(deadline) {
		state, _ = r.sim.Interaction("custom-1")
		time.Sleep(50 * time.Millisecond)
	}
	assertJSON(t, state.Last, `{"wrapUpCode":"Support Transfer","routingData":{"priority":2,"skill":"Support-Tier2"}}`)

	if status := r.post(`{"cxoneInteractionId":"plain-1"}`); status != http.StatusBadRequest {
		t.Errorf("body without conversation.contactId: status %d, want 400", status)
	}
}
