package cxone

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Default values of InContactConfig.
const (
	DefaultIssuerURL    = "https://cxone.niceincontact.com"
	DefaultAPIVersion   = "v30.0"
	DefaultDiscoveryTTL = time.Hour

	// MaxSignalParams is the number of signal parameters, p1 to p9, that
	// the signal endpoint accepts.
	MaxSignalParams = 9
)

// Names of Update values in InContactConfig.SignalParams. Any other name
// is a key of Update.RoutingData.Fields.
const (
	SignalParamSkill      = "skill"
	SignalParamPriority   = "priority"
	SignalParamWrapUpCode = "wrapUpCode"
)

// DefaultSignalParams returns the default InContactConfig.SignalParams:
// p1 = skill, p2 = priority, p3 = wrapUpCode, p4 = customField.
func DefaultSignalParams() []string {
	return []string{SignalParamSkill, SignalParamPriority, SignalParamWrapUpCode, "customField"}
}

// apiVersionPattern matches inContact API versions such as "v30.0".
var apiVersionPattern = regexp.MustCompile(`^v[0-9]+(\.[0-9]+)?$`)

// InContactConfig configures an InContactClient for a real CXone tenant.
// Zero fields take the documented defaults, except the client credentials
// and the access key, which are required.
type InContactConfig struct {
	// IssuerURL is the CXone authentication issuer. Its
	// /.well-known/openid-configuration names the token endpoint, and its
	// /.well-known/cxone-configuration the tenant's API endpoint.
	// Default DefaultIssuerURL. Set from CXONE_ISSUER_URL.
	IssuerURL string

	// ClientID and ClientSecret identify the application registered with
	// NICE, sent as HTTP Basic auth to the token endpoint. Set from
	// CXONE_CLIENT_ID and CXONE_CLIENT_SECRET.
	ClientID     string
	ClientSecret string

	// AccessKeyID and AccessKeySecret are a CXone user's access key, sent
	// as username and password of the OAuth password grant. Set from
	// CXONE_ACCESS_KEY_ID and CXONE_ACCESS_KEY_SECRET.
	AccessKeyID     string
	AccessKeySecret string

	// APIVersion is the inContact API version in request paths, such as
	// "v30.0". Default DefaultAPIVersion. Set from CXONE_API_VERSION.
	APIVersion string

	// SignalParams names the Update value sent as each signal parameter:
	// the first as p1, the second as p2, up to p9. A name is "skill",
	// "priority", "wrapUpCode" or a key of RoutingData.Fields, such as
	// "customField". Every listed parameter is sent, a missing field as
	// an empty value, so that positions stay fixed. Default
	// DefaultSignalParams(). ParseSignalParams reads the
	// CXONE_SIGNAL_PARAMS form.
	SignalParams []string

	// RequestTimeout bounds one HTTP request, discovery and token requests
	// included. Default 5 s.
	RequestTimeout time.Duration

	// HTTPClient sends the requests. Default: as Config.HTTPClient.
	HTTPClient *http.Client

	// Retry sets the backoff between attempts and the in-process budget.
	// MaxElapsedTime bounds the whole call, all actions together, and
	// MaxAttempts bounds the attempts of each action.
	Retry RetryPolicy

	// MaxRPS limits API requests per second sent by this client, across
	// all goroutines that use it. 0 means no limit. Set from CXONE_MAX_RPS.
	MaxRPS float64

	// DiscoveryTTL is how long the discovered token endpoint and API
	// endpoint are used before they are discovered again. Default 1 h.
	DiscoveryTTL time.Duration

	// Observer, when set, receives every API request and retry wait.
	Observer Observer
}

// ParseSignalParams splits a comma-separated list, such as the value of
// CXONE_SIGNAL_PARAMS "skill,priority,wrapUpCode,customField", into
// SignalParams, trimming spaces. An empty or blank value returns nil, which
// means the default.
func ParseSignalParams(list string) []string {
	if strings.TrimSpace(list) == "" {
		return nil
	}
	names := strings.Split(list, ",")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	return names
}

