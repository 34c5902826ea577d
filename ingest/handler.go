package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/cxrouter/router/mapping"
	"github.com/cxrouter/router/queue"
)

// healthPath is the liveness endpoint: 200 while the process serves HTTP.
const healthPath = "/healthz"

// Publisher stores a message in JetStream and returns its PubAck.
// jetstream.JetStream satisfies it.
type Publisher interface {
	PublishMsg(ctx context.Context, msg *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error)
}

// Handler serves the webhook at Config.Path and the liveness check at /healthz.
// It is safe for concurrent use.
type Handler struct {
	pub  Publisher
	cfg  Config
	log  zerolog.Logger
	auth *authenticator // nil when Config.Auth is not enabled

	authFailures atomic.Uint64

	stored StoredMessages // nil unless WithDuplicateCheck
	parser *mapping.Parser
}

// NewHandler returns a Handler that publishes accepted webhooks with pub and
// writes one log line per webhook request to log.
func NewHandler(pub Publisher, cfg Config, log zerolog.Logger, opts ...Option) (*Handler, error) {
	if pub == nil {
		return nil, errors.New("ingest: Publisher is nil; pass a jetstream.JetStream")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	parser, err := cfg.InputFormat.Parser()
	if err != nil {
		return nil, err
	}
	h := &Handler{pub: pub, cfg: cfg, log: log, parser: parser}
	for _, opt := range opts {
		opt(h)
	}
	if cfg.Auth.Enabled() {
		h.auth = newAuthenticator(cfg.Auth)
	}
	return h, nil
}

// AuthFailures returns the number of webhook requests rejected with 401
// since the Handler was created.
func (h *Handler) AuthFailures() uint64 {
	return h.authFailures.Load()
}

// ServeHTTP routes a request by path. A readiness endpoint belongs here, next
// to the liveness check.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// RawPath is set when the request path encodes a character that needs
	// no encoding, such as %2F for "/". Such a path names no endpoint, so
	// the webhook has one spelling.
	path := r.URL.Path
	if r.URL.RawPath != "" {
		path = r.URL.RawPath
	}

	switch path {
	case h.cfg.Path:
		h.serveWebhook(w, r)
	case healthPath:
		serveHealth(w, r)
	default:
		writeJSON(w, http.StatusNotFound, ErrorBody{
			Error: fmt.Sprintf("path %q not found; post webhooks to %s", path, h.cfg.Path),
		})
	}
}

// serveHealth responds 200 "ok" to GET and HEAD while the process is alive.
func serveHealth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, ErrorBody{
			Error: fmt.Sprintf("method %s is not allowed on %s; use GET", r.Method, healthPath),
		})
		return
	}

	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, "ok")
}

// outcome is the result of one webhook request, as it is logged.
type outcome struct {
	status        int
	interactionID string
	msgID         string
	ack           *jetstream.PubAck
	err           error
	field         string // payload field or request header at fault
	authScheme    string // scheme of a rejected credential
	remoteAddr    string // client address, set when authentication failed
	stack         string // goroutine stack of a recovered panic
	lookupErr     error  // a failed duplicate check, which does not change the response
	idSource      idSource
}

// serveWebhook handles one webhook request and logs its outcome.
func (h *Handler) serveWebhook(w http.ResponseWriter, r *http.Request) {
	received := time.Now()
	reqID := requestID(r.Header)
	w.Header().Set(HeaderRequestID, reqID)

	var out outcome
	defer func() { h.logOutcome(r, reqID, &out, time.Since(received)) }()
	defer h.recoverPanic(w, &out)
	h.accept(w, r, reqID, received, &out)
}

// recoverPanic turns a panic while handling a webhook into a 500 response
// and a log line, so that net/http does not drop the connection without a
// response. It re-raises http.ErrAbortHandler, which aborts a response on
// purpose.
func (h *Handler) recoverPanic(w http.ResponseWriter, out *outcome) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}

	err := fmt.Errorf("panic: %v", v)
	out.stack = string(debug.Stack())
	if out.status != 0 {
		// The response has started, so only the log line can report the panic.
		out.err = err
		return
	}
	out.failWith(w, http.StatusInternalServerError, err, ErrorBody{
		Error: "internal error while handling the request; it may not have been stored, so retry it with the same body",
	})
}

