package bench

import (
	"context"
	"fmt"
	"time"
)

// Memory targets of section 4.
const (
	ingestRSSTarget = 64 << 20
	workerRSSTarget = 128 << 20
)

// scaleRun is ingest under load while worker processes drain a backlog.
type scaleRun struct {
	Workers   int
	Load      LoadResult
	Applied   int
	Elapsed   time.Duration
	IngestRSS uint64
	WorkerRSS uint64
}

// measureScale preloads a backlog, starts ingest and worker processes with
// 64 in flight each against the simulator at latency, and runs the ingest
// load while they drain.
func (s *Suite) measureScale(ctx context.Context, workers int, latency time.Duration) (scaleRun, error) {
	var c cleanup
	defer c.run()
	run := scaleRun{Workers: workers}

	sim, err := s.startSim(&c, latency)
	if err != nil {
		return run, err
	}
	n, err := s.startNATS(&c, false)
	if err != nil {
		return run, err
	}
	window := s.Plan.Warmup + s.Plan.DesignWindow
	ceiling := float64(workers*64) / latency.Seconds()
	if err := Preload(ctx, n.URL, int(ceiling*window.Seconds()*1.5)+1, s.runID("scale")); err != nil {
		return run, err
	}
	ingestProc, url, err := s.startRouterIngest(&c, n.URL)
	if err != nil {
		return run, err
	}
	var procs []*Process
	for range workers {
		p, err := s.startRouterWorker(&c, n.URL, sim.URL, 64, true)
		if err != nil {
			return run, err
		}
		procs = append(procs, p)
	}

	before, err := sim.Applied(ctx)
	if err != nil {
		return run, err
	}
	started := time.Now()
	if run.Load, err = s.load(ctx, url, designConnections, s.Plan.DesignWindow); err != nil {
		return run, err
	}
	run.Elapsed = time.Since(started)
	after, err := sim.Applied(ctx)
	if err != nil {
		return run, err
	}
	run.Applied = after - before
	run.IngestRSS = peakRSS(ingestProc)
	for _, p := range procs {
		run.WorkerRSS = max(run.WorkerRSS, peakRSS(p))
	}
	s.logf("ingest with %d workers at %s: %s, p99 %s, workers %s", workers, latency, FormatRate(run.Load.Rate()),
		FormatLatency(run.Load.Latencies.Percentile(0.99)), FormatRate(float64(run.Applied)/run.Elapsed.Seconds()))
	return run, nil
}

// costAndGrowth measures section 4.
func (s *Suite) costAndGrowth(ctx context.Context, ing ingestResults, wrk workerResults) (Section, error) {
	const latency = 50 * time.Millisecond
	var scale []scaleRun
	for _, workers := range []int{0, 1, 4} {
		run, err := s.measureScale(ctx, workers, latency)
		if err != nil {
			return Section{}, err
		}
		scale = append(scale, run)
	}
	large, err := s.measureDrain(ctx, drainSpec{name: fmt.Sprintf("1 router worker, 0 ms, backlog %d", s.Plan.LargeBacklog), concurrency: 64, workers: 1, backlog: s.Plan.LargeBacklog})
	if err != nil {
		return Section{}, err
	}

	sec := Section{
		Title: "4. Cost and growth",
		Setup: []string{"Peak RSS is VmHWM from /proc/PID/status, read when the load ended. " +
			fmt.Sprintf("The scaling runs preload a backlog of 1.5 × what the workers can apply in the window, start `router ingest` "+
				"and 0, 1 or 4 `router worker` processes (64 in flight each) against the simulator at %d ms, and post webhooks "+
				"at %d connections for %s while the workers drain; the workers' rate is the PATCH requests with a 200 response from the "+
				"start of the warm-up to the end of the window. The large-backlog run is section 3's 0 ms run with %d messages.",
				latency.Milliseconds(), designConnections, s.Plan.DesignWindow, s.Plan.LargeBacklog)},
	}

	rss := Table{Header: []string{"process", "under", "peak RSS", "target", "verdict"}}
	rss.AddRow("router ingest", fmt.Sprintf("section 1, %d connections", ingestConnections), FormatMiB(ing.binary.RSS), "≤ 64 MiB", Verdict(ing.binary.RSS <= ingestRSSTarget))
	rss.AddRow("ingest.Handler with AsyncPublisher", fmt.Sprintf("section 1, %d connections", ingestConnections), FormatMiB(ing.inAsync.RSS), "≤ 64 MiB", Verdict(ing.inAsync.RSS <= ingestRSSTarget))
	rss.AddRow("router worker", "section 3, 0 ms, 64 in flight", FormatMiB(wrk.zero.WorkerRSS), "–", "–")
	rss.AddRow("router worker", "section 3, 50 ms, 256 in flight", FormatMiB(wrk.rss256), "≤ 128 MiB", Verdict(wrk.rss256 <= workerRSSTarget))
	rss.AddRow("router worker", fmt.Sprintf("backlog of %d, 64 in flight", s.Plan.LargeBacklog), FormatMiB(large.WorkerRSS), "–", "–")
	rss.AddRow("nats-server", fmt.Sprintf("section 1, router ingest at %d connections", ingestConnections), FormatMiB(ing.binary.NATSRSS), "–", "–")
	sec.Tables = append(sec.Tables, rss)

	t := Table{Header: []string{"worker processes", "ingest req/s", "ingest p50", "ingest p99", "ingest p99.9", "workers applied/s", "ceiling (N × 64 ÷ 50 ms)", "peak RSS ingest", "peak RSS worker"}}
	for _, r := range scale {
		l := r.Load.Latencies
		applied, ceiling, workerRSS := "–", "–", "–"
		if r.Workers > 0 {
			applied = FormatRate(float64(r.Applied) / r.Elapsed.Seconds())
			ceiling = FormatRate(float64(r.Workers*64) / latency.Seconds())
			workerRSS = FormatMiB(r.WorkerRSS)
		}
		t.AddRow(fmt.Sprint(r.Workers), FormatRate(r.Load.Rate()), FormatLatency(l.Percentile(0.5)), FormatLatency(l.Percentile(0.99)),
			FormatLatency(l.Percentile(0.999)), applied, ceiling, FormatMiB(r.IngestRSS), workerRSS)
	}
	sec.Tables = append(sec.Tables, t)

	backlog := Table{Header: []string{"backlog", "first applied after start", "drain rate", "applied in the window", "rate ÷ small backlog"}}
	for _, d := range []drainRun{wrk.zero, large} {
		backlog.AddRow(fmt.Sprint(d.Backlog), FormatLatency(d.Drain.FirstApplied), FormatRate(d.Drain.Rate()),
			fmt.Sprint(d.Drain.Applied), FormatRatio(d.Drain.Rate()/wrk.zero.Drain.Rate()))
	}
	sec.Tables = append(sec.Tables, backlog, drainCPUTable(wrk.zero, large))
	return sec, nil
}