// Validate checks the configuration as given, treating zero fields as their
// defaults, and returns an error naming the first invalid field, its
// environment variable and the fix. Errors never contain a secret.
func (c InContactConfig) Validate() error {
	if c.IssuerURL != "" {
		if err := validateURL("IssuerURL", c.IssuerURL, "CXONE_ISSUER_URL"); err != nil {
			return err
		}
	}
	required := []struct{ field, value, env string }{
		{"ClientID", c.ClientID, "CXONE_CLIENT_ID"},
		{"ClientSecret", c.ClientSecret, "CXONE_CLIENT_SECRET"},
		{"AccessKeyID", c.AccessKeyID, "CXONE_ACCESS_KEY_ID"},
		{"AccessKeySecret", c.AccessKeySecret, "CXONE_ACCESS_KEY_SECRET"},
	}
	for _, r := range required {
		if r.value == "" {
			return fmt.Errorf("cxone: %s is missing; set %s", r.field, r.env)
		}
	}
	if c.APIVersion != "" && !apiVersionPattern.MatchString(c.APIVersion) {
		return fmt.Errorf("cxone: APIVersion %q is not a version such as %q; set CXONE_API_VERSION", c.APIVersion, DefaultAPIVersion)
	}
	if c.SignalParams != nil {
		if err := validateSignalParams(c.SignalParams); err != nil {
			return err
		}
	}
	if c.RequestTimeout < 0 {
		return fmt.Errorf("cxone: RequestTimeout %v is negative; use a positive duration or 0 for the default %v", c.RequestTimeout, DefaultRequestTimeout)
	}
	if c.MaxRPS < 0 {
		return fmt.Errorf("cxone: MaxRPS %v is negative; use a positive rate or 0 for no limit; check CXONE_MAX_RPS", c.MaxRPS)
	}
	if c.DiscoveryTTL < 0 {
		return fmt.Errorf("cxone: DiscoveryTTL %v is negative; use a positive duration or 0 for the default %v", c.DiscoveryTTL, DefaultDiscoveryTTL)
	}
	return c.Retry.Validate()
}

// validateSignalParams checks the names of SignalParams.
func validateSignalParams(names []string) error {
	if len(names) == 0 || len(names) > MaxSignalParams {
		return fmt.Errorf("cxone: SignalParams has %d names; list 1 to %d names, such as %q, in CXONE_SIGNAL_PARAMS", len(names), MaxSignalParams, strings.Join(DefaultSignalParams(), ","))
	}
	seen := map[string]bool{}
	for i, name := range names {
		position := fmt.Sprintf("p%d", i+1)
		if name == "" || strings.ContainsAny(name, " \t\r\n,") {
			return fmt.Errorf("cxone: SignalParams %s %q is not a name; use skill, priority, wrapUpCode or a routing field name in CXONE_SIGNAL_PARAMS", position, name)
		}
		if canonical := canonicalSignalParam(name); canonical != "" && canonical != name {
			return fmt.Errorf("cxone: SignalParams %s %q is spelled %q; fix CXONE_SIGNAL_PARAMS", position, name, canonical)
		}
		if seen[name] {
			return fmt.Errorf("cxone: SignalParams lists %q twice; list each name once in CXONE_SIGNAL_PARAMS", name)
		}
		seen[name] = true
	}
	return nil
}

// canonicalSignalParam returns the spelling of a built-in name that equals
// name in any letter case, or "" when name is a routing field name.
func canonicalSignalParam(name string) string {
	for _, builtIn := range []string{SignalParamSkill, SignalParamPriority, SignalParamWrapUpCode} {
		if strings.EqualFold(name, builtIn) {
			return builtIn
		}
	}
	return ""
}

// withDefaults returns c with every zero field set to its default.
func (c InContactConfig) withDefaults() InContactConfig {
	if c.IssuerURL == "" {
		c.IssuerURL = DefaultIssuerURL
	}
	c.IssuerURL = strings.TrimRight(c.IssuerURL, "/")
	if c.APIVersion == "" {
		c.APIVersion = DefaultAPIVersion
	}
	if c.SignalParams == nil {
		c.SignalParams = DefaultSignalParams()
	}
	c.SignalParams = append([]string(nil), c.SignalParams...)
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.HTTPClient == nil {
		c.HTTPClient = newDefaultHTTPClient()
	}
	if c.DiscoveryTTL == 0 {
		c.DiscoveryTTL = DefaultDiscoveryTTL
	}
	c.Retry = c.Retry.withDefaults()
	return c
}
