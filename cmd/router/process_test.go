package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cxrouter/router/cxone/cxonesim"
	"github.com/cxrouter/router/queue"
)

const samplePayload = `{"sessionId":"12345678-1234-1234-1234-123456789012","userId":"user_abc123","botId":"bot_xyz789","intent":{"name":"TransferToSales","confidence":0.95},"entities":[{"name":"ProductInterest","value":"PremiumPackage","confidence":0.98}],"cxoneInteractionId":"interaction-uuid-from-previous-step"}`

var routerBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "router-test-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	routerBinary = filepath.Join(dir, "router")
	build := exec.Command("go", "build", "-o", routerBinary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build router:", err)
		os.Exit(1)
	}

	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a router subprocess whose output the test keeps.
type process struct {
	cmd    *exec.Cmd
	output *lockedBuffer
	done   chan error
}

func startRouter(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	p := &process{output: &lockedBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(routerBinary, args...)
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	p.cmd.Stdout = p.output
	p.cmd.Stderr = p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start router %v: %v", args, err)
	}
	go func() { p.done <- p.cmd.Wait() }()

	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("router %v output:\n%s", args, p.output.String())
		}
	})
	return p
}

// stop sends SIGTERM and returns the exit error, nil for status 0.
func (p *process) stop(t *testing.T) error {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatalf("router did not exit within 20s of SIGTERM")
		return nil
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within 20s", url)
}

func postWebhook(t *testing.T, url, body string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		data, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: status %d, want 202; body %s", url, resp.StatusCode, data)
	}
}

func TestSeparateProcessesApplyEveryWebhook(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several router processes")
	}
	natsServer, err := queue.StartEmbedded(queue.EmbeddedConfig{StoreDir: t.TempDir(), Port: -1})
	if err != nil {
		t.Fatalf("start NATS: %v", err)
	}
	t.Cleanup(natsServer.Shutdown)

	sim := cxonesim.New(cxonesim.Config{ClientID: "router", ClientSecret: "s3cret"})
	simServer := httptest.NewServer(sim)
	t.Cleanup(simServer.Close)

	common := []string{
		"NATS_URL=" + natsServer.ClientURL(),
		"CXONE_BASE_URL=" + simServer.URL,
		"CXONE_CLIENT_ID=router",
		"CXONE_CLIENT_SECRET=s3cret",
		"ROUTER_INSECURE_NO_AUTH=true",
	}
	ingestAddr := freeAddr(t)
	ingestProc := startRouter(t, append(common, "ROUTER_HTTP_ADDR="+ingestAddr), "ingest")
	waitHTTP(t, "http://"+ingestAddr+"/healthz")
	var workers []*process
	var workerAddrs []string
	for range 2 {
		addr := freeAddr(t)
		workerAddrs = append(workerAddrs, addr)
		workers = append(workers, startRouter(t, append(common, "ROUTER_HTTP_ADDR="+addr), "worker"))
		waitReady(t, "http://"+addr)
	}

	webhook := "http://" + ingestAddr + "/webhook/cognigy-routing"
	postWebhook(t, webhook, samplePayload)
	const count = 50
	for i := range count {
		body := strings.Replace(samplePayload, "interaction-uuid-from-previous-step", fmt.Sprintf("proc-%02d", i), 1)
		postWebhook(t, webhook, body)
	}

	deadline := time.Now().Add(30 * time.Second)
	for sim.Stats().PatchByStatus[http.StatusOK] < count+1 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := sim.Stats().PatchByStatus[http.StatusOK]; got != count+1 {
		t.Fatalf("applied updates = %d, want %d", got, count+1)
	}
	state, _ := sim.Interaction("interaction-uuid-from-previous-step")
	assertJSON(t, state.Last, `{"wrapUpCode":"Sales Transfer","routingData":{"priority":1,"skill":"Sales-Premium","customField":"Interest: PremiumPackage"}}`)

	ingestMetrics := scrapeMetrics(t, "http://"+ingestAddr)
	if got := ingestMetrics[`router_ingest_requests_total{status="202"}`]; got != count+1 {
		t.Errorf("ingest counted %g accepted requests, want %d", got, count+1)
	}
	applied, patches := 0.0, 0.0
	for _, addr := range workerAddrs {
		waitHTTP(t, "http://"+addr+"/healthz")
		series := scrapeMetrics(t, "http://"+addr)
		applied += series[`router_worker_messages_total{outcome="applied"}`]
		patches += series[`router_cxone_request_duration_seconds_count{operation="update",status="200"}`]
		// A worker fetches its token at its first call, and some worker may get no message.
		if got := series["router_cxone_token_requests_total"]; got > 1 {
			t.Errorf("worker %s counted %g token requests, want at most 1", addr, got)
		}
		assertReady(t, "http://"+addr)
	}
	if applied != count+1 {
		t.Errorf("workers counted %g applied messages, want %d", applied, count+1)
	}
	if got := float64(sim.Stats().PatchByStatus[http.StatusOK]); patches != got {
		t.Errorf("workers counted %g PATCH 200 responses, the simulator %g", patches, got)
	}
	assertReady(t, "http://"+ingestAddr)

	for i, w := range workers {
		if err := w.stop(t); err != nil {
			t.Errorf("worker %d exit: %v, want status 0", i, err)
		}
	}
	if err := ingestProc.stop(t); err != nil {
		t.Errorf("ingest exit: %v, want status 0", err)
	}
	if strings.Contains(ingestProc.output.String()+workers[0].output.String(), "s3cret") {
		t.Errorf("a log contains the CXone client secret")
	}
}

