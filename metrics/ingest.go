package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cxrouter/router/ingest"
)

// ObservePublisher wraps p so every publish feeds the publish latency,
// failure and duplicate metrics.
func (r *Registry) ObservePublisher(p ingest.Publisher) ingest.Publisher {
	return &observedPublisher{next: p, reg: r}
}

type observedPublisher struct {
	next ingest.Publisher
	reg  *Registry
}

func (p *observedPublisher) PublishMsg(ctx context.Context, msg *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	start := time.Now()
	ack, err := p.next.PublishMsg(ctx, msg, opts...)
	p.reg.publishLatency.Observe(seconds(time.Since(start)))

	switch {
	case err != nil:
		p.reg.publishFailures.Inc()
	case ack != nil && ack.Duplicate:
		p.reg.ingestDuplicates.Inc()
	}
	return ack, err
}

// ObserveRequests wraps next so every request to path feeds the request
// count by status and the request latency.
func (r *Registry) ObserveRequests(path string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != path {
			next.ServeHTTP(w, req)
			return
		}

		start := time.Now()
		recorder := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(recorder, req)
		r.ingestRequests.WithLabelValues(statusLabel(recorder.status)).Inc()
		r.ingestLatency.Observe(seconds(time.Since(start)))
	})
}

// statusRecorder keeps the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
