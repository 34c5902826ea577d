package worker

import (
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cxrouter/router/queue"
)

// delivery is one delivered message with the fields that every log line
// about it carries.
type delivery struct {
	msg           jetstream.Msg
	interactionID string
	msgID         string
	requestID     string
	streamSeq     uint64
	delivered     uint64
	storedAt      time.Time
	replayOf      string
	firstAttempt  time.Time // zero when another process made the first attempt
}

func newDelivery(msg jetstream.Msg) delivery {
	d := delivery{msg: msg}
	d.interactionID, _ = queue.InteractionFromSubject(msg.Subject())

	headers := msg.Headers()
	d.msgID = headers.Get(queue.HeaderMsgID)
	d.requestID = headers.Get(queue.HeaderRequestID)
	d.replayOf = headers.Get(queue.HeaderReplayOf)

	if meta, err := msg.Metadata(); err == nil {
		d.streamSeq = meta.Sequence.Stream
		d.delivered = meta.NumDelivered
		d.storedAt = meta.Timestamp
	}
	return d
}
