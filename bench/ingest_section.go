package bench

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ingestConnections is the connection count of the ingest throughput runs.
const ingestConnections = 64

// serverRun is one HTTP server under load.
type serverRun struct {
	Name string
	Load LoadResult

	// Stored is the number of messages in ROUTING after the run; -1 when
	// the server stores nothing.
	Stored int64

	RSS     uint64 // peak RSS of the server process
	NATSRSS uint64 // peak RSS of nats-server, 0 without one

	// CPU time used during the loads, warm-ups included, by the load
	// generator (the routerbench process), the server and nats-server.
	CPULoad, CPUServer, CPUNATS time.Duration

	// Applied counts the PATCH requests the simulator responded 200 to,
	// for servers that call CXone.
	Applied int
}

// cpuPerRequest formats CPU time per 2xx response in microseconds.
func (r serverRun) cpuPerRequest(cpu time.Duration) string {
	if r.Load.Total2xx == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f µs", float64(cpu.Microseconds())/float64(r.Load.Total2xx))
}

// startServer starts the server under test against natsURL ("" for none)
// and returns it with its webhook URL.
type startServer func(c *cleanup, natsURL string) (*Process, string, error)

// serverSpec is one server of an interleaved comparison.
type serverSpec struct {
	name       string
	withNATS   bool
	syncAlways bool
	start      startServer

	// finish, when set, runs after the last round, before the processes stop.
	finish func(ctx context.Context, run *serverRun) error
}

// running is a started serverSpec.
type running struct {
	spec  serverSpec
	proc  *Process
	nats  *NATSServer
	url   string
	loads []LoadResult

	cpuLoad, cpuServer, cpuNATS time.Duration
}

// cpuNow returns the CPU times of the load generator, the server and its
// nats-server; 0 for what cannot be read.
func (r *running) cpuNow() (load, server, nats time.Duration) {
	load = SelfCPUTime()
	server, _ = r.proc.CPUTime()
	if r.nats != nil {
		nats, _ = r.nats.CPUTime()
	}
	return load, server, nats
}

// interleave starts every server, each with its own nats-server when it
// needs one, and loads them in turn: Plan.Rounds rounds, each giving every
// server an equal slice of window, in reverse order on odd rounds. Noise on
// a shared machine then spreads over all servers instead of deciding the
// comparison.
func (s *Suite) interleave(ctx context.Context, specs []serverSpec, connections int, window time.Duration) ([]serverRun, error) {
	var c cleanup
	defer c.run()

	servers := make([]*running, len(specs))
	for i, spec := range specs {
		r := &running{spec: spec}
		natsURL := ""
		if spec.withNATS {
			n, err := s.startNATS(&c, spec.syncAlways)
			if err != nil {
				return nil, err
			}
			r.nats, natsURL = n, n.URL
		}
		proc, url, err := spec.start(&c, natsURL)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", spec.name, err)
		}
		r.proc, r.url = proc, url
		servers[i] = r
	}

	started := time.Now()
	slice := window / time.Duration(s.Plan.Rounds)
	for round := range s.Plan.Rounds {
		order := slices.Clone(servers)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, r := range order {
			load0, server0, nats0 := r.cpuNow()
			res, err := s.load(ctx, r.url, connections, slice)
			if err != nil {
				return nil, err
			}
			load1, server1, nats1 := r.cpuNow()
			r.cpuLoad += load1 - load0
			r.cpuServer += server1 - server0
			r.cpuNATS += nats1 - nats0
			r.loads = append(r.loads, res)
		}
	}

	s.lastInterleave = time.Since(started)
	runs := make([]serverRun, len(servers))
	for i, r := range servers {
		run := serverRun{Name: r.spec.name, Load: MergeLoads(r.loads), Stored: -1, RSS: peakRSS(r.proc),
			CPULoad: r.cpuLoad, CPUServer: r.cpuServer, CPUNATS: r.cpuNATS}
		if r.nats != nil {
			run.NATSRSS = peakRSS(r.nats.Process)
			stored, err := r.nats.StreamMessages(ctx)
			if err != nil {
				return nil, err
			}
			run.Stored = int64(stored)
		}
		if r.spec.finish != nil {
			if err := r.spec.finish(ctx, &run); err != nil {
				return nil, err
			}
		}
		s.logf("%s: %s, p99 %s, %d non-2xx, %d errors", run.Name, FormatRate(run.Load.Rate()),
			FormatLatency(run.Load.Latencies.Percentile(0.99)), run.Load.Non2xx(), run.Load.Errors)
		runs[i] = run
	}
	return runs, nil
}

