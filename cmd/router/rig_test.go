package main

import (
	"bufio"
	"context"
	"encoding/json"

	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cxrouter/router/cxone/cxonesim"
	"github.com/cxrouter/router/queue"
)

// rig runs router processes against a NATS server and a CXone simulator
// that live in the test process, on fixed addresses, so the test can stop
// and restart either of them.
type rig struct {
	t        *testing.T
	natsDir  string
	natsPort int
	nats     *server.Server
	conn     *nats.Conn
	js       jetstream.JetStream

	sim        *cxonesim.Sim
	simAddr    string
	simServer  *http.Server
	ingestAddr string
	env        []string
}

func newRig(t *testing.T, simCfg cxonesim.Config, env ...string) *rig {
	t.Helper()
	if testing.Short() {
		t.Skip("runs router processes against NATS and the simulator")
	}

	_, portText, _ := net.SplitHostPort(freeAddr(t))
	r := &rig{t: t, natsDir: t.TempDir(), simAddr: freeAddr(t)}
	fmt.Sscanf(portText, "%d", &r.natsPort)
	r.startNATS()
	t.Cleanup(r.stopNATS)

	simCfg.ClientID, simCfg.ClientSecret = "router", "s3cret"
	r.sim = cxonesim.New(simCfg)
	r.startSim()
	t.Cleanup(r.stopSim)

	conn, err := nats.Connect(r.natsURL(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatalf("connect to NATS: %v", err)
	}
	t.Cleanup(conn.Close)
	r.conn = conn
	r.js, _ = jetstream.New(conn)

	r.env = append([]string{
		"NATS_URL=" + r.natsURL(),
		"CXONE_BASE_URL=http://" + r.simAddr,
		"CXONE_CLIENT_ID=router",
		"CXONE_CLIENT_SECRET=s3cret",
		"ROUTER_INSECURE_NO_AUTH=true",
	}, env...)
	return r
}

func (r *rig) natsURL() string { return fmt.Sprintf("nats://127.0.0.1:%d", r.natsPort) }

func (r *rig) startNATS() {
	r.t.Helper()
	srv, err := queue.StartEmbedded(queue.EmbeddedConfig{StoreDir: r.natsDir, Port: r.natsPort})
	if err != nil {
		r.t.Fatalf("start NATS: %v", err)
	}
	r.nats = srv
}

func (r *rig) stopNATS() {
	if r.nats != nil {
		r.nats.Shutdown()
		r.nats.WaitForShutdown()
		r.nats = nil
	}
}

func (r *rig) startSim() {
	r.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port of a just-closed listener can take a moment to free
		if ln, err = net.Listen("tcp", r.simAddr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		r.t.Fatalf("listen for the simulator on %s: %v", r.simAddr, err)
	}
	r.simServer = &http.Server{Handler: r.sim, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = r.simServer.Serve(ln) }()
}

func (r *rig) stopSim() {
	if r.simServer != nil {
		_ = r.simServer.Close()
		r.simServer = nil
	}
}

// startIngest starts `router ingest` and waits until /healthz responds.
func (r *rig) startIngest() *process {
	r.t.Helper()
	r.ingestAddr = freeAddr(r.t)
	p := startRouter(r.t, append(r.env, "ROUTER_HTTP_ADDR="+r.ingestAddr), "ingest")
	waitHTTP(r.t, "http://"+r.ingestAddr+"/healthz")
	return p
}

// startWorker starts `router worker` with extra environment variables and
// waits until its /readyz passes, so workers never set up the topology at
// the same moment: the race detector flags nats-server for concurrent
// stream and consumer updates.
func (r *rig) startWorker(env ...string) *process {
	r.t.Helper()
	addr := freeAddr(r.t)
	env = append(append(append([]string{}, r.env...), "ROUTER_HTTP_ADDR="+addr), env...)
	p := startRouter(r.t, env, "worker")
	waitReady(r.t, "http://"+addr)
	return p
}

// waitReady polls base/readyz until it returns 200, for at most 30 s.
func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s/readyz did not pass within 30s", base)
}

// post sends one webhook and returns the status, 0 when the request failed.
func (r *rig) post(body string) int {
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post("http://"+r.ingestAddr+"/webhook/cognigy-routing", "application/json", strings.NewReader(body))
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (r *rig) mustPost(body string) {
	r.t.Helper()
	if status := r.post(body); status != http.StatusAccepted {
		r.t.Fatalf("POST webhook: status %d, want 202", status)
	}
}

// waitForState polls until every interaction in want holds its expected
// customField in the simulator.
func (r *rig) waitForState(want map[string]string, timeout time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		missing := r.mismatches(want)
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("after %s, %d of %d interactions lack their last update, for example %s", timeout, len(missing), len(want), missing[0])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (r *rig) mismatches(want map[string]string) []string {
	var out []string
	for id, field := range want {
		state, ok := r.sim.Interaction(id)
		got := ""
		if ok {
			var body struct {
				RoutingData struct {
					CustomField string `json:"customField"`
				} `json:"routingData"`
			}
			_ = json.Unmarshal(state.Last, &body)
			got = body.RoutingData.CustomField
		}
		if got != field {
			out = append(out, fmt.Sprintf("%s: customField %q, want %q", id, got, field))
		}
	}
	return out
}

// messages returns the message count of a stream.
func (r *rig) messages(stream string) uint64 {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := r.js.Stream(ctx, stream)
	if err != nil {
		r.t.Fatalf("look up %s: %v", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		r.t.Fatalf("read %s info: %v", stream, err)
	}
	return info.State.Msgs
}

// waitDrained waits until the consumer has nothing pending or unacknowledged.
func (r *rig) waitDrained(timeout time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := r.js.Consumer(ctx, queue.StreamName, queue.ConsumerName)
		if err == nil {
			info, err := c.Info(ctx)
			if err == nil && info.NumPending == 0 && info.NumAckPending == 0 {
				cancel()
				return
			}
		}
		cancel()
		time.Sleep(100 * time.Millisecond)
	}
	r.t.Fatalf("consumer %s still has work after %s", queue.ConsumerName, timeout)
}

func webhook(id, product string) string {
	body := strings.Replace(samplePayload, "interaction-uuid-from-previous-step", id, 1)
	return strings.Replace(body, "PremiumPackage", product, 1)
}

// customField is what the default rules set for a webhook from webhook().
func customField(product string) string { return "Interest: " + product }

// logLine is one worker log line about a message.
type logLine struct {
	Time      time.Time `json:"time"`
	Outcome   string    `json:"outcome"`
	StreamSeq uint64    `json:"stream_seq"`
	Delivery  uint64    `json:"delivery"`
	Delay     float64   `json:"redelivery_delay"` // milliseconds
}

// outcomeLines parses the worker's JSON log lines that carry an outcome.
func outcomeLines(t *testing.T, output string) []logLine {
	t.Helper()
	var lines []logLine
	scanner := bufio.NewScanner(strings.NewReader(output))
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		var l logLine
		if json.Unmarshal(scanner.Bytes(), &l) == nil && l.Outcome != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// concurrentPoster posts webhooks from several goroutines and records the
// interactions ingest accepted.
type concurrentPoster struct {
	mu       sync.Mutex
	accepted map[string]string
	statuses map[int]int
}

func (p *concurrentPoster) record(id, product string, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.accepted == nil {
		p.accepted, p.statuses = map[string]string{}, map[int]int{}
	}
	p.statuses[status]++
	if status == http.StatusAccepted {
		p.accepted[id] = customField(product)
	}
}
