package ingest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/cxrouter/router/mapping"
)

// Request headers that ingest reads.
const (
	// HeaderIdempotencyKey, when present, becomes the Nats-Msg-Id, so
	// retries carrying the same key are stored once.
	HeaderIdempotencyKey = "Idempotency-Key"

	// HeaderRequestID carries the request id. A valid incoming value is kept,
	// otherwise ingest creates one. The response always carries it.
	HeaderRequestID = "X-Request-Id"
)

// maxTokenLen is the maximum length of an Idempotency-Key or X-Request-Id value.
const maxTokenLen = 200

// messageID returns the Nats-Msg-Id for a webhook: the Idempotency-Key header
// when present, else sessionId + ":" + inputId when both are set, else the
// hex SHA-256 of the body. A session and input pair that is not a valid
// token falls back to the body hash.
func messageID(header http.Header, in mapping.Input, body []byte) (string, idSource, error) {
	if keys, ok := header[HeaderIdempotencyKey]; ok {
		if len(keys) != 1 {
			return "", idFromKey, fmt.Errorf("header %s is sent %d times; send it once", HeaderIdempotencyKey, len(keys))
		}
		if !validToken(keys[0]) {
			return "", idFromKey, fmt.Errorf("header %s is invalid; send 1 to %d printable ASCII characters", HeaderIdempotencyKey, maxTokenLen)
		}
		return keys[0], idFromKey, nil
	}

	if in.SessionID != "" && in.InputID != "" {
		id := in.SessionID + ":" + in.InputID
		if validToken(id) {
			return id, idFromSession, nil
		}
	}

	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:]), idFromBody, nil
}

// idSource is the origin of a message id.
type idSource int

const (
	idFromKey     idSource = iota // the Idempotency-Key header
	idFromSession                 // sessionId and inputId
	idFromBody                    // the SHA-256 of the body
)

// requestID returns the valid X-Request-Id of the request, or a new random id.
func requestID(header http.Header) string {
	if id := header.Get(HeaderRequestID); validToken(id) {
		return id
	}
	return rand.Text()
}

// validToken reports whether s has 1 to maxTokenLen printable ASCII
// characters, space included. Such a value is safe in NATS and HTTP headers
// and in log lines.
func validToken(s string) bool {
	if len(s) == 0 || len(s) > maxTokenLen {
		return false
	}
	for i := range len(s) {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
