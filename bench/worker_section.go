package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

// drainRun is one worker drain of a preloaded backlog.
type drainRun struct {
	Name        string
	Latency     time.Duration
	Concurrency int
	Workers     int
	Backlog     int
	Drain       Drain
	WorkerRSS   uint64 // largest peak RSS of the worker processes

	// CPU time used from the start of the workers to the end of the drain.
	CPUWorkers, CPUNATS, CPUSim time.Duration
}

// cpuPerMessage formats CPU time per applied message in microseconds.
func (d drainRun) cpuPerMessage(cpu time.Duration) string {
	if d.Drain.Applied == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f µs", float64(cpu.Microseconds())/float64(d.Drain.Applied))
}

// drainSpec describes a drain run. profile, when set, runs the worker in
// a routerbench process (serve-worker) that writes a CPU profile there,
// instead of the router binary.
type drainSpec struct {
	name        string
	latency     time.Duration
	concurrency int
	workers     int
	backlog     int
	profile     string
}

// measureDrain preloads the backlog, starts the worker processes and times
// the drain.
func (s *Suite) measureDrain(ctx context.Context, spec drainSpec) (drainRun, error) {
	var c cleanup
	defer c.run()
	run := drainRun{Name: spec.name, Latency: spec.latency, Concurrency: spec.concurrency, Workers: spec.workers, Backlog: spec.backlog}

	sim, err := s.startSim(&c, spec.latency)
	if err != nil {
		return run, err
	}
	n, err := s.startNATS(&c, false)
	if err != nil {
		return run, err
	}
	if err := Preload(ctx, n.URL, spec.backlog, s.runID("backlog")); err != nil {
		return run, err
	}

	cpuNATS0, _ := n.CPUTime()
	cpuSim0, _ := sim.CPUTime()
	var procs []*Process
	for range spec.workers {
		var p *Process
		if spec.profile != "" {
			p, _, err = s.startSelf(&c, "serve-worker", "-nats", n.URL, "-sim", sim.URL,
				"-concurrency", fmt.Sprint(spec.concurrency), "-cpuprofile", spec.profile)
		} else {
			p, err = s.startRouterWorker(&c, n.URL, sim.URL, spec.concurrency, false)
		}
		if err != nil {
			return run, err
		}
		procs = append(procs, p)
	}
	if run.Drain, err = WatchDrain(ctx, sim, 0, spec.backlog, 30*time.Second, s.Plan.DrainWindow); err != nil {
		return run, err
	}

	for _, p := range procs {
		run.WorkerRSS = max(run.WorkerRSS, peakRSS(p))
		cpu, _ := p.CPUTime()
		run.CPUWorkers += cpu
	}
	cpuNATS1, _ := n.CPUTime()
	cpuSim1, _ := sim.CPUTime()
	run.CPUNATS, run.CPUSim = cpuNATS1-cpuNATS0, cpuSim1-cpuSim0
	s.logf("%s: %d of %d applied, %s, first after %s", spec.name, run.Drain.Applied, spec.backlog,
		FormatRate(run.Drain.Rate()), run.Drain.FirstApplied.Round(time.Millisecond))
	return run, nil
}

// measureBareLoop runs the bare PATCH loop against a fresh simulator.
func (s *Suite) measureBareLoop(ctx context.Context, latency time.Duration, concurrency, requests int) (BareResult, error) {
	var c cleanup
	defer c.run()
	sim, err := s.startSim(&c, latency)
	if err != nil {
		return BareResult{}, err
	}
	res, err := BareLoop{Sim: sim, Concurrency: concurrency, Requests: requests, Run: s.runID("bare")}.Do(ctx)
	s.logf("bare PATCH loop at %s, %d in flight: %d applied, %s", latency, concurrency, res.Applied, FormatRate(res.Rate()))
	return res, err
}

// workerResults holds the runs of section 3 that section 4 refers to.
type workerResults struct {
	zero   drainRun
	bare   BareResult
	at50   []drainRun
	rss256 uint64

	// profiled repeats the 256-in-flight run in a routerbench process with
	// a CPU profile.
	profiled drainRun
}

