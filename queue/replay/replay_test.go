package replay_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
	"github.com/cxrouter/router/queue/replay"
)

func body(id, intent string) []byte {
	return fmt.Appendf(nil, `{"cxoneInteractionId":%q,"intent":{"name":%q}}`, id, intent)
}

// request stores a webhook in ROUTING and returns its sequence.
func request(t *testing.T, s *queuetest.Server, id, intent string) uint64 {
	t.Helper()
	ack, err := s.JS.Publish(context.Background(), queue.Subject(id), body(id, intent))
	if err != nil {
		t.Fatalf("publish request: %v", err)
	}
	return ack.Sequence
}

// deadLetter stores a dead letter for the ROUTING message at seq.
func deadLetter(t *testing.T, s *queuetest.Server, id, intent, reason string, seq uint64) uint64 {
	t.Helper()
	msg := nats.NewMsg(queue.DLQSubject(id))
	msg.Data = body(id, intent)
	msg.Header.Set(queue.HeaderDLQReason, reason)
	msg.Header.Set(queue.HeaderDLQStatus, "404")
	msg.Header.Set(queue.HeaderDLQStreamSeq, strconv.FormatUint(seq, 10))
	ack, err := s.JS.PublishMsg(context.Background(), msg)
	if err != nil {
		t.Fatalf("publish dead letter: %v", err)
	}
	return ack.Sequence
}

func run(t *testing.T, s *queuetest.Server, opts replay.Options) (replay.Summary, []replay.Item) {
	t.Helper()
	var items []replay.Item
	summary, err := replay.Run(context.Background(), s.JS, opts, func(it replay.Item) { items = append(items, it) })
	if err != nil {
		t.Fatalf("replay.Run: %v", err)
	}
	return summary, items
}

func lastRequest(t *testing.T, s *queuetest.Server, id string) *nats.Msg {
	t.Helper()
	raw, err := s.Stream.GetLastMsgForSubject(context.Background(), queue.Subject(id))
	if err != nil {
		t.Fatalf("read last request for %s: %v", id, err)
	}
	return &nats.Msg{Subject: raw.Subject, Header: raw.Header, Data: raw.Data}
}

