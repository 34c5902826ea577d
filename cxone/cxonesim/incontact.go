package cxonesim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// maxDispositionBody bounds the set-disposition body; larger bodies get 413.
const maxDispositionBody = 64 << 10

// apiVersionPattern matches inContact API versions in paths, such as "v30.0".
var apiVersionPattern = regexp.MustCompile(`^v[0-9]+(\.[0-9]+)?$`)

// signalParamPattern matches the names of signal parameters, p1 to p9.
var signalParamPattern = regexp.MustCompile(`^p[1-9]$`)

// SetAPIEndpoint changes the api_endpoint that
// /.well-known/cxone-configuration returns. Empty means the sim's own base
// URL. Reset restores Config.APIEndpoint.
func (s *Sim) SetAPIEndpoint(endpoint string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiEndpoint = endpoint
}

// baseURL returns the URL under which the client reached the sim.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Sim) serveOpenIDConfiguration(w http.ResponseWriter, r *http.Request) {
	req := Request{Kind: KindDiscovery, Method: r.Method, Path: r.URL.Path, Received: time.Now()}
	defer s.finish(&req)
	if s.applyFault(w, r, &req, EndpointDiscovery, "") {
		return
	}

	base := baseURL(r)
	req.Status = http.StatusOK
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                base,
		"token_endpoint":                        base + "/auth/token",
		"grant_types_supported":                 []string{"password"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic"},
	})
}

func (s *Sim) serveCXoneConfiguration(w http.ResponseWriter, r *http.Request) {
	req := Request{Kind: KindDiscovery, Method: r.Method, Path: r.URL.Path, Received: time.Now()}
	defer s.finish(&req)
	if s.applyFault(w, r, &req, EndpointDiscovery, "") {
		return
	}

	tenantID := r.URL.Query().Get("tenantId")
	switch {
	case tenantID == "":
		req.Status = http.StatusBadRequest
		writeError(w, req.Status, "invalid_request", "query parameter tenantId is missing")
		return
	case tenantID != s.cfg.TenantID:
		req.Status = http.StatusNotFound
		writeError(w, req.Status, "not_found", fmt.Sprintf("tenant %q not found", tenantID))
		return
	}

	s.mu.Lock()
	endpoint := s.apiEndpoint
	s.mu.Unlock()
	if endpoint == "" {
		endpoint = baseURL(r)
	}
	req.Status = http.StatusOK
	writeJSON(w, http.StatusOK, map[string]any{"tenantId": tenantID, "api_endpoint": endpoint})
}

// servePasswordToken implements the OAuth 2.0 password grant (RFC 6749,
// section 4.3) with an access key as username and password and client
// authentication by HTTP Basic.
func (s *Sim) servePasswordToken(w http.ResponseWriter, r *http.Request) {
	req := Request{Kind: KindToken, Method: r.Method, Path: r.URL.Path, Received: time.Now()}
	defer s.finish(&req)
	if s.applyFault(w, r, &req, EndpointToken, "") {
		return
	}
	req.Status = s.issuePasswordToken(w, r)
}

func (s *Sim) issuePasswordToken(w http.ResponseWriter, r *http.Request) int {
	if status := s.checkTokenRequest(w, r, "password"); status != 0 {
		return status
	}
	if !s.accessKeyAccepted(r.PostForm.Get("username"), r.PostForm.Get("password")) {
		writeError(w, http.StatusBadRequest, "invalid_grant", "the access key id or secret is wrong")
		return http.StatusBadRequest
	}

	now := time.Now()
	clientID, _, _ := r.BasicAuth()
	claims := map[string]any{
		"iss":      baseURL(r),
		"sub":      "user:" + r.PostForm.Get("username"),
		"tenantId": s.cfg.TenantID,
		"iat":      now.Unix(),
		"exp":      now.Add(s.cfg.TokenTTL).Unix(),
		"jti":      newToken(),
	}
	access := s.signJWT(claims)
	claims["aud"] = clientID
	idToken := s.signJWT(claims)

	s.mu.Lock()
	s.tokens[access] = tokenGrant{kind: grantInContact, expires: now.Add(s.cfg.TokenTTL)}
	s.stats.TokensIssued++
	s.mu.Unlock()

	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"id_token":     idToken,
		"token_type":   "Bearer",
		"expires_in":   int64(s.cfg.TokenTTL / time.Second),
	})
	return http.StatusOK
}

// accessKeyAccepted checks the username and password of a password grant.
func (s *Sim) accessKeyAccepted(id, secret string) bool {
	if id == "" || secret == "" {
		return false
	}
	if s.cfg.AccessKeyID == "" && s.cfg.AccessKeySecret == "" {
		return true
	}
	return hmac.Equal([]byte(id), []byte(s.cfg.AccessKeyID)) && hmac.Equal([]byte(secret), []byte(s.cfg.AccessKeySecret))
}

