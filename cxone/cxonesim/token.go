package cxonesim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// grantableScopes are the scopes the token endpoint issues. A request
// without a scope gets all of them.
var grantableScopes = []string{"interaction:update", "interaction:read"}

// checkTokenRequest checks what every token request needs: a form body,
// client authentication by HTTP Basic and the grant type grant. It writes
// the OAuth error response and returns its status, or returns 0 when the
// request may go on.
func (s *Sim) checkTokenRequest(w http.ResponseWriter, r *http.Request, grant string) int {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "application/x-www-form-urlencoded" {
		writeError(w, http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
		return http.StatusBadRequest
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return http.StatusBadRequest
	}

	if !s.clientAuthenticated(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="cxone-sim"`)
		writeError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return http.StatusUnauthorized
	}

	switch r.PostForm.Get("grant_type") {
	case grant:
		return 0
	case "":
		writeError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
	default:
		writeError(w, http.StatusBadRequest, "unsupported_grant_type", "only "+grant+" is supported at this endpoint")
	}
	return http.StatusBadRequest
}

// serveToken implements the OAuth 2.0 client-credentials grant
// (RFC 6749, section 4.4) with client authentication by HTTP Basic.
func (s *Sim) serveToken(w http.ResponseWriter, r *http.Request) {
	req := Request{Kind: KindToken, Method: r.Method, Path: r.URL.Path, Received: time.Now()}
	defer s.finish(&req)
	if s.applyFault(w, r, &req, EndpointToken, "") {
		return
	}
	req.Status = s.issueToken(w, r)
}

func (s *Sim) issueToken(w http.ResponseWriter, r *http.Request) int {
	if status := s.checkTokenRequest(w, r, "client_credentials"); status != 0 {
		return status
	}

	scopes, ok := parseScopes(r.PostForm.Get("scope"))
	if !ok {
		writeError(w, http.StatusBadRequest, "invalid_scope", "grantable scopes are "+strings.Join(grantableScopes, " "))
		return http.StatusBadRequest
	}

	token := newToken()
	s.mu.Lock()
	s.tokens[token] = tokenGrant{kind: grantInteractionsV2, expires: time.Now().Add(s.cfg.TokenTTL), scopes: scopes}
	s.stats.TokensIssued++
	s.mu.Unlock()

	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": token,
		"token_type":   "Bearer",
		"expires_in":   int64(s.cfg.TokenTTL / time.Second),
		"scope":        joinScopes(scopes),
	})
	return http.StatusOK
}

// clientAuthenticated checks HTTP Basic credentials. RFC 6749, section
// 2.3.1, form-encodes them before Basic encoding, so both the raw and the
// decoded form are accepted.
func (s *Sim) clientAuthenticated(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	if !ok || id == "" {
		return false
	}
	if s.cfg.ClientID == "" && s.cfg.ClientSecret == "" {
		return true
	}
	return credentialEqual(id, s.cfg.ClientID) && credentialEqual(secret, s.cfg.ClientSecret)
}

func credentialEqual(got, want string) bool {
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 {
		return true
	}
	decoded, err := url.QueryUnescape(got)
	return err == nil && subtle.ConstantTimeCompare([]byte(decoded), []byte(want)) == 1
}

func parseScopes(raw string) (map[string]bool, bool) {
	scopes := map[string]bool{}
	if strings.TrimSpace(raw) == "" {
		for _, name := range grantableScopes {
			scopes[name] = true
		}
		return scopes, true
	}
	for _, name := range strings.Fields(raw) {
		grantable := false
		for _, g := range grantableScopes {
			grantable = grantable || g == name
		}
		if !grantable {
			return nil, false
		}
		scopes[name] = true
	}
	return scopes, true
}

func joinScopes(scopes map[string]bool) string {
	var names []string
	for _, name := range grantableScopes {
		if scopes[name] {
			names = append(names, name)
		}
	}
	return strings.Join(names, " ")
}

func newToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// checkBearer returns the status of the bearer check of r. It is 0 when the
// token is live, was issued for the API kind and grants scope. It is 401
// for a missing, unknown or expired token and for another API's token, and
// 403 when the token lacks scope. An empty scope checks no scope.
func (s *Sim) checkBearer(r *http.Request, kind, scope string) int {
	scheme, token, found := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return http.StatusUnauthorized
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	grant, ok := s.tokens[token]
	if !ok || grant.kind != kind {
		return http.StatusUnauthorized
	}
	if !time.Now().Before(grant.expires) {
		delete(s.tokens, token)
		return http.StatusUnauthorized
	}
	if scope != "" && !grant.scopes[scope] {
		return http.StatusForbidden
	}
	return 0
}
