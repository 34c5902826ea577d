package queue

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Topology sets the stream and consumer limits. The zero value is not
// usable: start from DefaultTopology and change fields.
type Topology struct {
	// MaxAge is how long ROUTING keeps a request. Default 72 h.
	MaxAge time.Duration

	// DuplicateWindow is how long a Nats-Msg-Id is remembered. Default 2 min.
	DuplicateWindow time.Duration

	// DLQMaxAge is how long ROUTING_DLQ keeps a dead letter. Default 14 days.
	DLQMaxAge time.Duration

	// Replicas is the stream replica count: 1 for one server, 3 for a cluster. Default 1.
	Replicas int

	// AckWait is how long the server waits for an ack before redelivering.
	// Workers send InProgress while a call takes longer. Default 30 s.
	AckWait time.Duration

	// MaxDeliver bounds deliveries of one message. Default 20.
	MaxDeliver int

	// MaxAckPending bounds unacknowledged messages across all workers.
	// At this count the server stops delivering without an error, so it
	// must exceed twice the sum of all workers' in-flight limits, because
	// each worker also buffers up to its limit. Default 10000.
	MaxAckPending int
}

// DefaultTopology returns the limits used when nothing is configured.
func DefaultTopology() Topology {
	return Topology{
		MaxAge:          72 * time.Hour,
		DuplicateWindow: 2 * time.Minute,
		DLQMaxAge:       14 * 24 * time.Hour,
		Replicas:        1,
		AckWait:         30 * time.Second,
		MaxDeliver:      20,
		MaxAckPending:   10000,
	}
}

// Validate reports the first field that cannot work.
func (t Topology) Validate() error {
	switch {
	case t.MaxAge <= 0:
		return fmt.Errorf("queue: MaxAge %s must be positive", t.MaxAge)
	case t.DuplicateWindow <= 0 || t.DuplicateWindow > t.MaxAge:
		return fmt.Errorf("queue: DuplicateWindow %s must be positive and at most MaxAge %s", t.DuplicateWindow, t.MaxAge)
	case t.DLQMaxAge <= 0:
		return fmt.Errorf("queue: DLQMaxAge %s must be positive", t.DLQMaxAge)
	case t.Replicas < 1 || t.Replicas > 5:
		return fmt.Errorf("queue: Replicas %d must be between 1 and 5", t.Replicas)
	case t.AckWait < time.Second:
		return fmt.Errorf("queue: AckWait %s must be at least 1s", t.AckWait)
	case t.MaxDeliver < 2:
		return fmt.Errorf("queue: MaxDeliver %d must be at least 2 so a failed attempt can be retried", t.MaxDeliver)
	case t.MaxAckPending < 1:
		return fmt.Errorf("queue: MaxAckPending %d must be positive", t.MaxAckPending)
	}
	return nil
}

// StreamConfig returns the configuration of the ROUTING stream.
func (t Topology) StreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        StreamName,
		Description: "Cognigy routing requests accepted by ingest",
		Subjects:    []string{StreamSubjects},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      t.MaxAge,
		Duplicates:  t.DuplicateWindow,
		Replicas:    t.Replicas,
		AllowDirect: true,
	}
}

// DLQStreamConfig returns the configuration of the ROUTING_DLQ stream.
func (t Topology) DLQStreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        DLQStreamName,
		Description: "Routing requests that failed permanently or ran out of deliveries",
		Subjects:    []string{DLQStreamSubjects},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      t.DLQMaxAge,
		Replicas:    t.Replicas,
		AllowDirect: true,
	}
}

// ConsumerConfig returns the configuration of the routing-workers consumer.
func (t Topology) ConsumerConfig() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       ConsumerName,
		Description:   "Workers that apply routing requests to CXone",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       t.AckWait,
		MaxDeliver:    t.MaxDeliver,
		MaxAckPending: t.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		FilterSubject: StreamSubjects,
		Replicas:      t.Replicas,
	}
}

// EnsureStreams creates or updates ROUTING and ROUTING_DLQ. Several processes
// may call it at once: the server applies identical configurations as no-ops.
func EnsureStreams(ctx context.Context, js jetstream.JetStream, t Topology) (jetstream.Stream, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}

	stream, err := ensureStream(ctx, js, t.StreamConfig())
	if err != nil {
		return nil, err
	}
	if _, err := ensureStream(ctx, js, t.DLQStreamConfig()); err != nil {
		return nil, err
	}
	return stream, nil
}