// signJWT returns claims as a JWT signed with HS256 and the sim's key.
func (s *Sim) signJWT(claims map[string]any) string {
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payloadJSON, _ := json.Marshal(claims)
	signingInput := header + "." + base64.RawURLEncoding.EncodeToString(payloadJSON)
	mac := hmac.New(sha256.New, s.signingKey)
	mac.Write([]byte(signingInput))
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// serveSignal handles POST .../interactions/{id}/signal. Checks run in
// this order: scripted or random fault, API version (404), bearer token
// (401), strict-mode lookup (404), query parameters (400).
func (s *Sim) serveSignal(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	req := Request{Kind: KindSignal, Method: r.Method, Path: r.URL.EscapedPath(), InteractionID: id, Received: time.Now()}
	defer s.finish(&req)
	if s.applyFault(w, r, &req, EndpointInteraction, id) {
		return
	}
	req.Status = s.signal(w, r, id)
}

func (s *Sim) signal(w http.ResponseWriter, r *http.Request, id string) int {
	if status := s.checkInContactRequest(w, r, id); status != 0 {
		return status
	}

	params := map[string]string{}
	for name, values := range r.URL.Query() {
		if !signalParamPattern.MatchString(name) {
			writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("query parameter %q is not a signal parameter p1 to p9", name))
			return http.StatusBadRequest
		}
		if len(values) != 1 {
			writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("signal parameter %s is given %d times", name, len(values)))
			return http.StatusBadRequest
		}
		params[name] = values[0]
	}

	s.mu.Lock()
	st := s.stateLocked(id)
	st.Signals++
	st.LastSignal = params
	st.UpdatedAt = time.Now().UTC()
	s.mu.Unlock()

	w.WriteHeader(s.cfg.SignalStatus)
	return s.cfg.SignalStatus
}

// serveSetDisposition handles POST .../contacts/{id}/set-disposition.
// Checks run in this order: scripted or random fault, API version (404),
// bearer token (401), strict-mode lookup (404), Content-Type (415), body
// (413, 400).
func (s *Sim) serveSetDisposition(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	req := Request{Kind: KindDisposition, Method: r.Method, Path: r.URL.EscapedPath(), InteractionID: id, Received: time.Now()}
	defer s.finish(&req)

	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxDispositionBody))
	if s.applyFault(w, r, &req, EndpointInteraction, id) {
		return
	}
	req.Status = s.setDisposition(w, r, id, body, readErr)
}

func (s *Sim) setDisposition(w http.ResponseWriter, r *http.Request, id string, body []byte, readErr error) int {
	if status := s.checkInContactRequest(w, r, id); status != 0 {
		return status
	}
	if status := checkJSONBody(w, r, readErr, "64 KiB"); status != 0 {
		return status
	}
	disposition, err := parseDisposition(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return http.StatusBadRequest
	}

	s.mu.Lock()
	st := s.stateLocked(id)
	st.Dispositions++
	st.Disposition = &disposition
	st.UpdatedAt = time.Now().UTC()
	s.mu.Unlock()

	w.WriteHeader(http.StatusAccepted)
	return http.StatusAccepted
}

// parseDisposition checks a set-disposition body: a JSON object with the
// member dispositionInfo, whose members are strings, skill and
// dispositionCode required and not empty.
func parseDisposition(body []byte) (DispositionState, error) {
	var wire struct {
		DispositionInfo *DispositionState `json:"dispositionInfo"`
	}
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&wire); err != nil {
		return DispositionState{}, fmt.Errorf("body must be {\"dispositionInfo\":{\"skill\":…,\"dispositionCode\":…}} with string members: %v", err)
	}
	info := wire.DispositionInfo
	switch {
	case info == nil:
		return DispositionState{}, errors.New("dispositionInfo is missing")
	case strings.TrimSpace(info.Skill) == "":
		return DispositionState{}, errors.New("dispositionInfo.skill is missing")
	case strings.TrimSpace(info.DispositionCode) == "":
		return DispositionState{}, errors.New("dispositionInfo.dispositionCode is missing")
	}
	return *info, nil
}

// checkInContactRequest checks the API version in the path, the bearer
// token and, in strict mode, the contact. It writes the error response and
// returns its status, or returns 0 when the request may proceed.
func (s *Sim) checkInContactRequest(w http.ResponseWriter, r *http.Request, id string) int {
	if version := r.PathValue("version"); !apiVersionPattern.MatchString(version) {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("API version %q not found; use a version such as v30.0", version))
		return http.StatusNotFound
	}
	if s.checkBearer(r, grantInContact, "") != 0 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cxone-sim", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "invalid_token", "the bearer token is missing, unknown, revoked or expired")
		return http.StatusUnauthorized
	}
	if s.cfg.Strict && !s.isKnown(id) {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("contact %q not found", id))
		return http.StatusNotFound
	}
	return 0
}

// stateLocked returns the state of id, creating it. s.mu must be held.
func (s *Sim) stateLocked(id string) *State {
	st, ok := s.interactions[id]
	if !ok {
		st = &State{InteractionID: id, Known: s.known[id]}
		s.interactions[id] = st
	}
	return st
}

// clone returns a copy of st that shares no map or pointer with it.
func (st *State) clone() State {
	c := *st
	c.LastSignal = maps.Clone(st.LastSignal)
	if st.Disposition != nil {
		d := *st.Disposition
		c.Disposition = &d
	}
	return c
}
