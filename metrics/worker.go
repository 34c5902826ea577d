package metrics

import (
	"time"

	"github.com/cxrouter/router/worker"
)

// MessageDone implements worker.Observer.
func (r *Registry) MessageDone(outcome worker.Outcome, latency time.Duration) {
	r.messages.WithLabelValues(string(outcome)).Inc()
	r.messageLatency.WithLabelValues(string(outcome)).Observe(seconds(latency))
}