// workerThroughput measures section 3.
func (s *Suite) workerThroughput(ctx context.Context) (Section, workerResults, error) {
	var r workerResults
	var err error
	const concurrency = 64

	if r.bare, err = s.measureBareLoop(ctx, 0, concurrency, s.Plan.WorkerBacklog); err != nil {
		return Section{}, r, err
	}
	if r.zero, err = s.measureDrain(ctx, drainSpec{name: "1 router worker, 0 ms", concurrency: concurrency, workers: 1, backlog: s.Plan.WorkerBacklog}); err != nil {
		return Section{}, r, err
	}

	const latency = 50 * time.Millisecond
	for _, c := range []int{64, 256} {
		ideal := float64(c) / latency.Seconds()
		backlog := int(ideal*s.Plan.DrainWindow.Seconds()) + c
		spec := drainSpec{name: fmt.Sprintf("1 router worker, 50 ms, %d in flight", c), latency: latency, concurrency: c, workers: 1, backlog: backlog}
		run, err := s.measureDrain(ctx, spec)
		if err != nil {
			return Section{}, r, err
		}
		r.at50 = append(r.at50, run)
		if c == 256 {
			r.rss256 = run.WorkerRSS
			spec.name = "worker.Worker in routerbench, 50 ms, 256 in flight (profiled)"
			spec.profile = filepath.Join(s.Dir, "worker.cpu.pprof")
			if r.profiled, err = s.measureDrain(ctx, spec); err != nil {
				return Section{}, r, err
			}
		}
	}

	sec := Section{
		Title: "3. Worker throughput",
		Setup: []string{fmt.Sprintf("Each run preloads ROUTING with a backlog of webhooks, each for its own interaction, "+
			"then starts one `router worker` process and counts the PATCH requests the cxone-sim process responded 200 to "+
			"(polling `/sim/stats` every 20 ms). The rate runs from the first applied message to the end, at most %s after it; "+
			"\"first applied\" is the time from starting the process. The bare loop is %d goroutines in the routerbench process "+
			"sending the same PATCH requests with one token, over one kept-alive connection each.",
			s.Plan.DrainWindow, concurrency)},
	}

	t := Table{Header: []string{"run", "CXone latency", "in flight", "backlog", "applied", "msg/s", "first applied", "peak RSS worker"}}
	t.AddRow("bare PATCH loop", "0 ms", fmt.Sprint(concurrency), fmt.Sprint(s.Plan.WorkerBacklog), fmt.Sprint(r.bare.Applied), FormatRate(r.bare.Rate()), "–", "–")
	drains := append([]drainRun{r.zero}, r.at50...)
	drains = append(drains, r.profiled)
	for _, d := range drains {
		t.AddRow(d.Name, fmt.Sprintf("%d ms", d.Latency.Milliseconds()), fmt.Sprint(d.Concurrency), fmt.Sprint(d.Backlog),
			fmt.Sprint(d.Drain.Applied), FormatRate(d.Drain.Rate()), FormatLatency(d.Drain.FirstApplied), FormatMiB(d.WorkerRSS))
	}
	sec.Tables = append(sec.Tables, t)
	sec.Tables = append(sec.Tables, drainCPUTable(drains...))

	targets := Table{Header: []string{"target", "measured", "verdict"}}
	ratio := r.zero.Drain.Rate() / r.bare.Rate()
	targets.AddRow("worker ÷ bare loop at 0 ms, 64 in flight ≥ 0.6", FormatRatio(ratio), Verdict(ratio >= 0.6))
	for _, d := range r.at50 {
		ideal := float64(d.Concurrency) / latency.Seconds()
		ratio := d.Drain.Rate() / ideal
		targets.AddRow(fmt.Sprintf("worker ÷ %d/0.05 s = %.0f/s at 50 ms ≥ 0.9", d.Concurrency, ideal), FormatRatio(ratio), Verdict(ratio >= 0.9))
	}
	sec.Tables = append(sec.Tables, targets)
	if top := s.profileTop(filepath.Join(s.Dir, "worker.cpu.pprof")); top != "" {
		sec.Notes = append(sec.Notes, "Top of the CPU profile of the profiled worker process (`go tool pprof -top`):")
		sec.Code = top
	}
	return sec, r, nil
}

// drainCPUTable shows the CPU time per applied message of each process.
func drainCPUTable(runs ...drainRun) Table {
	t := Table{Header: []string{"run", "CPU per message: worker", "nats-server", "cxone-sim", "total", "cores busy (total × msg/s)"}}
	for _, d := range runs {
		total := d.CPUWorkers + d.CPUNATS + d.CPUSim
		busy := "–"
		if d.Drain.Applied > 0 {
			busy = fmt.Sprintf("%.2f", total.Seconds()/float64(d.Drain.Applied)*d.Drain.Rate())
		}
		t.AddRow(d.Name, d.cpuPerMessage(d.CPUWorkers), d.cpuPerMessage(d.CPUNATS), d.cpuPerMessage(d.CPUSim), d.cpuPerMessage(total), busy)
	}
	return t
}
