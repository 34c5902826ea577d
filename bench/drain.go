package bench

import (
	"context"
	"time"
)

// Drain is what WatchDrain saw while workers applied a backlog.
type Drain struct {
	// Target is the number of messages to apply.
	Target int

	// Applied is the number applied when watching stopped.
	Applied int

	// FirstApplied is the time from the start of watching to the first
	// applied message, to within the poll interval.
	FirstApplied time.Duration

	// Elapsed is the time from the first applied message to the last poll.
	Elapsed time.Duration
}

// Rate returns the messages applied per second after the first one.
func (d Drain) Rate() float64 {
	if d.Elapsed <= 0 || d.Applied < 2 {
		return 0
	}
	return float64(d.Applied-1) / d.Elapsed.Seconds()
}

// Complete reports whether the whole backlog was applied.
func (d Drain) Complete() bool {
	return d.Applied >= d.Target
}

// WatchDrain polls the simulator every 20 ms until target PATCH requests
// beyond base had a 200 response, or until maxWait has passed since the
// first one, or ctx ends. base is the count before the workers started.
func WatchDrain(ctx context.Context, sim *Sim, base, target int, startupWait, maxWait time.Duration) (Drain, error) {
	d := Drain{Target: target}
	start := time.Now()
	var first time.Time

	for {
		applied, err := sim.Applied(ctx)
		if err != nil {
			return d, err
		}
		now := time.Now()
		d.Applied = applied - base

		if d.Applied > 0 && first.IsZero() {
			first = now
			d.FirstApplied = now.Sub(start)
		}
		if !first.IsZero() {
			d.Elapsed = now.Sub(first)
		}
		switch {
		case d.Applied >= target:
			return d, nil
		case !first.IsZero() && d.Elapsed >= maxWait:
			return d, nil
		case first.IsZero() && now.Sub(start) >= startupWait:
			return d, nil
		}

		select {
		case <-ctx.Done():
			return d, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
