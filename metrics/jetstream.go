package metrics

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxrouter/router/queue"
)

// jetStreamCollector reads stream and consumer state from the server at
// each scrape. A failed read leaves the gauges out of that scrape and
// counts the failure, so a dashboard shows a gap instead of a stale number.
type jetStreamCollector struct {
	js      jetstream.JetStream
	timeout time.Duration

	pending    *prometheus.Desc
	ackPending *prometheus.Desc
	redelivers *prometheus.Desc
	streamMsgs *prometheus.Desc
	dlqMsgs    *prometheus.Desc
	failures   prometheus.Counter
}

// NewJetStreamCollector returns a collector of the routing-workers consumer's
// pending and ack-pending counts and the message counts of ROUTING and
// ROUTING_DLQ. Each scrape makes three JetStream API calls, each bounded
// by timeout.
func NewJetStreamCollector(js jetstream.JetStream, timeout time.Duration) prometheus.Collector {
	return &jetStreamCollector{
		js:         js,
		timeout:    timeout,
		pending:    prometheus.NewDesc("router_consumer_pending_messages", "Messages in ROUTING not yet delivered to routing-workers.", nil, nil),
		ackPending: prometheus.NewDesc("router_consumer_ack_pending_messages", "Messages delivered to routing-workers and not yet acknowledged.", nil, nil),
		redelivers: prometheus.NewDesc("router_consumer_redelivered_messages", "Messages of routing-workers delivered more than once and not yet acknowledged.", nil, nil),
		streamMsgs: prometheus.NewDesc("router_stream_messages", "Messages stored in ROUTING.", nil, nil),
		dlqMsgs:    prometheus.NewDesc("router_dlq_messages", "Dead letters stored in ROUTING_DLQ.", nil, nil),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "router_jetstream_scrape_failures_total",
			Help: "Scrapes that could not read stream or consumer state from JetStream.",
		}),
	}
}

func (c *jetStreamCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.pending, c.ackPending, c.redelivers, c.streamMsgs, c.dlqMsgs} {
		ch <- d
	}
	c.failures.Describe(ch)
}

func (c *jetStreamCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()

	if consumer, err := c.js.Consumer(ctx, queue.StreamName, queue.ConsumerName); err == nil {
		info := consumer.CachedInfo()
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(info.NumPending))
		ch <- prometheus.MustNewConstMetric(c.ackPending, prometheus.GaugeValue, float64(info.NumAckPending))
		ch <- prometheus.MustNewConstMetric(c.redelivers, prometheus.GaugeValue, float64(info.NumRedelivered))
	} else {
		c.failures.Inc()
	}

	for _, s := range []struct {
		name string
		desc *prometheus.Desc
	}{{queue.StreamName, c.streamMsgs}, {queue.DLQStreamName, c.dlqMsgs}} {
		stream, err := c.js.Stream(ctx, s.name)
		if err != nil {
			c.failures.Inc()
			continue
		}
		ch <- prometheus.MustNewConstMetric(s.desc, prometheus.GaugeValue, float64(stream.CachedInfo().State.Msgs))
	}
	c.failures.Collect(ch)
}
