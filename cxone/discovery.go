package cxone

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// rediscoverAfterFailures is how many API requests in a row must fail
// without a response before the API endpoint is discovered again.
const rediscoverAfterFailures = 3

// tenantClaim is the JWT claim of CXone access and id tokens that carries
// the tenant id, which API endpoint discovery needs.
const tenantClaim = "tenantId"

// discovery finds the token endpoint and the tenant's API endpoint from
// the issuer, and caches both for ttl.
type discovery struct {
	issuer     string
	ttl        time.Duration
	timeout    time.Duration
	httpClient *http.Client

	tokenEndpoint cachedURL
	apiEndpoint   cachedURL
}

// openIDConfiguration is the part of /.well-known/openid-configuration
// that this package reads.
type openIDConfiguration struct {
	TokenEndpoint string `json:"token_endpoint"`
}

// cxoneConfiguration is the part of /.well-known/cxone-configuration that
// this package reads.
type cxoneConfiguration struct {
	APIEndpoint string `json:"api_endpoint"`
}

// tokenURL returns the token endpoint, discovering it when it is not
// cached or older than ttl.
func (d *discovery) tokenURL(ctx context.Context) (string, error) {
	return d.tokenEndpoint.get(ctx, "", d.ttl, func(ctx context.Context) (string, error) {
		var cfg openIDConfiguration
		if err := d.fetch(ctx, "/.well-known/openid-configuration", &cfg); err != nil {
			return "", err
		}
		return d.checkURL("token_endpoint", cfg.TokenEndpoint)
	})
}

// apiURL returns the API endpoint of the tenant that issued token,
// discovering it when it is not cached, older than ttl, or cached for
// another tenant.
func (d *discovery) apiURL(ctx context.Context, token issuedToken) (string, error) {
	tenantID, err := tenantOf(token)
	if err != nil {
		return "", d.fail(ErrAuth, 0, nil, err)
	}
	return d.apiEndpoint.get(ctx, tenantID, d.ttl, func(ctx context.Context) (string, error) {
		var cfg cxoneConfiguration
		path := "/.well-known/cxone-configuration?tenantId=" + url.QueryEscape(tenantID)
		if err := d.fetch(ctx, path, &cfg); err != nil {
			return "", err
		}
		return d.checkURL("api_endpoint", cfg.APIEndpoint)
	})
}

// fetch sends GET issuer+path and decodes the JSON response into v.
func (d *discovery) fetch(ctx context.Context, path string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()

	endpoint := d.issuer + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return d.fail(ErrAuth, 0, nil, fmt.Errorf("build discovery request for %q: %w", endpoint, err))
	}
	req.Header.Set("Accept", "application/json")

	resp, err := d.httpClient.Do(req)
	if err != nil {
		return d.fail(ErrTransient, 0, nil, fmt.Errorf("discovery request to %q: %w", endpoint, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseRead))
	if err != nil {
		return d.fail(ErrTransient, resp.StatusCode, nil, fmt.Errorf("read discovery response of %q: %w", endpoint, err))
	}

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return d.statusError(endpoint, resp, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return d.fail(ErrAuth, resp.StatusCode, body, fmt.Errorf("discovery response of %q is not a JSON object: %w", endpoint, err))
	}
	return nil
}

// statusError classifies a non-2xx discovery response as the token source
// does: 408, 425, 429 and 5xx are transient, everything else means the
// issuer URL or the tenant is wrong.
func (d *discovery) statusError(endpoint string, resp *http.Response, body []byte) error {
	if !retryableStatus(resp.StatusCode) {
		return d.fail(ErrAuth, resp.StatusCode, body, fmt.Errorf("discovery endpoint %q rejected the request", endpoint))
	}
	e := d.fail(ErrTransient, resp.StatusCode, body, fmt.Errorf("discovery endpoint %q is unavailable", endpoint))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if wait, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			e.RetryAfter = wait
		}
	}
	return e
}

// checkURL returns raw without a trailing slash when it is an absolute
// http or https URL.
func (d *discovery) checkURL(member, raw string) (string, error) {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", d.fail(ErrAuth, 0, nil, fmt.Errorf("discovery response member %s %q is not an absolute http or https URL", member, raw))
	}
	return strings.TrimRight(raw, "/"), nil
}

func (d *discovery) fail(class error, status int, body []byte, err error) *Error {
	return &Error{
		Op:       "discovery",
		Status:   status,
		Body:     boundedBody(body, ""),
		Class:    class,
		Err:      err,
		authHint: inContactAuthHint,
	}
}

// tenantOf returns the tenantId claim of the access token, or else of the
// id_token. The claim is read without verifying the signature: the token
// comes straight from the token endpoint over the configured transport,
// and CXone verifies it on every API request.
func tenantOf(token issuedToken) (string, error) {
	for _, jwt := range []string{token.access, token.id} {
		if tenantID, ok := jwtClaim(jwt, tenantClaim); ok {
			return tenantID, nil
		}
	}
	return "", fmt.Errorf("neither the access token nor the id_token is a JWT with a %s claim, which API endpoint discovery needs", tenantClaim)
}

// jwtClaim returns a non-empty string claim from the payload of a JWT.
func jwtClaim(jwt, name string) (string, bool) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", false
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", false
	}
	value, ok := claims[name].(string)
	return value, ok && value != ""
}

// cachedURL is one discovered URL, cached for a key such as the tenant id.
// At most one discovery request for it is in flight: concurrent callers
// wait for it.
type cachedURL struct {
	mu        sync.Mutex
	key       string
	value     string
	fetchedAt time.Time
	failures  int // API requests in a row that got no response
	inflight  *urlFetch
}

// urlFetch is one discovery request that several callers may wait for.
type urlFetch struct {
	done  chan struct{}
	value string
	err   error
}

// get returns the cached URL for key, or waits for a discovery request,
// starting one when none is in flight. The request is not bound to ctx,
// because other callers may wait for it. ctx bounds only this caller's
// wait.
func (c *cachedURL) get(ctx context.Context, key string, ttl time.Duration, discover func(context.Context) (string, error)) (string, error) {
	c.mu.Lock()
	if c.value != "" && c.key == key && time.Since(c.fetchedAt) < ttl {
		value := c.value
		c.mu.Unlock()
		return value, nil
	}
	fetch := c.inflight
	if fetch == nil {
		fetch = &urlFetch{done: make(chan struct{})}
		c.inflight = fetch
		go c.run(fetch, key, discover)
	}
	c.mu.Unlock()

	select {
	case <-fetch.done:
		return fetch.value, fetch.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (c *cachedURL) run(fetch *urlFetch, key string, discover func(context.Context) (string, error)) {
	value, err := discover(context.Background())

	c.mu.Lock()
	if err == nil {
		c.key, c.value, c.fetchedAt, c.failures = key, value, time.Now(), 0
	}
	c.inflight = nil
	c.mu.Unlock()

	fetch.value, fetch.err = value, err
	close(fetch.done)
}

// forget drops value, if still cached, so that the next get discovers the
// URL again.
func (c *cachedURL) forget(value string) {
	c.mu.Lock()
	if c.value == value {
		c.value = ""
	}
	c.mu.Unlock()
}

// reportResult counts API requests to value that got no response, and
// drops value after rediscoverAfterFailures of them in a row.
func (c *cachedURL) reportResult(value string, responded bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.value != value {
		return
	}
	if responded {
		c.failures = 0
		return
	}
	c.failures++
	if c.failures >= rediscoverAfterFailures {
		c.value = ""
		c.failures = 0
	}
}
