package cxone

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Default values of Config and RetryPolicy.
const (
	DefaultEnv            = "us"
	DefaultScope          = "interaction:update interaction:read"
	DefaultRequestTimeout = 5 * time.Second

	DefaultInitialInterval     = 250 * time.Millisecond
	DefaultMultiplier          = 2.0
	DefaultRandomizationFactor = 0.5
	DefaultMaxInterval         = 4 * time.Second
	DefaultMaxElapsedTime      = 10 * time.Second
	DefaultMaxAttempts         = 6
)

// Config configures a Client. Zero fields take the documented defaults,
// except ClientID and ClientSecret, which are required.
type Config struct {
	// BaseURL is the API base URL, such as "https://api.us.nicenginx.com".
	// Default DefaultBaseURL(DefaultEnv). Set from CXONE_BASE_URL.
	BaseURL string

	// TokenURL is the OAuth token endpoint. Default BaseURL +
	// "/api/v2/oauth/token". Set from CXONE_TOKEN_URL.
	TokenURL string

	// ClientID and ClientSecret are the OAuth client credentials, sent as
	// HTTP Basic auth to TokenURL. Set from CXONE_CLIENT_ID and
	// CXONE_CLIENT_SECRET.
	ClientID     string
	ClientSecret string

	// Scope is the OAuth scope requested with each token.
	// Default "interaction:update interaction:read".
	Scope string

	// RequestTimeout bounds one HTTP request, token requests included.
	// Default 5 s.
	RequestTimeout time.Duration

	// HTTPClient sends the requests. Its Timeout should be zero or larger
	// than RequestTimeout. Default: a client with dial, TLS handshake and
	// idle-connection timeouts set, and up to 512 idle connections per host,
	// so a worker with that many calls in flight reuses its connections
	// instead of redialling. It follows no redirects, because Go's client
	// turns a PATCH or POST redirected with 301, 302 or 303 into a GET.
	HTTPClient *http.Client

	// Retry sets the backoff between attempts and the in-process budget.
	Retry RetryPolicy

	// MaxRPS limits PATCH requests per second sent by this Client, across
	// all goroutines that use it. 0 means no limit. Set from CXONE_MAX_RPS.
	MaxRPS float64

	// Observer, when set, receives every API request and retry wait.
	Observer Observer
}

// RetryPolicy sets how UpdateInteraction retries within one call.
//
// The wait before retry n (n = 1, 2, ...) is drawn at random from
//
//	interval(n) * [1 - RandomizationFactor, 1 + RandomizationFactor]
//	interval(n) = min(InitialInterval * Multiplier^(n-1), MaxInterval)
//
// as github.com/cenkalti/backoff/v4's ExponentialBackOff computes it.
// MaxInterval caps interval(n), not the randomized wait. With the defaults
// the waits are:
//
//	retry  interval (s)  randomized wait (s)
//	1      0.25          [0.125, 0.375]
//	2      0.5           [0.25,  0.75]
//	3      1             [0.5,   1.5]
//	4      2             [1,     3]
//	5      4             [2,     6]
//
// and MaxAttempts = 6 stops after the fifth retry, about 7.75 s of waiting
// on average, which fits the 10 s MaxElapsedTime. A 429 or 503 response
// with a Retry-After header makes the wait max(randomized wait, Retry-After).
//
// MaxElapsedTime is an IN-PROCESS budget only. It bounds how long one
// UpdateInteraction call keeps retrying while the caller holds the message.
// When the next wait would end after the budget, the call returns an
// ErrTransient error instead of waiting. The error carries RetryAfter when
// the server requested a wait. The caller then hands the message back to
// its queue (for example with JetStream NakWithDelay), which retries across
// processes and restarts. Nothing here persists between calls.
type RetryPolicy struct {
	// InitialInterval is the first backoff interval. Default 250 ms.
	InitialInterval time.Duration

	// Multiplier grows the interval after each retry. Default 2.
	Multiplier float64

	// RandomizationFactor is the jitter around each interval, from 0 to 1.
	// Default 0.5. A negative value turns jitter off.
	RandomizationFactor float64

	// MaxInterval caps the interval before jitter. Default 4 s.
	MaxInterval time.Duration

	// MaxElapsedTime is the in-process retry budget of one call, measured
	// from the call's start. Default 10 s.
	MaxElapsedTime time.Duration

	// MaxAttempts bounds the attempts of one call. The single repeat after
	// a 401 with a fresh token is not counted. Default 6.
	MaxAttempts int
}

// DefaultBaseURL returns the interactions-v2 API base URL of a CXone
// environment: "https://api.<env>.nicenginx.com". An empty env means
// DefaultEnv ("us").
func DefaultBaseURL(env string) string {
	if env == "" {
		env = DefaultEnv
	}
	return "https://api." + env + ".nicenginx.com"
}