// authFailedMessage is the error of every 401 response. It does not tell
// which part of the credential was wrong.
const authFailedMessage = "authentication failed; send a valid credential in one of the schemes that WWW-Authenticate lists"

// authorize responds 401 and returns false unless auth is disabled or the
// request carries a valid credential. The log line records the scheme the
// request attempted and the client address, never the credential.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request, out *outcome) bool {
	if h.auth == nil {
		return true
	}
	scheme, err := h.auth.authenticate(r.Header)
	if err == nil {
		return true
	}

	h.authFailures.Add(1)
	out.authScheme = scheme
	out.remoteAddr = r.RemoteAddr
	w.Header().Set("WWW-Authenticate", h.auth.challenge)
	out.failWith(w, http.StatusUnauthorized, fmt.Errorf("authentication failed: %w", err), ErrorBody{Error: authFailedMessage})
	return false
}

// accept checks the request, publishes it and writes the response. Each
// check that fails writes its error response and returns.
func (h *Handler) accept(w http.ResponseWriter, r *http.Request, reqID string, received time.Time, out *outcome) {
	if !h.authorize(w, r, out) {
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		out.fail(w, http.StatusMethodNotAllowed, fmt.Errorf("method %s is not allowed on %s; use POST", r.Method, h.cfg.Path))
		return
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		out.fail(w, http.StatusUnsupportedMediaType, err)
		return
	}
	if err := checkContentEncoding(r.Header.Values("Content-Encoding")); err != nil {
		out.fail(w, http.StatusUnsupportedMediaType, err)
		return
	}

	body, status, err := h.readBody(w, r)
	if err != nil {
		out.fail(w, status, err)
		return
	}

	in, err := h.parser.Parse(body)
	if err == nil {
		err = checkPayload(body)
	}
	if err != nil {
		out.failPayload(w, err)
		return
	}
	out.interactionID = in.InteractionID

	out.msgID, out.idSource, err = messageID(r.Header, in, body)
	if err != nil {
		out.field = HeaderIdempotencyKey
		out.failWith(w, http.StatusBadRequest, err, ErrorBody{Error: err.Error(), Header: HeaderIdempotencyKey})
		return
	}

	msg := newMsg(in.InteractionID, out.msgID, reqID, received, body)
	h.publish(r.Context(), w, msg, out)
}

// readBody reads at most MaxBodyBytes. When reading fails, it returns the
// status code for the response: 413 over the limit, 408 when the client
// sends the body too slowly for the server's ReadTimeout, else 400.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	limit := h.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body of %d bytes exceeds the limit of %d bytes", r.ContentLength, limit)
	}

	// MaxBytesReader also stops chunked bodies, whose length is unknown up front.
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))

	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body exceeds the limit of %d bytes", limit)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return nil, http.StatusRequestTimeout, fmt.Errorf("reading the body timed out; send the whole body within %s: %w", h.cfg.ReadTimeout, err)
	}
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("reading the body failed: %w", err)
	}
	return buf.Bytes(), 0, nil
}

// newMsg builds the message stored in ROUTING. Its data is the webhook body
// byte for byte.
func newMsg(interactionID, msgID, reqID string, received time.Time, body []byte) *nats.Msg {
	msg := nats.NewMsg(queue.Subject(interactionID))
	msg.Data = body
	msg.Header.Set(queue.HeaderMsgID, msgID)
	msg.Header.Set(jetstream.ExpectedStreamHeader, queue.StreamName)
	msg.Header.Set(queue.HeaderRequestID, reqID)
	msg.Header.Set(queue.HeaderReceivedAt, received.UTC().Format(time.RFC3339Nano))
	return msg
}

