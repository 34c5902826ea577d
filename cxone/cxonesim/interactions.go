package cxonesim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"
)

// maxPatchBody bounds the PATCH body; larger bodies get 413.
const maxPatchBody = 1 << 20

// servePatch handles PATCH /api/v2/interactions/{id}. Checks run in this
// order: scripted or random fault, bearer token (401, 403), strict-mode
// lookup (404), Content-Type (415), body (413, 400).
func (s *Sim) servePatch(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	req := Request{Kind: KindPatch, Method: r.Method, Path: r.URL.EscapedPath(), InteractionID: id, Received: time.Now()}
	defer s.finish(&req)

	// Reading the body first lets the server notice a client that gives
	// up during the latency below, which cancels r.Context().
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPatchBody))

	if s.applyFault(w, r, &req, EndpointInteraction, id) {
		return
	}
	req.Status = s.update(w, r, id, body, readErr)
}

// applyFault waits for the configured latency and applies the next fault
// for endpoint and id, recording it in req. It reports whether the request
// is finished: by a fault response, by a dropped connection, or because the
// client went away during the latency.
func (s *Sim) applyFault(w http.ResponseWriter, r *http.Request, req *Request, endpoint, id string) bool {
	fault, source, faulty := s.nextFault(endpoint, id)
	req.Fault = source
	if !wait(r, s.cfg.Latency+fault.Latency) {
		return true
	}
	if faulty && fault.Drop {
		// Record first: the client sees the closed connection at once and
		// may read Requests before the handler returns.
		req.Dropped = true
		s.finish(req)
		dropConnection(w)
		return true
	}
	if faulty && fault.Status != 0 {
		req.Status = fault.Status
		writeFault(w, fault)
		return true
	}
	return false
}

// update applies a PATCH that no fault intercepted and returns its status.
func (s *Sim) update(w http.ResponseWriter, r *http.Request, id string, body []byte, readErr error) int {
	switch s.checkBearer(r, grantInteractionsV2, "interaction:update") {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="cxone-sim", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "invalid_token", "the bearer token is missing, unknown, revoked or expired")
		return http.StatusUnauthorized
	case http.StatusForbidden:
		w.Header().Set("WWW-Authenticate", `Bearer realm="cxone-sim", error="insufficient_scope", scope="interaction:update"`)
		writeError(w, http.StatusForbidden, "insufficient_scope", "the token lacks scope interaction:update")
		return http.StatusForbidden
	}

	if s.cfg.Strict && !s.isKnown(id) {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("interaction %q not found", id))
		return http.StatusNotFound
	}

	if status := checkJSONBody(w, r, readErr, "1 MiB"); status != 0 {
		return status
	}
	if err := validateUpdate(body); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return http.StatusBadRequest
	}

	writeJSON(w, http.StatusOK, s.store(id, body))
	return http.StatusOK
}

func (s *Sim) isKnown(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.known[id]
}

func (s *Sim) store(id string, body []byte) State {
	var compact bytes.Buffer
	_ = json.Compact(&compact, body)

	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stateLocked(id)
	st.Count++
	st.Last = json.RawMessage(compact.Bytes())
	st.UpdatedAt = time.Now().UTC()
	return st.clone()
}

// validateUpdate checks an interactions-v2 update body: a JSON object with
// exactly the members wrapUpCode (string) and routingData (object). In
// routingData, priority must be an integer, and skill and every other
// member a string.
func validateUpdate(body []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return errors.New("body must be a JSON object")
	}
	for name := range top {
		if name != "wrapUpCode" && name != "routingData" {
			return fmt.Errorf("unknown member %q; allowed are wrapUpCode and routingData", name)
		}
	}

	var wrapUpCode string
	raw, ok := top["wrapUpCode"]
	if !ok || json.Unmarshal(raw, &wrapUpCode) != nil || isNull(raw) {
		return errors.New("wrapUpCode must be a string")
	}

	var routingData map[string]json.RawMessage
	raw, ok = top["routingData"]
	if !ok || json.Unmarshal(raw, &routingData) != nil || routingData == nil {
		return errors.New("routingData must be a JSON object")
	}
	for name, value := range routingData {
		if err := validateRoutingMember(name, value); err != nil {
			return err
		}
	}
	return nil
}

func validateRoutingMember(name string, value json.RawMessage) error {
	if name == "priority" {
		var priority int64
		if err := json.Unmarshal(value, &priority); err != nil || isNull(value) {
			return errors.New("routingData.priority must be an integer")
		}
		return nil
	}
	var text string
	if err := json.Unmarshal(value, &text); err != nil || isNull(value) {
		return fmt.Errorf("routingData.%s must be a string", name)
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// checkJSONBody checks the Content-Type and the read of a JSON request body.
// It writes the error response and returns its status, or returns 0 when
// the body may be parsed. limit names the body limit in the 413 message.
func checkJSONBody(w http.ResponseWriter, r *http.Request, readErr error, limit string) int {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json")
		return http.StatusUnsupportedMediaType
	}

	if readErr != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(readErr, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "invalid_request", "body exceeds "+limit)
			return http.StatusRequestEntityTooLarge
		}
		writeError(w, http.StatusBadRequest, "invalid_request", "body could not be read")
		return http.StatusBadRequest
	}
	return 0
}