func TestDevAppliesSamplePayload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a router process")
	}
	httpAddr, simAddr, natsAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	dev := startRouter(t, []string{
		"ROUTER_HTTP_ADDR=" + httpAddr,
		"ROUTER_DEV_SIM_ADDR=" + simAddr,
		"ROUTER_DEV_NATS_ADDR=" + natsAddr,
		"ROUTER_DATA_DIR=" + t.TempDir(),
	}, "dev")
	waitHTTP(t, "http://"+httpAddr+"/healthz")

	postWebhook(t, "http://"+httpAddr+"/webhook/cognigy-routing", samplePayload)

	var state cxonesim.State
	deadline := time.Now().Add(15 * time.Second)
	for state.Count == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		resp, err := http.Get("http://" + simAddr + "/sim/interactions/interaction-uuid-from-previous-step")
		if err != nil {
			continue
		}
		_ = json.NewDecoder(resp.Body).Decode(&state)
		resp.Body.Close()
	}
	if state.Count != 1 {
		t.Fatalf("simulator update count = %d, want 1", state.Count)
	}
	assertJSON(t, state.Last, `{"wrapUpCode":"Sales Transfer","routingData":{"priority":1,"skill":"Sales-Premium","customField":"Interest: PremiumPackage"}}`)

	if err := dev.stop(t); err != nil {
		t.Errorf("dev exit: %v, want status 0", err)
	}
	if !strings.Contains(dev.output.String(), "in-process simulator") {
		t.Errorf("dev log does not say the simulator is in use:\n%s", dev.output.String())
	}
}

// scrapeMetrics reads base/metrics into a map from series to value.
func scrapeMetrics(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatalf("GET %s/metrics: %v", base, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)

	series := map[string]float64{}
	for _, line := range strings.Split(string(data), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		var v float64
		if _, err := fmt.Sscanf(value, "%g", &v); err == nil {
			series[name] = v
		}
	}
	return series
}

func assertReady(t *testing.T, base string) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatalf("GET %s/readyz: %v", base, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ready":true`) {
		t.Errorf("%s/readyz: status %d body %s, want 200 and ready", base, resp.StatusCode, body)
	}
}

func assertJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("decode %s: %v", got, err)
	}
	_ = json.Unmarshal([]byte(want), &w)
	gotText, _ := json.Marshal(g)
	wantText, _ := json.Marshal(w)
	if !bytes.Equal(gotText, wantText) {
		t.Errorf("JSON = %s, want %s", gotText, wantText)
	}
}

// lockedBuffer collects a subprocess's output for the test's failure report.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
