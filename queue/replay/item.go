package replay

import (
	"fmt"
	"strings"
	"time"
)

// Action is the step a replay took, or would take, with one message.
type Action string

const (
	ActionReplayed      Action = "replayed"
	ActionWouldReplay   Action = "would-replay"
	ActionSuperseded    Action = "skipped-superseded"
	ActionAlreadyQueued Action = "skipped-already-replayed"
	ActionFailed        Action = "failed"
)

// Item describes one message that passed the filters.
type Item struct {
	Stream      string
	Seq         uint64
	Interaction string
	Intent      string
	Reason      string // dead letters only
	Status      string // dead letters only: the last CXone status
	StoredAt    time.Time
	Action      Action
	NewSeq      uint64 // ROUTING sequence of the copy, when replayed
	Err         error  // when Action is ActionFailed
}

// String formats the item as one line of key=value pairs.
func (it Item) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s stream=%s seq=%d interaction=%s intent=%q", it.Action, it.Stream, it.Seq, it.Interaction, it.Intent)
	if it.Reason != "" {
		fmt.Fprintf(&b, " reason=%s status=%s", it.Reason, it.Status)
	}
	fmt.Fprintf(&b, " stored=%s", it.StoredAt.UTC().Format(time.RFC3339))
	if it.NewSeq != 0 {
		fmt.Fprintf(&b, " new_seq=%d", it.NewSeq)
	}
	if it.Err != nil {
		fmt.Fprintf(&b, " error=%q", it.Err.Error())
	}
	return b.String()
}

// Summary counts the actions of one replay.
type Summary struct {
	Replayed int // replayed, or would be in a dry run
	Skipped  int
	Failed   int
	DryRun   bool
}

func (s *Summary) count(a Action) {
	switch a {
	case ActionReplayed, ActionWouldReplay:
		s.Replayed++
	case ActionSuperseded, ActionAlreadyQueued:
		s.Skipped++
	case ActionFailed:
		s.Failed++
	}
}

// String formats the summary as one line.
func (s Summary) String() string {
	if s.DryRun {
		return fmt.Sprintf("dry run: would replay %d, skip %d; %d failed", s.Replayed, s.Skipped, s.Failed)
	}
	return fmt.Sprintf("replayed %d, skipped %d, failed %d", s.Replayed, s.Skipped, s.Failed)
}
