package cxone

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// tokenRefreshMargin is how long before expiry a cached token is replaced.
// A token that lives this long or less is handed to the callers that waited
// for it and is not cached.
const tokenRefreshMargin = 60 * time.Second

// maxTokenResponse bounds how much of a token response is read.
const maxTokenResponse = 64 << 10

// tokenSource gets OAuth tokens and caches them. At most one token request
// is in flight: concurrent callers wait for it. The grant is set by form:
// client credentials for Client, the password grant with an access key for
// InContactClient.
type tokenSource struct {
	// endpoint returns the token URL. It may run discovery, and an *Error
	// it returns is passed to the callers unchanged.
	endpoint func(ctx context.Context) (string, error)

	form         url.Values
	clientID     string
	clientSecret string

	// rawBasic sends the client credentials as they are in Basic auth,
	// without the form-encoding of RFC 6749, section 2.3.1.
	rawBasic bool

	// secrets are removed from response bodies kept in errors.
	secrets []string

	// authHint is the advice of an ErrAuth error, naming the settings.
	authHint string

	// endpointFailed is called, when not nil, after the token endpoint
	// failed without a response or with 404, so that it is discovered anew.
	endpointFailed func(tokenURL string)

	timeout    time.Duration
	httpClient *http.Client

	fetches atomic.Int64

	mu        sync.Mutex
	token     issuedToken
	refreshAt time.Time // zero when the token endpoint sent no expires_in
	inflight  *tokenFetch
}

// issuedToken is an access token and the OpenID id_token that came with
// it, if any.
type issuedToken struct {
	access string
	id     string
}

// tokenFetch is one token request that several callers may wait for.
type tokenFetch struct {
	done  chan struct{}
	token issuedToken
	err   error
}

