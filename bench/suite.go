package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Binaries are the programs a Suite starts.
type Binaries struct {
	Router string // cmd/router
	Sim    string // cmd/cxone-sim
	NATS   string // github.com/nats-io/nats-server/v2
	Self   string // routerbench, for its serve-* subcommands
}

// Plan sets the sizes of a run.
type Plan struct {
	// Warmup precedes every HTTP load window.
	Warmup time.Duration

	// IngestWindow is the HTTP load window of each server of the ingest
	// and durability comparison (64 connections), split into Rounds slices.
	IngestWindow time.Duration

	// Rounds is the number of turns each server of an interleaved
	// comparison gets.
	Rounds int

	// DesignWindow is the HTTP load window of the runs at 16 connections.
	DesignWindow time.Duration

	// DrainWindow bounds how long a drain is timed after its first
	// applied message.
	DrainWindow time.Duration

	// WorkerBacklog is the backlog of the worker run at 0 ms.
	WorkerBacklog int

	// LargeBacklog is the backlog of the growth run.
	LargeBacklog int
}

// FullPlan is the plan of `make bench`.
func FullPlan() Plan {
	return Plan{
		Warmup:        500 * time.Millisecond,
		IngestWindow:  10 * time.Second,
		Rounds:        5,
		DesignWindow:  8 * time.Second,
		DrainWindow:   10 * time.Second,
		WorkerBacklog: 20000,
		LargeBacklog:  100000,
	}
}

// QuickPlan checks that every step works in about a minute. Its numbers
// are too short to publish.
func QuickPlan() Plan {
	return Plan{
		Warmup:        200 * time.Millisecond,
		IngestWindow:  time.Second,
		Rounds:        2,
		DesignWindow:  time.Second,
		DrainWindow:   time.Second,
		WorkerBacklog: 2000,
		LargeBacklog:  5000,
	}
}

// Suite runs the benchmarks. Every server listens on 127.0.0.1 only.
type Suite struct {
	Bins Binaries
	Plan Plan

	// Dir holds NATS stores, configs and profiles.
	Dir string

	// Progress receives one line per finished run.
	Progress io.Writer

	// GoTool, when set, is the go command used to print the top of the CPU
	// profiles of the in-process runs.
	GoTool string

	// OnlyIngest stops the run after section 1, for profiling ingest.
	OnlyIngest bool

	runs int

	// lastInterleave is the duration of the rounds of the last interleave.
	lastInterleave time.Duration
}

// cleanup stops the processes of one scenario in reverse start order.
type cleanup []func()

func (c *cleanup) add(f func()) { *c = append(*c, f) }

func (c *cleanup) run() {
	for i := len(*c) - 1; i >= 0; i-- {
		(*c)[i]()
	}
	*c = nil
}

func (s *Suite) logf(format string, args ...any) {
	if s.Progress != nil {
		fmt.Fprintf(s.Progress, "routerbench: "+format+"\n", args...)
	}
}

// runID returns a name unique within the suite for ids and directories.
func (s *Suite) runID(name string) string {
	s.runs++
	return name + "-" + strconv.Itoa(s.runs)
}

func (s *Suite) startNATS(c *cleanup, syncAlways bool) (*NATSServer, error) {
	dir := filepath.Join(s.Dir, s.runID("nats"))
	n, err := StartNATS(s.Bins.NATS, dir, syncAlways)
	if err != nil {
		return nil, err
	}
	c.add(func() {
		n.Stop()
		_ = os.RemoveAll(dir)
	})
	return n, nil
}

func (s *Suite) startSim(c *cleanup, latency time.Duration) (*Sim, error) {
	sim, err := StartSim(s.Bins.Sim, latency)
	if err != nil {
		return nil, err
	}
	c.add(sim.Stop)
	return sim, nil
}

// startRouterIngest starts `router ingest` and returns it with its webhook URL.
func (s *Suite) startRouterIngest(c *cleanup, natsURL string) (*Process, string, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, "", err
	}
	env := []string{"ROUTER_HTTP_ADDR=" + addr, "NATS_URL=" + natsURL, "ROUTER_INSECURE_NO_AUTH=true"}
	p, err := StartProcess("router ingest", s.Bins.Router, []string{"ingest"}, env)
	if err != nil {
		return nil, "", err
	}
	c.add(p.Stop)
	if err := p.WaitHTTP("http://"+addr+"/readyz", 30*time.Second); err != nil {
		return nil, "", err
	}
	return p, "http://" + addr + "/webhook/cognigy-routing", nil
}

// startRouterWorker starts `router worker` with concurrency calls in flight
// against the simulator. When wait is set, it returns once /readyz responds 200.
func (s *Suite) startRouterWorker(c *cleanup, natsURL, simURL string, concurrency int, wait bool) (*Process, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	env := []string{
		"ROUTER_HTTP_ADDR=" + addr, "NATS_URL=" + natsURL,
		"CXONE_BASE_URL=" + simURL, "CXONE_CLIENT_ID=" + SimClientID, "CXONE_CLIENT_SECRET=" + SimClientSecret,
		"ROUTER_WORKER_CONCURRENCY=" + strconv.Itoa(concurrency),
	}
	p, err := StartProcess("router worker", s.Bins.Router, []string{"worker"}, env)
	if err != nil {
		return nil, err
	}
	c.add(p.Stop)
	if wait {
		if err := p.WaitHTTP("http://"+addr+"/readyz", 30*time.Second); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// startSelf starts a serve-* subcommand of routerbench and returns it with
// its base URL.
func (s *Suite) startSelf(c *cleanup, name string, args ...string) (*Process, string, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, "", err
	}
	p, err := StartProcess("routerbench "+name, s.Bins.Self, append([]string{name, "-addr", addr}, args...), nil)
	if err != nil {
		return nil, "", err
	}
	c.add(p.Stop)
	if err := p.WaitHTTP("http://"+addr+"/healthz", 30*time.Second); err != nil {
		return nil, "", err
	}
	return p, "http://" + addr, nil
}

// load runs an HTTP load of webhooks against url.
func (s *Suite) load(ctx context.Context, url string, connections int, window time.Duration) (LoadResult, error) {
	l := Load{
		URL:         url,
		Connections: connections,
		Warmup:      s.Plan.Warmup,
		Duration:    window,
		Body:        WebhookBodies(s.runID("load")),
	}
	return l.Run(ctx)
}

// peakRSS returns the peak RSS of p, or 0 when it cannot be read.
func peakRSS(p *Process) uint64 {
	rss, err := p.PeakRSS()
	if err != nil {
		return 0
	}
	return rss
}
