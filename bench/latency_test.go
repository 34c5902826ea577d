package bench

import (
	"testing"
	"time"
)

func TestLatenciesPercentile(t *testing.T) {
	samples := make([]time.Duration, 0, 1000)
	for i := 1000; i >= 1; i-- {
		samples = append(samples, time.Duration(i)*time.Millisecond)
	}
	l := newLatencies(samples)

	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0.5, 500 * time.Millisecond},
		{0.99, 990 * time.Millisecond},
		{0.999, 999 * time.Millisecond},
		{1, 1000 * time.Millisecond},
		{0, time.Millisecond},
	}
	for _, tt := range tests {
		if got := l.Percentile(tt.q); got != tt.want {
			t.Errorf("Percentile(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if got := l.Max(); got != 1000*time.Millisecond {
		t.Errorf("Max() = %v, want 1s", got)
	}
}

func TestLatenciesEmpty(t *testing.T) {
	var l Latencies
	if got := l.Percentile(0.99); got != 0 {
		t.Errorf("Percentile(0.99) of no samples = %v, want 0", got)
	}
}
