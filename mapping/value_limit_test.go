package mapping_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cxrouter/router/mapping"
)

func TestParseRejectsLongValues(t *testing.T) {
	long := strings.Repeat("x", mapping.MaxValueBytes+1)
	fits := strings.Repeat("x", mapping.MaxValueBytes)

	tests := []struct {
		name      string
		body      string
		wantField string
	}{
		{"intent", `{"cxoneInteractionId":"a","intent":"` + long + `"}`, "intent"},
		{"session", `{"cxoneInteractionId":"a","sessionId":"` + long + `"}`, "sessionId"},
		{"entity value", `{"cxoneInteractionId":"a","entities":[{"name":"P","value":"` + long + `"}]}`, `entity "P" value`},
		{"slot value", `{"cxoneInteractionId":"a","slots":{"P":[{"keyphrase":"` + long + `"}]}}`, `entity "P" value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mapping.ParseWebhook([]byte(tt.body))
			var fieldErr *mapping.FieldError
			if !errors.As(err, &fieldErr) {
				t.Fatalf("error = %v, want a *FieldError", err)
			}
			if fieldErr.Field != tt.wantField || !strings.Contains(fieldErr.Problem, "the limit is 4096 bytes") {
				t.Errorf("error field %q problem %q, want field %q and the limit", fieldErr.Field, fieldErr.Problem, tt.wantField)
			}
		})
	}

	if _, err := mapping.ParseWebhook([]byte(`{"cxoneInteractionId":"a","intent":"` + fits + `"}`)); err != nil {
		t.Errorf("intent of exactly %d bytes: %v", mapping.MaxValueBytes, err)
	}
}
