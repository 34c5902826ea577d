package bench

import (
	"context"
	"fmt"
	"time"
)

// designConnections is the connection count of the runs against the
// synchronous design.
const designConnections = 16

// syncDesign returns the spec of the synchronous handler against a
// simulator with latency.
func (s *Suite) syncDesign(latency time.Duration) serverSpec {
	var sim *Sim
	return serverSpec{
		name: fmt.Sprintf("synchronous handler, %d ms", latency.Milliseconds()),
		start: func(c *cleanup, _ string) (*Process, string, error) {
			var err error
			if sim, err = s.startSim(c, latency); err != nil {
				return nil, "", err
			}
			p, base, err := s.startSelf(c, "serve-sync", "-sim", sim.URL)
			return p, base + "/webhook/cognigy-routing", err
		},
		finish: func(ctx context.Context, run *serverRun) (err error) {
			run.Applied, err = sim.Applied(ctx)
			return err
		},
	}
}

// queuedDesign returns the spec of `router ingest` plus one `router worker`
// (64 in flight) against a simulator with latency.
func (s *Suite) queuedDesign(latency time.Duration) serverSpec {
	var sim *Sim
	return serverSpec{
		name:     fmt.Sprintf("router ingest + 1 router worker, %d ms", latency.Milliseconds()),
		withNATS: true,
		start: func(c *cleanup, natsURL string) (*Process, string, error) {
			var err error
			if sim, err = s.startSim(c, latency); err != nil {
				return nil, "", err
			}
			p, url, err := s.startRouterIngest(c, natsURL)
			if err != nil {
				return nil, "", err
			}
			if _, err := s.startRouterWorker(c, natsURL, sim.URL, 64, true); err != nil {
				return nil, "", err
			}
			return p, url, nil
		},
		finish: func(ctx context.Context, run *serverRun) (err error) {
			run.Applied, err = sim.Applied(ctx)
			return err
		},
	}
}

// againstSyncDesign measures section 2.
func (s *Suite) againstSyncDesign(ctx context.Context) (Section, error) {
	specs := []serverSpec{
		s.syncDesign(0), s.queuedDesign(0),
		s.syncDesign(100 * time.Millisecond), s.queuedDesign(100 * time.Millisecond),
	}
	runs, err := s.interleave(ctx, specs, designConnections, s.Plan.DesignWindow)
	if err != nil {
		return Section{}, err
	}
	elapsed := s.lastInterleave

	sec := Section{
		Title: "2. Against the synchronous design",
		Setup: []string{fmt.Sprintf("%d connections against a cxone-sim process with 0 ms or 100 ms added to every API response. "+
			"The synchronous handler (`bench.SyncHandler`, in a routerbench process) parses the webhook, applies the default rules "+
			"and sends the PATCH with `cxone.Client` (token cached) before it responds, so its throughput is bounded by "+
			"connections ÷ CXone latency: %d ÷ 0.1 s = %d req/s. The queued design is `router ingest` plus one `router worker` "+
			"(`ROUTER_WORKER_CONCURRENCY=64`) with its own nats-server and simulator; its callers wait only for the PubAck. "+
			"The four setups run at once and take turns as in section 1: %d rounds of %s after a %s warm-up each, %s per row in all. "+
			"The workers keep draining their backlog between their turns, so they also take CPU from the other rows. "+
			"\"Applied\" counts the PATCH requests each simulator responded 200 to over the %s of the rounds.",
			designConnections, designConnections, designConnections*10,
			s.Plan.Rounds, s.Plan.DesignWindow/time.Duration(s.Plan.Rounds), s.Plan.Warmup, s.Plan.DesignWindow, elapsed.Round(time.Second))},
	}

	t := Table{Header: []string{"design", "req/s", "p50", "p99", "p99.9", "non-2xx + errors", "applied in CXone", "worker applied/s over all rounds"}}
	for i, r := range runs {
		l := r.Load.Latencies
		workerRate := "–"
		if i%2 == 1 {
			workerRate = FormatRate(float64(r.Applied) / elapsed.Seconds())
		}
		t.AddRow(r.Name, FormatRate(r.Load.Rate()),
			FormatLatency(l.Percentile(0.5)), FormatLatency(l.Percentile(0.99)), FormatLatency(l.Percentile(0.999)),
			fmt.Sprint(r.Load.Non2xx()+r.Load.Errors), fmt.Sprint(r.Applied), workerRate)
	}
	sec.Tables = append(sec.Tables, t)

	sync0, queued0, sync100, queued100 := runs[0], runs[1], runs[2], runs[3]
	speedup := queued100.Load.Rate() / sync100.Load.Rate()
	p99Change := float64(queued100.Load.Latencies.Percentile(0.99))/float64(queued0.Load.Latencies.Percentile(0.99)) - 1
	targets := Table{Header: []string{"target", "measured", "verdict"}}
	targets.AddRow("ingest req/s ÷ synchronous req/s at 100 ms ≥ 50", fmt.Sprintf("%.0f", speedup), Verdict(speedup >= 50))
	targets.AddRow("ingest p99 change from 0 to 100 ms ≤ +10 %", fmt.Sprintf("%+.0f %%", p99Change*100), Verdict(p99Change <= 0.10))
	targets.AddRow("(context) synchronous req/s ÷ bound of 160 req/s at 100 ms", FormatRatio(sync100.Load.Rate()/float64(designConnections*10)), "–")
	targets.AddRow("(context) synchronous p99 at 0 ms → 100 ms",
		FormatLatency(sync0.Load.Latencies.Percentile(0.99))+" → "+FormatLatency(sync100.Load.Latencies.Percentile(0.99)), "–")
	sec.Tables = append(sec.Tables, targets)
	return sec, nil
}
