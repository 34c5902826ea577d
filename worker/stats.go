package worker

import "sync/atomic"

// Stats counts outcomes since the Worker was created.
type Stats struct {
	Applied      uint64
	Superseded   uint64
	Retried      uint64
	DeadLettered uint64
	Released     uint64
}

type counters struct {
	applied, superseded, retried, deadLettered, released atomic.Uint64
}

func (c *counters) count(o Outcome) {
	switch o {
	case OutcomeApplied:
		c.applied.Add(1)
	case OutcomeSuperseded:
		c.superseded.Add(1)
	case OutcomeRetry:
		c.retried.Add(1)
	case OutcomeDeadLettered:
		c.deadLettered.Add(1)
	case OutcomeReleased:
		c.released.Add(1)
	}
}

// Stats returns the outcome counts so far. It is safe to call at any time.
func (w *Worker) Stats() Stats {
	return Stats{
		Applied:      w.counters.applied.Load(),
		Superseded:   w.counters.superseded.Load(),
		Retried:      w.counters.retried.Load(),
		DeadLettered: w.counters.deadLettered.Load(),
		Released:     w.counters.released.Load(),
	}
}
