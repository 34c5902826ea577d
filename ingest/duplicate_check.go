package ingest

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// StoredMessages reads a stored message by stream sequence. The ROUTING
// jetstream.Stream implements it.
type StoredMessages interface {
	GetMsg(ctx context.Context, seq uint64, opts ...jetstream.GetMsgOpt) (*jetstream.RawStreamMsg, error)
}

// Option changes a Handler.
type Option func(*Handler)

// WithDuplicateCheck makes the handler compare a request that JetStream
// reports as a duplicate with the message stored first under the same
// Nats-Msg-Id, which the PubAck's sequence points to. It responds 422
// instead of a 202 that would silently drop the request when
//
//   - an Idempotency-Key is reused for another interaction or another body,
//     as the IETF Idempotency-Key header draft prescribes, or
//   - a sessionId and inputId pair is reused for another interaction.
//
// The same pair with another body for the same interaction stays a
// duplicate, because Cognigy identifies one input by that pair. Without this
// option, every duplicate gets 202 with "duplicate": true.
func WithDuplicateCheck(stored StoredMessages) Option {
	return func(h *Handler) { h.stored = stored }
}

// lookupTimeout bounds the read of the first message in a duplicate check.
const lookupTimeout = 2 * time.Second

// checkDuplicate returns a conflict error when the message stored at seq
// has another subject or body. A failed lookup returns only lookupErr: the
// request is then treated as the retry it most likely is.
func (h *Handler) checkDuplicate(ctx context.Context, seq uint64, msg *nats.Msg, source idSource) (conflict error, lookupErr error) {
	if source == idFromBody {
		return nil, nil // the id is the body's hash, and the subject comes from the body
	}

	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	stored, err := h.stored.GetMsg(ctx, seq)
	if err != nil {
		return nil, err
	}

	switch {
	case stored.Subject != msg.Subject && source == idFromKey:
		return fmt.Errorf("%s was already used within the duplicate window for another interaction (stream sequence %d); send a new key for each request", HeaderIdempotencyKey, seq), nil
	case stored.Subject != msg.Subject:
		return fmt.Errorf("sessionId and inputId were already used within the duplicate window for another interaction (stream sequence %d); send a unique inputId for each input", seq), nil
	case source == idFromKey && !bytes.Equal(stored.Data, msg.Data):
		return fmt.Errorf("%s was already used within the duplicate window for another body (stream sequence %d); repeat the original body unchanged or send a new key", HeaderIdempotencyKey, seq), nil
	}
	return nil, nil
}
