package ingest

import (
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzJWTVerify(f *testing.F) {
	const secret = "secret-0123456789abcdef0123456789ab"
	f.Add(signTestJWT(secret, `{"alg":"HS256","typ":"JWT"}`, `{"exp":1700000060,"nbf":1699999990}`))
	f.Add(signTestJWT(secret, `{"alg":"none"}`, `{}`))
	f.Add(signTestJWT(secret, `{"alg":"HS256","alg":"none"}`, `{}`))
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.")
	f.Add("a.b.c")
	f.Add("..")

	now := time.Unix(1_700_000_000, 0)
	v := &jwtVerifier{secrets: [][]byte{[]byte(secret)}, leeway: 30 * time.Second, now: func() time.Time { return now }}

	f.Fuzz(func(t *testing.T, token string) {
		if err := v.verify(token); err != nil {
			return
		}
		// An accepted token was signed with the secret, so re-signing its
		// header and payload reproduces it.
		header, payload, _, err := splitJWT(token)
		if err != nil {
			t.Fatalf("accepted token does not split: %v", err)
		}
		h, _ := jwtEncoding.DecodeString(header)
		p, _ := jwtEncoding.DecodeString(payload)
		if signTestJWT(secret, string(h), string(p)) != token {
			t.Fatalf("accepted token %q is not the HS256 signature of its parts", token)
		}
	})
}

func FuzzCheckPayload(f *testing.F) {
	for _, seed := range []string{`{"a":1,"a":2}`, `{"a":[{"b":1},{"b":1,"b":2}]}`, `[[[[]]]]`, "{\"\xff\":1}", `{"a" 1}`, `{"a":"\u0000"}`} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		err := checkPayload(body)
		if err == nil && len(body) > 0 && !utf8.Valid(body) {
			t.Fatalf("accepted invalid UTF-8 %q", body)
		}
	})
}