// publish stores msg and responds 202 once the PubAck arrives, or with an
// error status when it does not arrive within PublishTimeout. A message whose
// PubAck timed out may still have been stored. A retry of the same request
// carries the same Nats-Msg-Id, so within the duplicate window JetStream
// reports it as a duplicate instead of storing it twice.
func (h *Handler) publish(ctx context.Context, w http.ResponseWriter, msg *nats.Msg, out *outcome) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.PublishTimeout)
	defer cancel()

	ack, err := h.pub.PublishMsg(ctx, msg)
	if err == nil && ack == nil {
		err = errors.New("publisher returned no PubAck and no error")
	}
	if errors.Is(err, nats.ErrMaxPayload) {
		out.fail(w, http.StatusRequestEntityTooLarge, fmt.Errorf("body of %d bytes with its headers exceeds the max_payload of the NATS server; send a smaller body: %w", len(msg.Data), err))
		return
	}
	if err != nil {
		h.failUnavailable(ctx, w, err, out)
		return
	}

	if ack.Duplicate && h.stored != nil {
		conflict, lookupErr := h.checkDuplicate(ctx, ack.Sequence, msg, out.idSource)
		if lookupErr != nil {
			out.lookupErr = lookupErr
		}
		if conflict != nil {
			out.ack = ack
			out.fail(w, http.StatusUnprocessableEntity, conflict)
			return
		}
	}

	out.ack = ack
	out.status = http.StatusAccepted
	writeJSON(w, http.StatusAccepted, Accepted{
		MsgID:     out.msgID,
		Stream:    ack.Stream,
		StreamSeq: ack.Sequence,
		Duplicate: ack.Duplicate,
	})
}

// failUnavailable responds 503 with Retry-After. The response does not
// contain the publish error, which is logged.
func (h *Handler) failUnavailable(ctx context.Context, w http.ResponseWriter, err error, out *outcome) {
	seconds := h.cfg.retryAfterSeconds()
	w.Header().Set("Retry-After", strconv.FormatInt(seconds, 10))

	problem := "storing the request in JetStream failed"
	if ctx.Err() != nil || errors.Is(err, nats.ErrTimeout) {
		problem = fmt.Sprintf("storing the request in JetStream timed out after %s", h.cfg.PublishTimeout)
	}
	out.failWith(w, http.StatusServiceUnavailable, fmt.Errorf("publish: %w", err), ErrorBody{
		Error: fmt.Sprintf("%s; retry after %d s", problem, seconds),
	})
}

// failPayload responds 400 naming the payload field that ParseWebhook rejected.
func (o *outcome) failPayload(w http.ResponseWriter, err error) {
	body := ErrorBody{Error: err.Error()}
	var fieldErr *mapping.FieldError
	if errors.As(err, &fieldErr) {
		body.Field = fieldErr.Field
		o.field = fieldErr.Field
	}
	o.failWith(w, http.StatusBadRequest, err, body)
}

// fail responds with status and err as the error message.
func (o *outcome) fail(w http.ResponseWriter, status int, err error) {
	o.failWith(w, status, err, ErrorBody{Error: err.Error()})
}

// failWith responds with status and body, and records err for the log line.
func (o *outcome) failWith(w http.ResponseWriter, status int, err error, body ErrorBody) {
	o.status = status
	o.err = err
	writeJSON(w, status, body)
}

// logOutcome writes the log line of one webhook request: Info for 202, Warn
// for 4xx and Error for 5xx. It never logs the body or request headers
// other than the ids.
func (h *Handler) logOutcome(r *http.Request, reqID string, out *outcome, latency time.Duration) {
	level := zerolog.InfoLevel
	switch {
	case out.status >= 500:
		level = zerolog.ErrorLevel
	case out.status >= 400:
		level = zerolog.WarnLevel
	}

	event := h.log.WithLevel(level).
		Str("request_id", reqID).
		Str("method", r.Method).
		Int("status", out.status).
		Float64("latency_ms", float64(latency.Microseconds())/1000)
	if out.interactionID != "" {
		event = event.Str("interaction_id", out.interactionID)
	}
	if out.msgID != "" {
		event = event.Str("msg_id", out.msgID)
	}
	if out.ack != nil {
		event = event.Uint64("stream_seq", out.ack.Sequence).Bool("duplicate", out.ack.Duplicate)
	}
	if out.field != "" {
		event = event.Str("field", out.field)
	}
	if out.authScheme != "" {
		event = event.Str("auth_scheme", out.authScheme).Str("remote_addr", out.remoteAddr)
	}
	if out.stack != "" {
		event = event.Str("stack", out.stack)
	}
	if out.err != nil {
		event = event.Err(out.err)
	}
	if out.lookupErr != nil {
		event = event.AnErr("duplicate_check_error", out.lookupErr)
	}
	event.Msg("webhook request")
}