// ensureStream looks the stream up first and sends an update only when its
// configuration differs from want. Every process calls it at start, and
// skipping the no-op updates keeps concurrent starts from racing each
// other's stream and consumer changes on the server.
func ensureStream(ctx context.Context, js jetstream.JetStream, want jetstream.StreamConfig) (jetstream.Stream, error) {
	stream, err := js.Stream(ctx, want.Name)
	if err == nil && streamMatches(stream.CachedInfo().Config, want) {
		return stream, nil
	}

	stream, err = js.CreateOrUpdateStream(ctx, want)
	if err != nil {
		return nil, fmt.Errorf("queue: create or update stream %s: %w", want.Name, err)
	}
	return stream, nil
}

func streamMatches(got, want jetstream.StreamConfig) bool {
	return slices.Equal(got.Subjects, want.Subjects) &&
		got.Description == want.Description &&
		got.Retention == want.Retention &&
		got.Storage == want.Storage &&
		got.MaxAge == want.MaxAge &&
		(want.Duplicates == 0 || got.Duplicates == want.Duplicates) &&
		got.Replicas == want.Replicas &&
		got.AllowDirect == want.AllowDirect
}

// EnsureConsumer creates or updates the routing-workers consumer on stream.
func EnsureConsumer(ctx context.Context, stream jetstream.Stream, t Topology) (jetstream.Consumer, error) {
	want := t.ConsumerConfig()
	if consumer, err := stream.Consumer(ctx, ConsumerName); err == nil && consumerMatches(consumer.CachedInfo().Config, want) {
		return consumer, nil
	}

	consumer, err := stream.CreateOrUpdateConsumer(ctx, want)
	if err != nil {
		return nil, fmt.Errorf("queue: create or update consumer %s on %s: %w", ConsumerName, StreamName, err)
	}
	return consumer, nil
}

func consumerMatches(got, want jetstream.ConsumerConfig) bool {
	return got.Durable == want.Durable &&
		got.Description == want.Description &&
		got.AckPolicy == want.AckPolicy &&
		got.AckWait == want.AckWait &&
		got.MaxDeliver == want.MaxDeliver &&
		got.MaxAckPending == want.MaxAckPending &&
		got.DeliverPolicy == want.DeliverPolicy &&
		got.FilterSubject == want.FilterSubject &&
		got.Replicas == want.Replicas
}

// Ensure creates or updates both streams and the consumer, returning the
// ROUTING stream and the consumer.
func Ensure(ctx context.Context, js jetstream.JetStream, t Topology) (jetstream.Stream, jetstream.Consumer, error) {
	stream, err := EnsureStreams(ctx, js, t)
	if err != nil {
		return nil, nil, err
	}

	consumer, err := EnsureConsumer(ctx, stream, t)
	if err != nil {
		return nil, nil, err
	}
	return stream, consumer, nil
}

// LockBucketConfig returns the configuration of the ROUTING_LOCKS bucket. A
// lock expires AckWait after its last refresh, so the lock of a killed worker
// frees itself as its messages are redelivered. File storage keeps the
// bucket across a NATS restart.
func (t Topology) LockBucketConfig() jetstream.KeyValueConfig {
	return jetstream.KeyValueConfig{
		Bucket:      LockBucket,
		Description: "Per-interaction locks of routing workers",
		TTL:         t.AckWait,
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
	}
}

// EnsureLockBucket creates the ROUTING_LOCKS bucket, or updates it when its
// TTL differs from AckWait.
func EnsureLockBucket(ctx context.Context, js jetstream.JetStream, t Topology) (jetstream.KeyValue, error) {
	want := t.LockBucketConfig()
	if kv, err := js.KeyValue(ctx, want.Bucket); err == nil {
		status, err := kv.Status(ctx)
		if err == nil && status.TTL() == want.TTL {
			return kv, nil
		}
	}

	kv, err := js.CreateOrUpdateKeyValue(ctx, want)
	if err != nil {
		return nil, fmt.Errorf("queue: create or update key-value bucket %s: %w", LockBucket, err)
	}
	return kv, nil
}
