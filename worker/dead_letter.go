package worker

import (
	"context"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cxrouter/router/queue"
)

// deadLetter stores a copy of the message in ROUTING_DLQ with the reason in
// its headers, then terminates the original. When the copy cannot be
// stored, the original is handed back with a delay instead. If that Nak
// fails too, the server redelivers the original after AckWait, so nothing
// is lost. The copy's Nats-Msg-Id is derived from the ROUTING sequence, so a
// crash between the two steps leaves one dead letter, not two.
func (w *Worker) deadLetter(d delivery, r result) result {
	r.outcome = OutcomeDeadLettered

	ctx, cancel := context.WithTimeout(context.Background(), w.cfg.JetStreamTimeout)
	defer cancel()

	_, err := w.deps.JetStream.PublishMsg(ctx, deadLetterMsg(d, r), jetstream.WithMsgID(deadLetterID(d)))
	if err != nil {
		r.outcome = OutcomeRetry
		r.delay = w.cfg.Redelivery.Delay(d.delivered, 0)
		r.ackErr = fmt.Errorf("store dead letter in %s: %w", queue.DLQStreamName, err)
		if nakErr := d.msg.NakWithDelay(r.delay); nakErr != nil {
			r.ackErr = fmt.Errorf("%w; then nak failed: %v", r.ackErr, nakErr)
		}
		return r
	}

	r.ackErr = d.msg.TermWithReason(r.reason)
	return r
}

func deadLetterMsg(d delivery, r result) *nats.Msg {
	id := d.interactionID
	if id == "" {
		id = "unknown"
	}

	msg := nats.NewMsg(queue.DLQSubject(id))
	msg.Data = d.msg.Data()
	for _, key := range []string{queue.HeaderRequestID, queue.HeaderReceivedAt, queue.HeaderReplayOf} {
		if v := d.msg.Headers().Get(key); v != "" {
			msg.Header.Set(key, v)
		}
	}

	msg.Header.Set(queue.HeaderDLQReason, r.reason)
	msg.Header.Set(queue.HeaderDLQStatus, strconv.Itoa(r.status))
	msg.Header.Set(queue.HeaderDLQError, boundedError(r.err))
	msg.Header.Set(queue.HeaderDLQDeliveries, strconv.FormatUint(d.delivered, 10))
	msg.Header.Set(queue.HeaderDLQStreamSeq, strconv.FormatUint(d.streamSeq, 10))
	msg.Header.Set(queue.HeaderDLQSubject, d.msg.Subject())
	msg.Header.Set(queue.HeaderDLQAcceptedAt, d.storedAt.UTC().Format(time.RFC3339Nano))
	msg.Header.Set(queue.HeaderDLQLastAttempt, time.Now().UTC().Format(time.RFC3339Nano))
	if !d.firstAttempt.IsZero() {
		msg.Header.Set(queue.HeaderDLQFirstAttempt, d.firstAttempt.UTC().Format(time.RFC3339Nano))
	}
	if d.msgID != "" {
		msg.Header.Set(queue.HeaderDLQMsgID, d.msgID)
	}
	return msg
}

func deadLetterID(d delivery) string {
	return queue.StreamName + "-" + strconv.FormatUint(d.streamSeq, 10)
}

// boundedError returns err's text cut to queue.MaxDLQErrorBytes on a rune
// boundary, with line breaks replaced because header values cannot hold them.
func boundedError(err error) string {
	if err == nil {
		return ""
	}

	text := []rune(err.Error())
	out := make([]rune, 0, len(text))
	size := 0
	for _, c := range text {
		if c == '\r' || c == '\n' {
			c = ' '
		}
		size += utf8.RuneLen(c)
		if size > queue.MaxDLQErrorBytes {
			break
		}
		out = append(out, c)
	}
	return string(out)
}
