package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// latencyBuckets spans 0.5 ms to 10 s, for both webhook responses and CXone calls.
var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Registry holds one process's metrics.
type Registry struct {
	reg *prometheus.Registry

	ingestRequests   *prometheus.CounterVec
	ingestLatency    prometheus.Histogram
	publishLatency   prometheus.Histogram
	ingestDuplicates prometheus.Counter
	publishFailures  prometheus.Counter

	messages       *prometheus.CounterVec
	messageLatency *prometheus.HistogramVec

	cxoneLatency      *prometheus.HistogramVec
	cxoneRetries      prometheus.Counter
	retryAfterWaits   prometheus.Counter
	retryAfterSeconds prometheus.Counter
}

// New returns a Registry with the Go runtime and process collectors and
// every router metric registered.
func New() *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	r.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	r.ingestRequests = r.counterVec("router_ingest_requests_total", "Webhook requests answered, by HTTP status.", "status")
	r.ingestLatency = r.histogram("router_ingest_request_duration_seconds", "Time from webhook request to answer.")
	r.publishLatency = r.histogram("router_ingest_publish_duration_seconds", "Time from JetStream publish to PubAck or failure.")
	r.ingestDuplicates = r.counter("router_ingest_duplicates_total", "Webhooks that JetStream recognised as duplicates by Nats-Msg-Id.")
	r.publishFailures = r.counter("router_ingest_publish_failures_total", "JetStream publishes that failed or timed out; each answered 503.")

	r.messages = r.counterVec("router_worker_messages_total", "Deliveries handled, by outcome: applied, superseded, retry, dead-lettered, released.", "outcome")
	r.messageLatency = r.histogramVec("router_worker_message_duration_seconds", "Time to handle one delivery, by outcome.", "outcome")

	r.cxoneLatency = r.histogramVec("router_cxone_request_duration_seconds", "CXone HTTP requests, by operation and HTTP status; status 0 means no answer.", "operation", "status")
	r.cxoneRetries = r.counter("router_cxone_retries_total", "CXone requests repeated within one call after a retryable failure.")
	r.retryAfterWaits = r.counter("router_cxone_retry_after_waits_total", "Waits that a Retry-After header made longer than the backoff.")
	r.retryAfterSeconds = r.counter("router_cxone_retry_after_wait_seconds_total", "Total time spent waiting because of Retry-After headers.")
	return r
}

// Handler serves the metrics in the Prometheus text format.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}

// Register adds further collectors, such as gauges read from JetStream.
func (r *Registry) Register(c prometheus.Collector) error {
	return r.reg.Register(c)
}

func (r *Registry) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	r.reg.MustRegister(c)
	return c
}

func (r *Registry) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	r.reg.MustRegister(c)
	return c
}

func (r *Registry) histogram(name, help string) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: latencyBuckets})
	r.reg.MustRegister(h)
	return h
}

func (r *Registry) histogramVec(name, help string, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: latencyBuckets}, labels)
	r.reg.MustRegister(h)
	return h
}

func statusLabel(status int) string { return strconv.Itoa(status) }

func seconds(d time.Duration) float64 { return d.Seconds() }
