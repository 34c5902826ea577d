package ingest

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Minimum credential lengths that Auth.Validate enforces.
const (
	// MinAPIKeyLen is the minimum length of an API key in bytes.
	MinAPIKeyLen = 16

	// MinBasicPasswordLen is the minimum length of a Basic auth password in bytes.
	MinBasicPasswordLen = 8

	// MinJWTSecretLen is the minimum length of an HS256 secret in bytes:
	// RFC 7518 section 3.2 requires a key at least as long as the 256-bit hash output.
	MinJWTSecretLen = 32
)

// maxJWTLeeway bounds Auth.JWTLeeway. A larger leeway would keep expired
// tokens valid for long.
const maxJWTLeeway = 5 * time.Minute

// Auth sets the credentials the webhook accepts. A request is authenticated
// when it carries one credential that matches any configured entry, so
// several keys, pairs or secrets can be valid at once while one is rotated.
// The zero value accepts every request without credentials.
type Auth struct {
	// APIKeys are accepted as "X-API-Key: <key>" or "Authorization: ApiKey <key>".
	// Each key has at least MinAPIKeyLen printable ASCII characters and no space.
	APIKeys []string

	// BasicAuth entries are "user:password" pairs accepted as HTTP Basic
	// auth. The user is the text before the first colon and must not be
	// empty. The password has at least MinBasicPasswordLen bytes.
	BasicAuth []string

	// JWTSecrets are HS256 secrets for "Authorization: Bearer <JWT>". Each
	// has at least MinJWTSecretLen bytes. Only HS256 tokens are accepted.
	JWTSecrets [][]byte

	// JWTLeeway is the clock skew allowed when checking the exp and nbf
	// claims, from 0 to 5 minutes. Default 30 s.
	JWTLeeway time.Duration
}

// Enabled reports whether any credential is configured. Without one, the
// webhook is open.
func (a Auth) Enabled() bool {
	return len(a.APIKeys) > 0 || len(a.BasicAuth) > 0 || len(a.JWTSecrets) > 0
}

// Validate reports the first entry that cannot work. Errors name the entry
// by its index, never by its value.
func (a Auth) Validate() error {
	for i, key := range a.APIKeys {
		if err := checkAPIKey(key); err != nil {
			return fmt.Errorf("%w: Auth.APIKeys[%d] %s", ErrInvalidConfig, i, err)
		}
	}
	for i, pair := range a.BasicAuth {
		if err := checkBasicPair(pair); err != nil {
			return fmt.Errorf("%w: Auth.BasicAuth[%d] %s", ErrInvalidConfig, i, err)
		}
	}
	for i, secret := range a.JWTSecrets {
		if len(secret) < MinJWTSecretLen {
			return fmt.Errorf("%w: Auth.JWTSecrets[%d] has %d bytes; an HS256 secret needs at least %d, for example from `openssl rand -hex 32`",
				ErrInvalidConfig, i, len(secret), MinJWTSecretLen)
		}
	}
	if a.JWTLeeway < 0 || a.JWTLeeway > maxJWTLeeway {
		return fmt.Errorf("%w: Auth.JWTLeeway %s must be from 0 to %s; the default is 30s", ErrInvalidConfig, a.JWTLeeway, maxJWTLeeway)
	}
	return nil
}

// checkAPIKey returns the problem with key as an error message that does
// not contain the key.
func checkAPIKey(key string) error {
	if key == "" {
		return fmt.Errorf("is empty; remove the entry or set a key")
	}
	for i := range len(key) {
		if key[i] <= ' ' || key[i] > '~' {
			return fmt.Errorf("contains a character other than printable ASCII at byte %d; a key travels in an HTTP header, so use letters, digits and punctuation", i)
		}
	}
	if len(key) < MinAPIKeyLen {
		return fmt.Errorf("has %d characters; use at least %d, for example from `openssl rand -hex 32`", len(key), MinAPIKeyLen)
	}
	return nil
}

// checkBasicPair returns the problem with a "user:password" pair as an
// error message that contains neither part.
func checkBasicPair(pair string) error {
	user, password, ok := strings.Cut(pair, ":")
	switch {
	case !ok:
		return fmt.Errorf("has no colon; write it as user:password")
	case user == "":
		return fmt.Errorf("has an empty user; write it as user:password")
	case !utf8.ValidString(pair) || strings.ContainsFunc(pair, isControl):
		return fmt.Errorf("contains a control character or invalid UTF-8")
	case len(password) < MinBasicPasswordLen:
		return fmt.Errorf("has a password of %d bytes; use at least %d", len(password), MinBasicPasswordLen)
	}
	return nil
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f
}

// challenge returns the WWW-Authenticate value of a 401 response: one
// challenge for each configured scheme.
func (a Auth) challenge() string {
	var schemes []string
	if len(a.BasicAuth) > 0 {
		schemes = append(schemes, `Basic realm="router", charset="UTF-8"`)
	}
	if len(a.JWTSecrets) > 0 {
		schemes = append(schemes, `Bearer realm="router"`)
	}
	if len(a.APIKeys) > 0 {
		schemes = append(schemes, `ApiKey realm="router"`)
	}
	return strings.Join(schemes, ", ")
}