func (s *Suite) rawServer(c *cleanup, _ string) (*Process, string, error) {
	p, base, err := s.startSelf(c, "serve-raw")
	return p, base + "/webhook/cognigy-routing", err
}

func (s *Suite) inProcessIngest(publisher, profile string) startServer {
	return func(c *cleanup, natsURL string) (*Process, string, error) {
		args := []string{"-nats", natsURL, "-publisher", publisher}
		if profile != "" {
			args = append(args, "-cpuprofile", profile)
		}
		p, base, err := s.startSelf(c, "serve-ingest", args...)
		return p, base + "/webhook/cognigy-routing", err
	}
}

// ingestResults holds the runs of the ingest and durability sections, which
// later sections refer to.
type ingestResults struct {
	raw, binary, inSync, inAsync serverRun
	syncAlwaysBinary             serverRun
	syncAlwaysAsync              serverRun
	profile                      string
}

// ingestVsRaw measures sections 1 and 5 in one interleaved comparison and
// returns section 1.
func (s *Suite) ingestVsRaw(ctx context.Context) (Section, ingestResults, error) {
	var r ingestResults
	r.profile = filepath.Join(s.Dir, "ingest-async.cpu.pprof")

	specs := []serverSpec{
		{name: "bare net/http handler", start: s.rawServer},
		{name: "router ingest (binary)", withNATS: true, start: s.startRouterIngest},
		{name: "ingest.Handler, synchronous publish", withNATS: true, start: s.inProcessIngest(PublisherSync, "")},
		{name: "ingest.Handler, AsyncPublisher", withNATS: true, start: s.inProcessIngest(PublisherAsync, r.profile)},
		{name: "router ingest (binary), sync_interval: always", withNATS: true, syncAlways: true, start: s.startRouterIngest},
		{name: "ingest.Handler, AsyncPublisher, sync_interval: always", withNATS: true, syncAlways: true, start: s.inProcessIngest(PublisherAsync, "")},
	}
	runs, err := s.interleave(ctx, specs, ingestConnections, s.Plan.IngestWindow)
	if err != nil {
		return Section{}, r, err
	}
	r.raw, r.binary, r.inSync, r.inAsync, r.syncAlwaysBinary, r.syncAlwaysAsync = runs[0], runs[1], runs[2], runs[3], runs[4], runs[5]

	sec := Section{
		Title: "1. Ingest against raw HTTP",
		Setup: []string{fmt.Sprintf("The load generator keeps %d connections busy, each posting "+
			"a ~250-byte webhook with its own interaction id as soon as the previous response arrived. "+
			"Each server runs as its own process, with its own nats-server process where it needs one (JetStream on file storage, "+
			"default fsync interval). The bare handler reads the body and responds 202. `router ingest` "+
			"is the real binary (`ROUTER_INSECURE_NO_AUTH=true`, JSON log lines to /dev/null). The two `ingest.Handler` rows run "+
			"the same handler, config and publish metrics in a routerbench process, once with the synchronous "+
			"`jetstream.JetStream.PublishMsg` and once with `ingest.AsyncPublisher`, which the binary uses. "+
			"All servers of this section and of section 5 run at once and take turns: %d rounds, each giving every server "+
			"%s of load after a %s warm-up, so each row sums %s of measurement spread over the whole run.",
			ingestConnections, s.Plan.Rounds, s.Plan.IngestWindow/time.Duration(s.Plan.Rounds), s.Plan.Warmup, s.Plan.IngestWindow)},
	}
	sec.Tables = append(sec.Tables, throughputTable(r.raw, r.raw, r.binary, r.inSync, r.inAsync))
	sec.Tables = append(sec.Tables, cpuTable(r.raw, r.binary, r.inSync, r.inAsync))
	sec.Tables = append(sec.Tables, durabilityTable(r.binary, r.inSync, r.inAsync))

	targets := Table{Header: []string{"target", "measured", "verdict"}}
	for _, run := range []serverRun{r.binary, r.inAsync} {
		ratio := run.Load.Rate() / r.raw.Load.Rate()
		targets.AddRow(run.Name+" ÷ bare handler ≥ 0.7", FormatRatio(ratio), Verdict(ratio >= 0.7))
	}
	sec.Tables = append(sec.Tables, targets)
	if top := s.profileTop(r.profile); top != "" {
		sec.Notes = append(sec.Notes, "Top of the CPU profile of the `ingest.Handler, AsyncPublisher` process over the whole section "+
			"(`go tool pprof -top`); it covers only that process, not nats-server or the load generator:")
		sec.Code = top
	}
	return sec, r, nil
}

