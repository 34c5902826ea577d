package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"
)

// maxJWTLen bounds the length of a bearer token. An HS256 token with a few
// claims is a few hundred bytes.
const maxJWTLen = 4096

// Reasons a bearer token is rejected. They are logged, never sent to the client.
var (
	errJWTTooLong     = errors.New("JWT is longer than 4096 bytes")
	errJWTMalformed   = errors.New("JWT is malformed")
	errJWTAlgorithm   = errors.New("JWT algorithm is not HS256")
	errJWTType        = errors.New("JWT typ header is not JWT")
	errJWTCritical    = errors.New("JWT has a crit header, and no extension is supported")
	errJWTSignature   = errors.New("JWT signature does not match any secret")
	errJWTClaims      = errors.New("JWT claims are invalid")
	errJWTExpired     = errors.New("JWT has expired")
	errJWTNotYetValid = errors.New("JWT is not valid yet")
)

// jwtEncoding decodes JWT segments: base64url without padding, rejecting
// non-zero trailing bits so that each segment has one encoding.
var jwtEncoding = base64.RawURLEncoding.Strict()

// jwtVerifier checks HS256 JSON Web Tokens (RFC 7519) against shared secrets.
type jwtVerifier struct {
	secrets [][]byte
	leeway  time.Duration
	now     func() time.Time
}

// verify returns nil when token is a compact HS256 JWS whose signature
// matches one of the secrets and whose exp and nbf claims, when present,
// hold at the current time plus or minus the leeway. Tokens without exp
// never expire. The iss and aud claims are not checked.
func (v *jwtVerifier) verify(token string) error {
	if len(token) > maxJWTLen {
		return errJWTTooLong
	}
	headerPart, payloadPart, signaturePart, err := splitJWT(token)
	if err != nil {
		return err
	}

	if err := checkJWTHeader(headerPart); err != nil {
		return err
	}
	if err := v.checkSignature(headerPart+"."+payloadPart, signaturePart); err != nil {
		return err
	}
	return v.checkClaims(payloadPart)
}

// splitJWT splits a compact JWS into its three non-empty segments.
func splitJWT(token string) (header, payload, signature string, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", "", "", errJWTMalformed
	}
	for _, part := range parts {
		if part == "" {
			return "", "", "", errJWTMalformed
		}
	}
	return parts[0], parts[1], parts[2], nil
}

// checkJWTHeader accepts a header whose alg is exactly HS256, whose typ,
// when present, is JWT, and that has no crit member. Member names are
// case-sensitive (RFC 7515 section 4).
func checkJWTHeader(segment string) error {
	header, err := decodeJWTObject(segment)
	if err != nil {
		return err
	}

	var alg string
	if json.Unmarshal(header["alg"], &alg) != nil || alg != "HS256" {
		return errJWTAlgorithm
	}
	if raw, ok := header["typ"]; ok {
		var typ string
		if json.Unmarshal(raw, &typ) != nil || !(strings.EqualFold(typ, "JWT") || strings.EqualFold(typ, "application/jwt")) {
			return errJWTType
		}
	}
	if _, ok := header["crit"]; ok {
		return errJWTCritical
	}
	return nil
}

// checkSignature computes the HMAC with every secret, so the time taken
// does not depend on which secret matched.
func (v *jwtVerifier) checkSignature(signingInput, segment string) error {
	signature, err := jwtEncoding.DecodeString(segment)
	if err != nil || len(signature) != sha256.Size {
		return errJWTSignature
	}

	matched := false
	for _, secret := range v.secrets {
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(signingInput))
		if hmac.Equal(mac.Sum(nil), signature) {
			matched = true
		}
	}
	if !matched {
		return errJWTSignature
	}
	return nil
}

// checkClaims checks the time claims of a payload whose signature is valid.
func (v *jwtVerifier) checkClaims(segment string) error {
	claims, err := decodeJWTObject(segment)
	if err != nil {
		return errJWTClaims
	}

	now := v.now()
	leeway := v.leeway.Seconds()
	nowSeconds := float64(now.UnixNano()) / 1e9

	if raw, ok := claims["exp"]; ok {
		exp, err := numericDate(raw)
		if err != nil {
			return errJWTClaims
		}
		if nowSeconds > exp+leeway {
			return errJWTExpired
		}
	}
	if raw, ok := claims["nbf"]; ok {
		nbf, err := numericDate(raw)
		if err != nil {
			return errJWTClaims
		}
		if nowSeconds+leeway < nbf {
			return errJWTNotYetValid
		}
	}
	if raw, ok := claims["iat"]; ok {
		if _, err := numericDate(raw); err != nil {
			return errJWTClaims
		}
	}
	return nil
}

// decodeJWTObject decodes a base64url segment holding a JSON object with
// no duplicate member names.
func decodeJWTObject(segment string) (map[string]json.RawMessage, error) {
	data, err := jwtEncoding.DecodeString(segment)
	if err != nil {
		return nil, errJWTMalformed
	}
	if err := checkJSONStructure(data, maxJWTDepth); err != nil {
		return nil, errJWTMalformed
	}

	var object map[string]json.RawMessage
	if err := json.Unmarshal(data, &object); err != nil || object == nil {
		return nil, errJWTMalformed
	}
	return object, nil
}

// maxJWTDepth bounds the nesting of a JWT header or claims set.
const maxJWTDepth = 16

// numericDate reads a NumericDate (RFC 7519 section 2): seconds since the
// Unix epoch as a JSON number, possibly with a fraction.
func numericDate(raw json.RawMessage) (float64, error) {
	if string(raw) == "null" {
		return 0, errJWTClaims
	}
	var seconds float64
	if err := json.Unmarshal(raw, &seconds); err != nil {
		return 0, err
	}
	if math.IsNaN(seconds) || math.IsInf(seconds, 0) {
		return 0, errJWTClaims
	}
	return seconds, nil
}
