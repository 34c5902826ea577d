// Package metrics exports the router's Prometheus metrics. The ingest,
// worker and cxone packages report events through small observer
// interfaces, and this package implements them, so those packages do not
// depend on Prometheus.
//
// Every name starts with "router_". Counters end in _total and durations
// are histograms in seconds.
package metrics