func TestDeadLettersReplayedAndDeleted(t *testing.T) {
	s := queuetest.Start(t, queue.DefaultTopology())
	seqA := request(t, s, "a", "TransferToSales")
	seqB := request(t, s, "b", "TransferToSupport")
	deadLetter(t, s, "a", "TransferToSales", queue.ReasonRejected, seqA)
	dlqB := deadLetter(t, s, "b", "TransferToSupport", queue.ReasonRejected, seqB)

	summary, items := run(t, s, replay.Options{Source: replay.DeadLetters})

	if summary != (replay.Summary{Replayed: 2}) {
		t.Errorf("summary = %+v, want 2 replayed", summary)
	}
	if len(items) != 2 || items[1].Action != replay.ActionReplayed || items[1].NewSeq == 0 {
		t.Errorf("items = %+v", items)
	}
	if got := s.Messages(t, queue.DLQStreamName); got != 0 {
		t.Errorf("dead letters left = %d, want 0", got)
	}
	copyB := lastRequest(t, s, "b")
	if got := copyB.Header.Get(queue.HeaderReplayOf); got != queue.DLQStreamName+":"+strconv.FormatUint(dlqB, 10) {
		t.Errorf("%s = %q, want the dead letter's stream and sequence", queue.HeaderReplayOf, got)
	}
	if string(copyB.Data) != string(body("b", "TransferToSupport")) {
		t.Errorf("copy body = %s, want the original", copyB.Data)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	s := queuetest.Start(t, queue.DefaultTopology())
	deadLetter(t, s, "a", "X", queue.ReasonRejected, request(t, s, "a", "X"))

	summary, items := run(t, s, replay.Options{Source: replay.DeadLetters, DryRun: true})

	if summary.Replayed != 1 || len(items) != 1 || items[0].Action != replay.ActionWouldReplay {
		t.Errorf("summary %+v items %+v, want one would-replay", summary, items)
	}
	if got := summary.String(); got != "dry run: would replay 1, skip 0; 0 failed" {
		t.Errorf("summary line = %q", got)
	}
	if got := s.Messages(t, queue.DLQStreamName); got != 1 {
		t.Errorf("dead letters = %d, want 1", got)
	}
	if got := s.Messages(t, queue.StreamName); got != 1 {
		t.Errorf("requests = %d, want 1", got)
	}
}

func TestFiltersSelectDeadLetters(t *testing.T) {
	s := queuetest.Start(t, queue.DefaultTopology())
	deadLetter(t, s, "a", "Sales", queue.ReasonRejected, request(t, s, "a", "Sales"))
	deadLetter(t, s, "b", "Support", queue.ReasonMaxDeliveries, request(t, s, "b", "Support"))
	deadLetter(t, s, "c", "Sales", queue.ReasonMaxDeliveries, request(t, s, "c", "Sales"))

	tests := []struct {
		name string
		opts replay.Options
		want []string
	}{
		{"interaction", replay.Options{Interaction: "b"}, []string{"b"}},
		{"intent", replay.Options{Intent: "Sales"}, []string{"a", "c"}},
		{"reason", replay.Options{Reason: queue.ReasonMaxDeliveries}, []string{"b", "c"}},
		{"limit", replay.Options{Limit: 2}, []string{"a", "b"}},
		{"since future", replay.Options{Since: time.Now().Add(time.Hour)}, nil},
		{"until past", replay.Options{Until: time.Now().Add(-time.Hour)}, nil},
		{"sequence range", replay.Options{FromSeq: 2, ToSeq: 2}, []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Source = replay.DeadLetters
			tt.opts.DryRun = true
			_, items := run(t, s, tt.opts)
			var got []string
			for _, it := range items {
				got = append(got, it.Interaction)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("selected %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSupersededDeadLetterSkippedUnlessForced(t *testing.T) {
	s := queuetest.Start(t, queue.DefaultTopology())
	old := request(t, s, "a", "Sales")
	deadLetter(t, s, "a", "Sales", queue.ReasonRejected, old)
	request(t, s, "a", "Support")

	summary, _ := run(t, s, replay.Options{Source: replay.DeadLetters})
	if summary != (replay.Summary{Skipped: 1}) {
		t.Fatalf("summary = %+v, want 1 skipped", summary)
	}
	if got := s.Messages(t, queue.DLQStreamName); got != 1 {
		t.Errorf("dead letters = %d, want 1 kept after a skip", got)
	}

	summary, _ = run(t, s, replay.Options{Source: replay.DeadLetters, Force: true})
	if summary != (replay.Summary{Replayed: 1}) {
		t.Errorf("forced summary = %+v, want 1 replayed", summary)
	}
}

func TestInterruptedReplayRunsAgainWithoutDuplicate(t *testing.T) {
	s := queuetest.Start(t, queue.DefaultTopology())
	dlq := deadLetter(t, s, "a", "Sales", queue.ReasonRejected, request(t, s, "a", "Sales"))

	// A replay that stopped after publishing the copy, before deleting the dead letter.
	copyMsg := nats.NewMsg(queue.Subject("a"))
	copyMsg.Data = body("a", "Sales")
	copyMsg.Header.Set(queue.HeaderReplayOf, queue.DLQStreamName+":"+strconv.FormatUint(dlq, 10))
	if _, err := s.JS.PublishMsg(context.Background(), copyMsg); err != nil {
		t.Fatalf("publish copy: %v", err)
	}

	summary, items := run(t, s, replay.Options{Source: replay.DeadLetters})

	if summary != (replay.Summary{Skipped: 1}) || items[0].Action != replay.ActionAlreadyQueued {
		t.Errorf("summary %+v items %+v, want one skipped-already-replayed", summary, items)
	}
	if got := s.Messages(t, queue.StreamName); got != 2 {
		t.Errorf("requests = %d, want 2: no second copy", got)
	}
	if got := s.Messages(t, queue.DLQStreamName); got != 0 {
		t.Errorf("dead letters = %d, want 0", got)
	}
}

func TestRequestsReplayedBySequence(t *testing.T) {
	s := queuetest.Start(t, queue.DefaultTopology())
	request(t, s, "a", "Sales")
	request(t, s, "b", "Sales")
	request(t, s, "a", "Support")
	request(t, s, "c", "Sales")

	summary, items := run(t, s, replay.Options{Source: replay.Requests, FromSeq: 1, ToSeq: 3})

	if summary != (replay.Summary{Replayed: 2, Skipped: 1}) {
		t.Errorf("summary = %+v, want 2 replayed and 1 skipped", summary)
	}
	if items[0].Action != replay.ActionSuperseded {
		t.Errorf("sequence 1 action = %s, want %s: sequence 3 is newer", items[0].Action, replay.ActionSuperseded)
	}
	if got := s.Messages(t, queue.StreamName); got != 6 {
		t.Errorf("requests = %d, want 6 (4 and 2 copies)", got)
	}
	if got := lastRequest(t, s, "a").Header.Get(queue.HeaderReplayOf); got != queue.StreamName+":3" {
		t.Errorf("copy of a: %s = %q, want %s:3", queue.HeaderReplayOf, got, queue.StreamName)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opts replay.Options
		want string
	}{
		{"sequence order", replay.Options{FromSeq: 5, ToSeq: 2}, "from-seq 5 is after to-seq 2"},
		{"time order", replay.Options{Since: time.Now(), Until: time.Now().Add(-time.Hour)}, "is after until"},
		{"bad interaction", replay.Options{Interaction: "a.b"}, `interaction "a.b" is invalid`},
		{"negative limit", replay.Options{Limit: -1}, "limit -1"},
		{"reason without dlq", replay.Options{Source: replay.Requests, Reason: "x"}, "needs the dead-letter source"},
		{"unknown reason", replay.Options{Source: replay.DeadLetters, Reason: "bogus"}, `reason "bogus" is not a dead-letter reason`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if err := (replay.Options{}).Validate(); err != nil {
		t.Errorf("zero Options: %v", err)
	}
}
