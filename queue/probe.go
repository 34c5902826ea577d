package queue

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/nats-io/nats.go/jetstream"
)

// probeSubject cannot belong to a real interaction: interaction ids start
// with a letter or digit.
const probeSubject = SubjectPrefix + "_probe"

// ProbePublish checks that a publish to ROUTING reaches the stream leader
// and gets a response, without storing anything. It publishes with an
// expected last sequence that no stream reaches, so the leader rejects the
// message with "wrong last sequence" (10071, or 10164 on replicated
// streams); that rejection is the success case. Any other outcome, a
// timeout included, is an error.
func ProbePublish(ctx context.Context, js jetstream.JetStream) error {
	_, err := js.Publish(ctx, probeSubject, nil,
		jetstream.WithExpectStream(StreamName),
		jetstream.WithExpectLastSequence(math.MaxUint64))

	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
		return nil
	}
	if err == nil {
		return fmt.Errorf("queue: probe publish to %s was stored; the stream accepted an impossible expected sequence", StreamName)
	}
	return fmt.Errorf("queue: probe publish to %s: %w", StreamName, err)
}