type tokenResponse struct {
	AccessToken string          `json:"access_token"`
	IDToken     string          `json:"id_token"`
	TokenType   string          `json:"token_type"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
}

// newClientCredentialsSource returns the token source of Client: the
// client-credentials grant at cfg.TokenURL.
func newClientCredentialsSource(cfg Config) *tokenSource {
	tokenURL := cfg.TokenURL
	return &tokenSource{
		endpoint:     func(context.Context) (string, error) { return tokenURL, nil },
		form:         url.Values{"grant_type": {"client_credentials"}, "scope": {cfg.Scope}},
		clientID:     cfg.ClientID,
		clientSecret: cfg.ClientSecret,
		secrets:      []string{cfg.ClientSecret},
		authHint:     "check CXONE_CLIENT_ID, CXONE_CLIENT_SECRET and CXONE_TOKEN_URL; retry the message later",
		timeout:      cfg.RequestTimeout,
		httpClient:   cfg.HTTPClient,
	}
}

// Token returns a cached access token, or waits for a token request,
// starting one when none is in flight.
func (s *tokenSource) Token(ctx context.Context) (string, error) {
	token, err := s.get(ctx)
	return token.access, err
}

// get returns a cached token, or waits for a token request, starting one
// when none is in flight. The request itself is not bound to ctx, because
// other callers may wait for it. ctx bounds only this caller's wait.
func (s *tokenSource) get(ctx context.Context) (issuedToken, error) {
	s.mu.Lock()
	if s.token.access != "" && (s.refreshAt.IsZero() || time.Now().Before(s.refreshAt)) {
		token := s.token
		s.mu.Unlock()
		return token, nil
	}
	fetch := s.inflight
	if fetch == nil {
		fetch = &tokenFetch{done: make(chan struct{})}
		s.inflight = fetch
		go s.run(fetch)
	}
	s.mu.Unlock()

	select {
	case <-fetch.done:
		return fetch.token, fetch.err
	case <-ctx.Done():
		return issuedToken{}, ctx.Err()
	}
}

// Invalidate drops the cached token if it is still bad, so that a burst of
// 401 responses for the same token causes one new token request.
func (s *tokenSource) Invalidate(bad string) {
	s.mu.Lock()
	if s.token.access == bad {
		s.token = issuedToken{}
		s.refreshAt = time.Time{}
	}
	s.mu.Unlock()
}

// Fetches returns the number of token requests sent.
func (s *tokenSource) Fetches() int64 {
	return s.fetches.Load()
}

func (s *tokenSource) run(fetch *tokenFetch) {
	token, refreshAt, cache, err := s.request()

	s.mu.Lock()
	if err == nil && cache {
		s.token = token
		s.refreshAt = refreshAt
	}
	s.inflight = nil
	s.mu.Unlock()

	fetch.token, fetch.err = token, err
	close(fetch.done)
}

// request sends one token request. cache is false when the token expires
// within tokenRefreshMargin.
func (s *tokenSource) request() (token issuedToken, refreshAt time.Time, cache bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()

	tokenURL, err := s.endpoint(ctx)
	if err != nil {
		return issuedToken{}, time.Time{}, false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(s.form.Encode()))
	if err != nil {
		return issuedToken{}, time.Time{}, false, s.fail(ErrAuth, 0, nil, fmt.Errorf("build token request for %q: %w", tokenURL, err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if s.rawBasic {
		req.SetBasicAuth(s.clientID, s.clientSecret)
	} else {
		// RFC 6749, section 2.3.1: form-encode the credentials before Basic auth.
		req.SetBasicAuth(url.QueryEscape(s.clientID), url.QueryEscape(s.clientSecret))
	}

	sentAt := time.Now()
	s.fetches.Add(1)
	resp, err := s.httpClient.Do(req)
	if err != nil {
		s.reportEndpointFailure(tokenURL)
		return issuedToken{}, time.Time{}, false, s.fail(ErrTransient, 0, nil, fmt.Errorf("token request to %q: %w", tokenURL, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	if err != nil {
		return issuedToken{}, time.Time{}, false, s.fail(ErrTransient, resp.StatusCode, nil, fmt.Errorf("read token response: %w", err))
	}

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if resp.StatusCode == http.StatusNotFound {
			s.reportEndpointFailure(tokenURL)
		}
		return issuedToken{}, time.Time{}, false, s.statusError(tokenURL, resp, body)
	}

	tr, lifetime, expires, err := parseTokenResponse(body)
	if err != nil {
		return issuedToken{}, time.Time{}, false, s.fail(ErrAuth, resp.StatusCode, body, fmt.Errorf("token endpoint %q: %w", tokenURL, err))
	}
	token = issuedToken{access: tr.AccessToken, id: tr.IDToken}
	if !expires {
		return token, time.Time{}, true, nil
	}
	if lifetime <= tokenRefreshMargin {
		return token, time.Time{}, false, nil
	}
	return token, sentAt.Add(lifetime - tokenRefreshMargin), true, nil
}

func (s *tokenSource) reportEndpointFailure(tokenURL string) {
	if s.endpointFailed != nil {
		s.endpointFailed(tokenURL)
	}
}

// statusError classifies a non-2xx token response. 408, 425, 429 and 5xx
// are transient. Everything else, such as 400 invalid_client, 401 or 403,
// means the credentials or the token URL are wrong.
func (s *tokenSource) statusError(tokenURL string, resp *http.Response, body []byte) error {
	status := resp.StatusCode
	if status >= 300 && status <= 399 {
		return s.fail(ErrAuth, status, body, fmt.Errorf("token endpoint %q redirected to %q; configure the final URL", tokenURL, resp.Header.Get("Location")))
	}
	if !retryableStatus(status) {
		return s.fail(ErrAuth, status, body, fmt.Errorf("token endpoint %q rejected the credentials", tokenURL))
	}

	e := s.fail(ErrTransient, status, body, fmt.Errorf("token endpoint %q is unavailable", tokenURL))
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		if wait, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			e.RetryAfter = wait
		}
	}
	return e
}

func (s *tokenSource) fail(class error, status int, body []byte, err error) *Error {
	return &Error{
		Op:       "token",
		Status:   status,
		Body:     redact(body, s.secrets, "[secret removed]"),
		Class:    class,
		Err:      err,
		authHint: s.authHint,
	}
}

// parseTokenResponse returns the token response and the access token's
// lifetime. expires is false when expires_in is absent: such a token is
// cached until a 401 invalidates it. expires_in is accepted as a JSON
// number or as a string of digits, since servers send both.
func parseTokenResponse(body []byte) (tr tokenResponse, lifetime time.Duration, expires bool, err error) {
	if err := json.Unmarshal(body, &tr); err != nil {
		return tokenResponse{}, 0, false, fmt.Errorf("token response is not a JSON object: %w", err)
	}
	if tr.AccessToken == "" {
		return tokenResponse{}, 0, false, fmt.Errorf("token response has no access_token")
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer") {
		return tokenResponse{}, 0, false, fmt.Errorf("token_type %q is not Bearer", tr.TokenType)
	}

	raw := strings.Trim(string(tr.ExpiresIn), `"`)
	if raw == "" || raw == "null" {
		return tr, 0, false, nil
	}
	seconds, err := strconv.ParseFloat(raw, 64)
	if err != nil || seconds < 0 || seconds > maxRetryAfterSeconds {
		return tokenResponse{}, 0, false, fmt.Errorf("token response has invalid expires_in %s", tr.ExpiresIn)
	}
	return tr, time.Duration(seconds * float64(time.Second)), true, nil
}
