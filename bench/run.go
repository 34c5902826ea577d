package bench

import (
	"context"
	"fmt"
	"time"
)

// Run runs every section in order and returns the report. All sections
// run in one invocation, so their ratios compare runs on the same machine
// minutes apart.
func (s *Suite) Run(ctx context.Context, command string) (Report, error) {
	started := time.Now()
	report := Report{Command: command, Started: started, Machine: ReadMachine()}
	report.Machine.LoadAtStart = loadAverage()
	report.Intro = []string{fmt.Sprintf("Every process runs on this one machine and talks over 127.0.0.1: the load generator, "+
		"nats-server, the CXone simulator and the router processes share its %d cores, so absolute numbers are lower "+
		"than on separate machines and move with other load on the host. Read the ratios, which compare runs of the same "+
		"invocation. Latencies are measured by the load generator from sending a request to reading the whole response.",
		report.Machine.Cores)}

	ingestSec, ing, err := s.ingestVsRaw(ctx)
	if err != nil {
		return report, fmt.Errorf("section 1: %w", err)
	}
	if s.OnlyIngest {
		report.Sections = []Section{ingestSec}
		report.Elapsed = time.Since(started)
		report.Machine.LoadAtEnd = loadAverage()
		return report, nil
	}
	designSec, err := s.againstSyncDesign(ctx)
	if err != nil {
		return report, fmt.Errorf("section 2: %w", err)
	}
	workerSec, wrk, err := s.workerThroughput(ctx)
	if err != nil {
		return report, fmt.Errorf("section 3: %w", err)
	}
	growthSec, err := s.costAndGrowth(ctx, ing, wrk)
	if err != nil {
		return report, fmt.Errorf("section 4: %w", err)
	}
	durabilitySec := s.durabilitySetting(ing)

	report.Sections = []Section{ingestSec, designSec, workerSec, growthSec, durabilitySec}
	report.Reading = reading
	report.Elapsed = time.Since(started)
	report.Machine.LoadAtEnd = loadAverage()
	return report, nil
}
