package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Request implements cxone.Observer.
func (r *Registry) Request(op string, status int, latency time.Duration) {
	r.cxoneLatency.WithLabelValues(op, statusLabel(status)).Observe(seconds(latency))
}

// Retry implements cxone.Observer.
func (r *Registry) Retry(wait time.Duration, retryAfter bool) {
	r.cxoneRetries.Inc()
	if retryAfter {
		r.retryAfterWaits.Inc()
		r.retryAfterSeconds.Add(seconds(wait))
	}
}

// ObserveTokenFetches exports fetches, the count of OAuth token requests
// of a CXone client, as router_cxone_token_requests_total.
func (r *Registry) ObserveTokenFetches(fetches func() int64) error {
	return r.reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "router_cxone_token_requests_total",
		Help: "OAuth token requests sent to CXone: the first token and every refresh.",
	}, func() float64 { return float64(fetches()) }))
}
