package ingest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"
)

// HeaderAPIKey carries an API key, one of the two forms Cognigy's HTTP
// Request node offers for API key auth.
const HeaderAPIKey = "X-API-Key"

// Schemes a request attempted, as logged in the auth_scheme field. They
// never contain request data, because a client that sends its key as the
// whole Authorization value would otherwise have it logged.
const (
	schemeNone        = "none"
	schemeMultiple    = "multiple"
	schemeUnsupported = "unsupported"
	schemeBasic       = "basic"
	schemeBearer      = "bearer"
	schemeAPIKey      = "apikey"
	schemeXAPIKey     = "x-api-key"
)

// Reasons a request fails authentication. They are logged, never sent to the client.
var (
	errNoCredential        = errors.New("request has no credential")
	errManyCredentials     = errors.New("request has more than one Authorization or X-API-Key header")
	errUnsupportedScheme   = errors.New("Authorization scheme is not Basic, Bearer or ApiKey")
	errSchemeNotConfigured = errors.New("scheme is not configured")
	errUnknownAPIKey       = errors.New("API key does not match")
	errBasicMalformed      = errors.New("Basic credentials are not base64 of user:password")
	errBasicMismatch       = errors.New("Basic user or password does not match")
)

// authenticator checks the credential of a request against an Auth. It
// keeps SHA-256 digests of the keys and pairs and compares digests in
// constant time, so neither the length nor the content of a configured
// secret shows in the response time.
type authenticator struct {
	apiKeys   [][sha256.Size]byte
	basic     [][sha256.Size]byte
	jwt       *jwtVerifier
	challenge string
}

func newAuthenticator(a Auth) *authenticator {
	auth := &authenticator{challenge: a.challenge()}
	for _, key := range a.APIKeys {
		auth.apiKeys = append(auth.apiKeys, sha256.Sum256([]byte(key)))
	}
	for _, pair := range a.BasicAuth {
		auth.basic = append(auth.basic, sha256.Sum256([]byte(pair)))
	}
	if len(a.JWTSecrets) > 0 {
		auth.jwt = &jwtVerifier{secrets: a.JWTSecrets, leeway: a.JWTLeeway, now: time.Now}
	}
	return auth
}

// authenticate returns the scheme the request attempted and nil when its
// one credential is valid. The request must carry exactly one Authorization
// or X-API-Key header.
func (a *authenticator) authenticate(header http.Header) (string, error) {
	authorization := header.Values("Authorization")
	apiKeys := header.Values(HeaderAPIKey)
	switch {
	case len(authorization)+len(apiKeys) == 0:
		return schemeNone, errNoCredential
	case len(authorization)+len(apiKeys) > 1:
		return schemeMultiple, errManyCredentials
	case len(apiKeys) == 1:
		return schemeXAPIKey, a.checkAPIKey(apiKeys[0])
	}

	scheme, credential, _ := strings.Cut(authorization[0], " ")
	credential = strings.TrimLeft(credential, " ")
	switch {
	case strings.EqualFold(scheme, "Basic"):
		return schemeBasic, a.checkBasic(credential)
	case strings.EqualFold(scheme, "Bearer"):
		return schemeBearer, a.checkBearer(credential)
	case strings.EqualFold(scheme, "ApiKey"):
		return schemeAPIKey, a.checkAPIKey(credential)
	}
	return schemeUnsupported, errUnsupportedScheme
}

func (a *authenticator) checkAPIKey(key string) error {
	if len(a.apiKeys) == 0 {
		return errSchemeNotConfigured
	}
	if !matchDigest(a.apiKeys, key) {
		return errUnknownAPIKey
	}
	return nil
}

func (a *authenticator) checkBasic(credential string) error {
	if len(a.basic) == 0 {
		return errSchemeNotConfigured
	}
	pair, err := base64.StdEncoding.DecodeString(credential)
	if err != nil || !strings.Contains(string(pair), ":") {
		return errBasicMalformed
	}
	if !matchDigest(a.basic, string(pair)) {
		return errBasicMismatch
	}
	return nil
}

func (a *authenticator) checkBearer(token string) error {
	if a.jwt == nil {
		return errSchemeNotConfigured
	}
	return a.jwt.verify(token)
}

// matchDigest reports whether the SHA-256 digest of presented equals one of
// digests. It compares against every digest, so the time taken does not
// depend on which one matched.
func matchDigest(digests [][sha256.Size]byte, presented string) bool {
	sum := sha256.Sum256([]byte(presented))
	matched := 0
	for i := range digests {
		matched |= subtle.ConstantTimeCompare(sum[:], digests[i][:])
	}
	return matched == 1
}
