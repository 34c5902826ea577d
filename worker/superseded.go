package worker

import (
	"context"
	"errors"
)

// errSuperseded stops a CXone call whose request a newer one replaced.
var errSuperseded = errors.New("a newer request for this interaction is in the stream")

// checkSuperseded runs before every CXone attempt. It reads from ROUTING the
// last message on d's subject and returns errSuperseded when it is newer
// than d. Limits retention keeps every request, so the lookup
// needs no extra writes. A failed lookup lets the attempt go ahead:
// applying twice is safe, losing an update is not.
//
// A replayed message is newer than everything stored before the replay, so
// this check treats it like a fresh webhook. `router replay` skips dead
// letters whose interaction got a newer request, unless --force is given.
func (w *Worker) checkSuperseded(ctx context.Context, d delivery) error {
	if !w.cfg.SkipSuperseded || d.streamSeq == 0 {
		return nil
	}

	lookupCtx, cancel := context.WithTimeout(ctx, w.cfg.JetStreamTimeout)
	defer cancel()
	last, err := w.deps.Stream.GetLastMsgForSubject(lookupCtx, d.msg.Subject())
	if err != nil {
		w.log.Warn().Err(err).Str("interaction_id", d.interactionID).Str("msg_id", d.msgID).
			Uint64("stream_seq", d.streamSeq).Msg("last-message lookup failed; applying without the superseded check")
		return nil
	}

	if last.Sequence > d.streamSeq {
		return errSuperseded
	}
	return nil
}
