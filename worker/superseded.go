package worker

import (
	"context"
)

// isSuperseded reports whether ROUTING already holds a newer message on the
// same subject, so applying this one would overwrite a later decision. A
// failed lookup reports false: applying twice is safe, losing is not.
func (w *Worker) isSuperseded(d delivery) bool {
	if d.streamSeq == 0 {
		return false
	}

	ctx, cancel := context.WithTimeout(context.Background(), w.cfg.JetStreamTimeout)
	defer cancel()

	last, err := w.deps.Stream.GetLastMsgForSubject(ctx, d.msg.Subject())
	if err != nil {
		w.log.Warn().Err(err).Str("interaction_id", d.interactionID).Str("msg_id", d.msgID).
			Uint64("stream_seq", d.streamSeq).Msg("last-message lookup failed; applying without the superseded check")
		return false
	}
	return last.Sequence > d.streamSeq
}
