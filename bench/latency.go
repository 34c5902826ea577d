package bench

import (
	"slices"
	"time"
)

// Latencies is a sorted sample of request latencies.
type Latencies []time.Duration

// newLatencies sorts samples in place and returns them as Latencies.
func newLatencies(samples []time.Duration) Latencies {
	slices.Sort(samples)
	return Latencies(samples)
}

// Percentile returns the latency below which the fraction q of the sample
// lies, by the nearest-rank method, or 0 for an empty sample. q is from 0
// to 1; Percentile(0.99) is p99.
func (l Latencies) Percentile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	rank := int(q*float64(len(l))+0.999999999) - 1
	rank = max(0, min(rank, len(l)-1))
	return l[rank]
}

// Max returns the largest latency, or 0 for an empty sample.
func (l Latencies) Max() time.Duration {
	if len(l) == 0 {
		return 0
	}
	return l[len(l)-1]
}