// durabilitySetting returns section 5 from the runs of ingestVsRaw.
func (s *Suite) durabilitySetting(r ingestResults) Section {
	sec := Section{
		Title: "5. Durability setting: fsync every write",
		Setup: []string{"Two servers of section 1 again, in the same interleaved runs, each with a nats-server configured " +
			"with `sync_interval: always` in its `jetstream` block: the server fsyncs each write before it sends the PubAck, " +
			"so a 202 survives a machine crash of a single server. By default nats-server fsyncs every 2 minutes, so a machine " +
			"crash (not a process crash) can lose acknowledged messages unless the stream is replicated (`NATS_REPLICAS=3`)."},
	}
	t := Table{Header: []string{"server", "req/s default", "req/s always", "always ÷ default", "p99 default", "p99 always", "p99.9 always"}}
	for _, pair := range [][2]serverRun{{r.binary, r.syncAlwaysBinary}, {r.inAsync, r.syncAlwaysAsync}} {
		always := pair[1].Load.Latencies
		t.AddRow(pair[0].Name, FormatRate(pair[0].Load.Rate()), FormatRate(pair[1].Load.Rate()),
			FormatRatio(pair[1].Load.Rate()/pair[0].Load.Rate()),
			FormatLatency(pair[0].Load.Latencies.Percentile(0.99)), FormatLatency(always.Percentile(0.99)), FormatLatency(always.Percentile(0.999)))
	}
	sec.Tables = append(sec.Tables, t, durabilityTable(r.syncAlwaysBinary, r.syncAlwaysAsync))
	return sec
}

func throughputTable(baseline serverRun, runs ...serverRun) Table {
	t := Table{Header: []string{"server", "req/s", "p50", "p99", "p99.9", "max", "non-2xx + errors", "÷ bare handler", "peak RSS server", "peak RSS nats-server"}}
	for _, run := range runs {
		natsRSS := "–"
		if run.NATSRSS > 0 {
			natsRSS = FormatMiB(run.NATSRSS)
		}
		l := run.Load.Latencies
		t.AddRow(run.Name, FormatRate(run.Load.Rate()),
			FormatLatency(l.Percentile(0.5)), FormatLatency(l.Percentile(0.99)), FormatLatency(l.Percentile(0.999)), FormatLatency(l.Max()),
			fmt.Sprint(run.Load.Non2xx()+run.Load.Errors),
			FormatRatio(run.Load.Rate()/baseline.Load.Rate()), FormatMiB(run.RSS), natsRSS)
	}
	return t
}

// cpuTable shows where the CPU time of each request went.
func cpuTable(runs ...serverRun) Table {
	t := Table{Header: []string{"server", "CPU per request: load generator", "server", "nats-server", "total"}}
	for _, run := range runs {
		nats := "–"
		if run.CPUNATS > 0 {
			nats = run.cpuPerRequest(run.CPUNATS)
		}
		t.AddRow(run.Name, run.cpuPerRequest(run.CPULoad), run.cpuPerRequest(run.CPUServer), nats,
			run.cpuPerRequest(run.CPULoad+run.CPUServer+run.CPUNATS))
	}
	return t
}

// durabilityTable compares the 202 responses with the messages stored.
func durabilityTable(runs ...serverRun) Table {
	t := Table{Header: []string{"server", "202 responses (whole run)", "messages in ROUTING", "every 202 stored"}}
	for _, run := range runs {
		t.AddRow(run.Name, fmt.Sprint(run.Load.Total2xx), fmt.Sprint(run.Stored), yesNo(run.Stored >= int64(run.Load.Total2xx)))
	}
	return t
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "**no**"
}

// profileTop returns the top of a CPU profile, or a line saying why there
// is none.
func (s *Suite) profileTop(profile string) string {
	if s.GoTool == "" {
		return ""
	}
	out, err := exec.Command(s.GoTool, "tool", "pprof", "-top", "-nodecount=25", s.Bins.Self, profile).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("go tool pprof failed: %v\n%s", err, out)
	}
	// Drop the header lines about the binary and build id.
	lines := strings.Split(string(out), "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "Showing nodes") || strings.HasPrefix(line, "Duration:") {
			return strings.Join(lines[i:], "\n")
		}
	}
	return string(out)
}