// Validate checks the configuration as given, treating zero fields as their
// defaults, and returns an error naming the first invalid field and the fix.
func (c Config) Validate() error {
	if c.BaseURL != "" {
		if err := validateURL("BaseURL", c.BaseURL, "CXONE_BASE_URL"); err != nil {
			return err
		}
	}
	if c.TokenURL != "" {
		if err := validateURL("TokenURL", c.TokenURL, "CXONE_TOKEN_URL"); err != nil {
			return err
		}
	}
	if c.ClientID == "" {
		return fmt.Errorf("cxone: ClientID is missing; set CXONE_CLIENT_ID")
	}
	if c.ClientSecret == "" {
		return fmt.Errorf("cxone: ClientSecret is missing; set CXONE_CLIENT_SECRET")
	}
	if strings.ContainsAny(c.Scope, "\r\n") {
		return fmt.Errorf("cxone: Scope %q contains a line break; use space-separated scope names", c.Scope)
	}
	if c.RequestTimeout < 0 {
		return fmt.Errorf("cxone: RequestTimeout %v is negative; use a positive duration or 0 for the default %v", c.RequestTimeout, DefaultRequestTimeout)
	}
	if c.MaxRPS < 0 {
		return fmt.Errorf("cxone: MaxRPS %v is negative; use a positive rate or 0 for no limit; check CXONE_MAX_RPS", c.MaxRPS)
	}
	return c.Retry.Validate()
}

// Validate checks the policy as given, treating zero fields as their
// defaults, and returns an error naming the first invalid field.
func (p RetryPolicy) Validate() error {
	if p.InitialInterval < 0 {
		return fmt.Errorf("cxone: Retry.InitialInterval %v is negative; use a positive duration or 0 for the default %v", p.InitialInterval, DefaultInitialInterval)
	}
	if p.Multiplier != 0 && p.Multiplier < 1 {
		return fmt.Errorf("cxone: Retry.Multiplier %v is below 1; use 1 or more, or 0 for the default %v", p.Multiplier, DefaultMultiplier)
	}
	if p.RandomizationFactor > 1 {
		return fmt.Errorf("cxone: Retry.RandomizationFactor %v is above 1; use a value from 0 to 1", p.RandomizationFactor)
	}
	if p.MaxInterval < 0 {
		return fmt.Errorf("cxone: Retry.MaxInterval %v is negative; use a positive duration or 0 for the default %v", p.MaxInterval, DefaultMaxInterval)
	}
	if p.MaxElapsedTime < 0 {
		return fmt.Errorf("cxone: Retry.MaxElapsedTime %v is negative; use a positive duration or 0 for the default %v", p.MaxElapsedTime, DefaultMaxElapsedTime)
	}
	if p.MaxAttempts < 0 {
		return fmt.Errorf("cxone: Retry.MaxAttempts %d is negative; use 1 or more, or 0 for the default %d", p.MaxAttempts, DefaultMaxAttempts)
	}
	return nil
}

func validateURL(field, raw, env string) error {
	u, err := url.Parse(raw)
	if err != nil {
		// The parse error quotes the URL, which may hold a password.
		return fmt.Errorf("cxone: %s is not a valid URL; set %s", field, env)
	}
	if u.User != nil {
		return fmt.Errorf("cxone: %s must not contain user information; set the credentials in CXONE_CLIENT_ID and CXONE_CLIENT_SECRET", field)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("cxone: %s %q must be an http or https URL; set %s", field, raw, env)
	}
	if u.Host == "" {
		return fmt.Errorf("cxone: %s %q has no host; set %s", field, raw, env)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("cxone: %s %q must not have a query or fragment; set %s", field, raw, env)
	}
	return nil
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL(DefaultEnv)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.TokenURL == "" {
		c.TokenURL = c.BaseURL + "/api/v2/oauth/token"
	}
	if c.Scope == "" {
		c.Scope = DefaultScope
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.HTTPClient == nil {
		c.HTTPClient = newDefaultHTTPClient()
	}
	c.Retry = c.Retry.withDefaults()
	return c
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.InitialInterval == 0 {
		p.InitialInterval = DefaultInitialInterval
	}
	if p.Multiplier == 0 {
		p.Multiplier = DefaultMultiplier
	}
	if p.RandomizationFactor == 0 {
		p.RandomizationFactor = DefaultRandomizationFactor
	}
	if p.RandomizationFactor < 0 {
		p.RandomizationFactor = 0
	}
	if p.MaxInterval == 0 {
		p.MaxInterval = DefaultMaxInterval
	}
	if p.MaxElapsedTime == 0 {
		p.MaxElapsedTime = DefaultMaxElapsedTime
	}
	if p.MaxAttempts == 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	return p
}

func newDefaultHTTPClient() *http.Client {
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   512,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
