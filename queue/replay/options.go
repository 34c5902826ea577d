package replay

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cxrouter/router/mapping"
	"github.com/cxrouter/router/queue"
)

// Source selects the stream a replay reads.
type Source int

const (
	// DeadLetters reads ROUTING_DLQ and deletes each dead letter it replays.
	DeadLetters Source = iota

	// Requests reads ROUTING and leaves the originals in place.
	Requests
)

// Options select the messages to replay. Zero fields select everything.
type Options struct {
	Source Source

	// FromSeq and ToSeq bound the source stream sequence, both inclusive.
	FromSeq, ToSeq uint64

	// Since and Until bound the time the source stream stored a message.
	Since, Until time.Time

	// Interaction keeps only messages for this interaction id.
	Interaction string

	// Intent keeps only requests with this intent name.
	Intent string

	// Reason keeps only dead letters with this reason class.
	Reason string

	// Limit stops after this many messages were replayed or would be. 0 means no limit.
	Limit int

	// DryRun reports what would be replayed and changes nothing.
	DryRun bool

	// Force replays superseded messages too.
	Force bool
}

// reasons are the dead-letter reason classes a filter can name.
var reasons = []string{queue.ReasonRejected, queue.ReasonInvalidPayload, queue.ReasonNoRule, queue.ReasonMaxDeliveries}

// Validate reports the first option that cannot work.
func (o Options) Validate() error {
	switch {
	case o.Source != DeadLetters && o.Source != Requests:
		return fmt.Errorf("replay: unknown source %d", o.Source)
	case o.ToSeq != 0 && o.FromSeq > o.ToSeq:
		return fmt.Errorf("replay: from-seq %d is after to-seq %d", o.FromSeq, o.ToSeq)
	case !o.Since.IsZero() && !o.Until.IsZero() && o.Since.After(o.Until):
		return fmt.Errorf("replay: since %s is after until %s", o.Since.Format(time.RFC3339), o.Until.Format(time.RFC3339))
	case o.Interaction != "" && !mapping.InteractionIDPattern.MatchString(o.Interaction):
		return fmt.Errorf("replay: interaction %q is invalid; it must match %s", o.Interaction, mapping.InteractionIDPattern)
	case o.Limit < 0:
		return fmt.Errorf("replay: limit %d must not be negative", o.Limit)
	case o.Reason != "" && o.Source != DeadLetters:
		return errors.New("replay: a reason filter needs the dead-letter source (--dlq)")
	case o.Reason != "" && !slices.Contains(reasons, o.Reason):
		return fmt.Errorf("replay: reason %q is not a dead-letter reason; use one of %s", o.Reason, strings.Join(reasons, ", "))
	}
	return nil
}
