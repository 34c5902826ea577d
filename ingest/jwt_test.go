package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func signTestJWT(secret, header, claims string) string {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(input))
	return input + "." + enc.EncodeToString(mac.Sum(nil))
}

func TestJWTVerifyTimeClaims(t *testing.T) {
	const secret = "secret-0123456789abcdef0123456789ab"
	const header = `{"alg":"HS256","typ":"JWT"}`
	now := time.Unix(1_700_000_000, 0)
	v := &jwtVerifier{secrets: [][]byte{[]byte(secret)}, leeway: 30 * time.Second, now: func() time.Time { return now }}

	tests := []struct {
		claims string
		want   error
	}{
		{`{}`, nil},
		{fmt.Sprintf(`{"exp":%d}`, now.Unix()), nil},
		{fmt.Sprintf(`{"exp":%d}`, now.Unix()-30), nil},
		{fmt.Sprintf(`{"exp":%d}`, now.Unix()-31), errJWTExpired},
		{fmt.Sprintf(`{"exp":%d.5}`, now.Unix()-31), errJWTExpired},
		{fmt.Sprintf(`{"exp":%d.5}`, now.Unix()-30), nil},
		{fmt.Sprintf(`{"nbf":%d}`, now.Unix()+30), nil},
		{fmt.Sprintf(`{"nbf":%d}`, now.Unix()+31), errJWTNotYetValid},
		{fmt.Sprintf(`{"iat":%d,"exp":%d,"nbf":%d}`, now.Unix(), now.Unix()+60, now.Unix()), nil},
		{`{"exp":"1700000000"}`, errJWTClaims},
		{`{"exp":null}`, errJWTClaims},
		{`{"exp":1e400}`, errJWTClaims},
		{`{"nbf":true}`, errJWTClaims},
		{`{"iat":"now"}`, errJWTClaims},
		{`{"exp":1,"exp":99999999999}`, errJWTClaims},
		{`[]`, errJWTClaims},
		{`null`, errJWTClaims},
	}
	for _, tc := range tests {
		err := v.verify(signTestJWT(secret, header, tc.claims))
		if !errors.Is(err, tc.want) {
			t.Errorf("claims %s: verify = %v, want %v", tc.claims, err, tc.want)
		}
	}
}

func TestJWTVerifyRejectsHeaders(t *testing.T) {
	const secret = "secret-0123456789abcdef0123456789ab"
	v := &jwtVerifier{secrets: [][]byte{[]byte(secret)}, now: time.Now}

	tests := []struct {
		header string
		want   error
	}{
		{`{"alg":"HS256"}`, nil},
		{`{"alg":"HS256","typ":"jwt"}`, nil},
		{`{"alg":"HS256","typ":"application/jwt"}`, nil},
		{`{"alg":"HS256","kid":"2024-01"}`, nil},
		{`{"alg":"none"}`, errJWTAlgorithm},
		{`{"alg":"None"}`, errJWTAlgorithm},
		{`{"alg":""}`, errJWTAlgorithm},
		{`{"alg":null}`, errJWTAlgorithm},
		{`{"typ":"JWT"}`, errJWTAlgorithm},
		{`{"ALG":"HS256"}`, errJWTAlgorithm},
		{`{"alg":"HS384"}`, errJWTAlgorithm},
		{`{"alg":"HS512"}`, errJWTAlgorithm},
		{`{"alg":"RS256"}`, errJWTAlgorithm},
		{`{"alg":"ES256"}`, errJWTAlgorithm},
		{`{"alg":["HS256"]}`, errJWTAlgorithm},
		{`{"alg":"HS256","typ":"JOSE"}`, errJWTType},
		{`{"alg":"HS256","typ":1}`, errJWTType},
		{`{"alg":"HS256","crit":["b64"],"b64":false}`, errJWTCritical},
		{`{"alg":"HS256","alg":"HS256"}`, errJWTMalformed},
		{`{"alg":"HS256"`, errJWTMalformed},
		{`"HS256"`, errJWTMalformed},
	}
	for _, tc := range tests {
		err := v.verify(signTestJWT(secret, tc.header, `{}`))
		if !errors.Is(err, tc.want) {
			t.Errorf("header %s: verify = %v, want %v", tc.header, err, tc.want)
		}
	}
}

func TestJWTVerifyRejectsMalformedTokens(t *testing.T) {
	const secret = "secret-0123456789abcdef0123456789ab"
	v := &jwtVerifier{secrets: [][]byte{[]byte(secret)}, now: time.Now}
	valid := signTestJWT(secret, `{"alg":"HS256"}`, `{}`)
	parts := strings.Split(valid, ".")

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"valid", valid, nil},
		{"empty", "", errJWTMalformed},
		{"one segment", parts[0], errJWTMalformed},
		{"two segments", parts[0] + "." + parts[1], errJWTMalformed},
		{"four segments", valid + ".x", errJWTMalformed},
		{"empty signature", parts[0] + "." + parts[1] + ".", errJWTMalformed},
		{"empty header", "." + parts[1] + "." + parts[2], errJWTMalformed},
		{"padding", parts[0] + "=." + parts[1] + "." + parts[2], errJWTMalformed},
		{"space", parts[0] + " ." + parts[1] + "." + parts[2], errJWTMalformed},
		{"short signature", parts[0] + "." + parts[1] + "." + parts[2][:20], errJWTSignature},
		{"signature not base64url", parts[0] + "." + parts[1] + "." + strings.Repeat("+", 43), errJWTSignature},
		{"other payload", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"a":1}`)) + "." + parts[2], errJWTSignature},
		{"too long", valid + strings.Repeat("A", maxJWTLen), errJWTTooLong},
	}
	for _, tc := range tests {
		err := v.verify(tc.token)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: verify = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestJWTVerifyTriesEverySecret(t *testing.T) {
	secrets := [][]byte{[]byte("secret-a-0123456789abcdef012345678"), []byte("secret-b-0123456789abcdef012345678")}
	v := &jwtVerifier{secrets: secrets, now: time.Now}

	for _, secret := range secrets {
		if err := v.verify(signTestJWT(string(secret), `{"alg":"HS256"}`, `{}`)); err != nil {
			t.Errorf("token signed with secret %c: %v", secret[7], err)
		}
	}
	if err := v.verify(signTestJWT("secret-c-0123456789abcdef012345678", `{"alg":"HS256"}`, `{}`)); !errors.Is(err, errJWTSignature) {
		t.Errorf("token signed with another secret: %v, want errJWTSignature", err)
	}
}
