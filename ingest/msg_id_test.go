package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/cxrouter/router/mapping"
)

func TestMessageID(t *testing.T) {
	body := []byte(`{"cxoneInteractionId":"abc"}`)
	sum := sha256.Sum256(body)
	bodyHash := hex.EncodeToString(sum[:])

	tests := []struct {
		name    string
		key     []string // Idempotency-Key values; nil when absent
		input   mapping.Input
		want    string
		wantErr bool
	}{
		{name: "key wins over session", key: []string{"key-1"}, input: mapping.Input{SessionID: "s", InputID: "i"}, want: "key-1"},
		{name: "key of 200 chars", key: []string{strings.Repeat("k", 200)}, want: strings.Repeat("k", 200)},
		{name: "key with space", key: []string{"retry 1"}, want: "retry 1"},
		{name: "key of 201 chars", key: []string{strings.Repeat("k", 201)}, wantErr: true},
		{name: "empty key", key: []string{""}, wantErr: true},
		{name: "key with newline", key: []string{"a\nb"}, wantErr: true},
		{name: "key sent twice", key: []string{"a", "b"}, wantErr: true},
		{name: "session and input", input: mapping.Input{SessionID: "s-1", InputID: "i-2"}, want: "s-1:i-2"},
		{name: "session only", input: mapping.Input{SessionID: "s-1"}, want: bodyHash},
		{name: "input only", input: mapping.Input{InputID: "i-2"}, want: bodyHash},
		{name: "session with control character", input: mapping.Input{SessionID: "s\r\n1", InputID: "i"}, want: bodyHash},
		{name: "session and input too long", input: mapping.Input{SessionID: strings.Repeat("s", 150), InputID: strings.Repeat("i", 50)}, want: bodyHash},
		{name: "nothing", want: bodyHash},
	}

	for _, tc := range tests {
		header := http.Header{}
		if tc.key != nil {
			header[HeaderIdempotencyKey] = tc.key
		}

		got, _, err := messageID(header, tc.input, body)
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), HeaderIdempotencyKey) {
				t.Errorf("%s: error = %v, want one naming %s", tc.name, err, HeaderIdempotencyKey)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: unexpected error %v", tc.name, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: messageID = %q, want %q", tc.name, got, tc.want)
		}
	}
}
