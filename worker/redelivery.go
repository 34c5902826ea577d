package worker

import (
	"fmt"
	"time"
)

// Redelivery is the schedule of delays between deliveries of a message whose
// CXone call failed for a reason that may pass. It works across processes:
// the delay rides on NakWithDelay, so the server holds the message.
//
// The delay before delivery n+1, after delivery n failed, is
//
//	delay(n) = min(Initial × Multiplier^(n-1), Max)
//
// raised to the server's Retry-After when that is longer. With the defaults
// (Initial 2 s, Multiplier 2, Max 5 min):
//
//	failed delivery   delay
//	1                 2 s
//	2                 4 s
//	3                 8 s
//	4                 16 s
//	5                 32 s
//	6                 64 s
//	7                 128 s
//	8                 256 s
//	9 and later       300 s
//
// Twenty deliveries with these delays span about 68 minutes, on top of each
// delivery's own in-process retries.
type Redelivery struct {
	Initial    time.Duration
	Multiplier float64
	Max        time.Duration
}

// DefaultRedelivery returns Initial 2 s, Multiplier 2, Max 5 min.
func DefaultRedelivery() Redelivery {
	return Redelivery{Initial: 2 * time.Second, Multiplier: 2, Max: 5 * time.Minute}
}

// Validate reports the first field that cannot work.
func (r Redelivery) Validate() error {
	switch {
	case r.Initial <= 0:
		return fmt.Errorf("worker: Redelivery.Initial %s must be positive", r.Initial)
	case r.Multiplier < 1:
		return fmt.Errorf("worker: Redelivery.Multiplier %g must be at least 1", r.Multiplier)
	case r.Max < r.Initial:
		return fmt.Errorf("worker: Redelivery.Max %s must be at least Initial %s", r.Max, r.Initial)
	}
	return nil
}

// Delay returns the delay after failed delivery number delivered (1-based),
// at least retryAfter.
func (r Redelivery) Delay(delivered uint64, retryAfter time.Duration) time.Duration {
	delay := float64(r.Initial)
	for i := uint64(1); i < delivered && delay < float64(r.Max); i++ {
		delay *= r.Multiplier
	}

	d := min(time.Duration(delay), r.Max)
	return max(d, retryAfter)
}
