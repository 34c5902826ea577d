//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/cxrouter/router/cxone/cxonesim"
)

// startNATSContainer starts the NATS image with JetStream through
// testcontainers-go, its ports published on free 127.0.0.1 ports, and
// returns the client URL. The image must exist locally: it is never pulled.
func startNATSContainer(ctx context.Context, t *testing.T) string {
	t.Helper()
	ports := []string{"4222/tcp", "8222/tcp"}
	c, err := testcontainers.Run(ctx, images.nats,
		testcontainers.WithCmd("-c", "/etc/nats/router.conf", "-js", "-sd", "/data", "-m", "8222"),
		testcontainers.WithExposedPorts(ports...),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{}
			for _, p := range ports {
				hc.PortBindings[network.MustParsePort(p)] = []network.PortBinding{{HostIP: netip.MustParseAddr("127.0.0.1")}}
			}
		}),
		testcontainers.WithWaitStrategyAndDeadline(time.Minute,
			wait.ForHTTP("/healthz?js-enabled-only=true").WithPort("8222/tcp")),
	)
	testcontainers.CleanupContainer(t, c)
	if err != nil {
		t.Fatalf("start NATS container from %s: %v", images.nats, err)
	}

	port, err := c.MappedPort(ctx, "4222/tcp")
	if err != nil {
		t.Fatal(err)
	}
	return "nats://127.0.0.1:" + port.Port()
}

// process is a router subcommand running on the host.
type process struct {
	name string
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

// startRouter runs `router <subcommand>` with env and stops it with SIGTERM
// at cleanup. Its output is printed when the test fails.
func startRouter(t *testing.T, name, subcommand string, env ...string) *process {
	t.Helper()
	p := &process{name: name, logs: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(routerBinary, subcommand)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout = p.logs
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()

	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("output of %s:\n%s", name, lastLines(p.logs.String(), 30))
		}
	})
	return p
}

// waitHTTP polls url until it returns 200.
func waitHTTP(t *testing.T, url string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not return 200 within %s", url, timeout)
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer is a bytes.Buffer that a process writes while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestNATSContainerHostProcesses runs ingest and two workers on the host
// against the NATS image started by testcontainers-go, with the CXone
// simulator in the test process, and checks that 1,000 webhooks are applied.
func TestNATSContainerHostProcesses(t *testing.T) {
	ctx := context.Background()
	const total = 1000
	start := time.Now()

	natsURL := startNATSContainer(ctx, t)

	simServer := httptest.NewServer(cxonesim.New(cxonesim.Config{ClientID: "router-e2e", ClientSecret: "e2e-secret"}))
	t.Cleanup(simServer.Close)

	env := []string{
		"NATS_URL=" + natsURL,
		"CXONE_BASE_URL=" + simServer.URL,
		"CXONE_CLIENT_ID=router-e2e",
		"CXONE_CLIENT_SECRET=e2e-secret",
		"ROUTER_INSECURE_NO_AUTH=true",
	}
	ingestAddr := freeAddr(t)
	startRouter(t, "ingest", "ingest", append(env, "ROUTER_HTTP_ADDR="+ingestAddr)...)
	var workerAddrs []string
	for i := range 2 {
		addr := freeAddr(t)
		workerAddrs = append(workerAddrs, addr)
		startRouter(t, fmt.Sprintf("worker-%d", i+1), "worker", append(env, "ROUTER_HTTP_ADDR="+addr)...)
	}
	waitHTTP(t, "http://"+ingestAddr+"/healthz", time.Minute)
	for _, addr := range workerAddrs {
		waitHTTP(t, "http://"+addr+"/healthz", time.Minute)
	}

	hooks := newWebhooks("tc", total)
	sent := newSender("http://"+ingestAddr).send(ctx, hooks)
	applied := newSimClient(simServer.URL).waitApplied(ctx, t, hooks, 2*time.Minute)

	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatalf("connect to NATS: %v", err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	dlq := dlqCount(ctx, t, js)

	t.Logf("scenario=testcontainers-nats sent=%d accepted=%d retried_503=%d retried_no_answer=%d applied=%d duplicates=%d dlq=%d duration=%s",
		total, sent.accepted, sent.unavailable, sent.connErrors, applied.applied, applied.duplicates, dlq, time.Since(start).Round(time.Second))
	requireAllApplied(t, sent, applied, total)
	if dlq != 0 {
		t.Errorf("ROUTING_DLQ holds %d dead letters, want 0", dlq)
	}
}
