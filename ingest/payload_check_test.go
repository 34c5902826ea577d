package ingest

import (
	"errors"
	"strings"
	"testing"

	"github.com/cxrouter/router/mapping"
)

func TestCheckPayload(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantField string // "" with wantOK false: an error without a field
		wantOK    bool
		wantText  string
	}{
		{name: "sample", body: `{"cxoneInteractionId":"a","intent":{"name":"x"},"entities":[{"name":"a"},{"name":"a"}]}`, wantOK: true},
		{name: "same name in sibling objects", body: `{"a":{"id":1},"b":{"id":2},"c":[{"id":1},{"id":2}]}`, wantOK: true},
		{name: "names differing in case", body: `{"id":1,"ID":2,"Id":3}`, wantOK: true},
		{name: "depth 64", body: strings.Repeat("[", 63) + "{}" + strings.Repeat("]", 63), wantOK: true},
		{name: "empty", body: ``, wantOK: true},
		{name: "top-level duplicate", body: `{"cxoneInteractionId":"a","cxoneInteractionId":"b"}`, wantField: "cxoneInteractionId", wantText: "more than once"},
		{name: "escaped duplicate", body: `{"cxoneInteractionId":"a","cxoneInteraction\u0049d":"b"}`, wantField: "cxoneInteractionId"},
		{name: "nested duplicate", body: `{"entities":[{"name":"a"},{"name":"b","value":1,"value":2}]}`, wantField: "entities[1].value"},
		{name: "duplicate in unknown data", body: `{"data":{"x":{"y":1,"y":1}}}`, wantField: "data.x.y"},
		{name: "depth 65", body: `{"a":` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `}`, wantField: "a" + strings.Repeat("[0]", 63), wantText: "deeper than 64"},
		{name: "deep nesting 100k", body: strings.Repeat("[", 100_000), wantField: strings.Repeat("[0]", 64), wantText: "deeper than 64"},
		{name: "invalid UTF-8", body: "{\"a\":\"\xff\"}", wantText: "not valid UTF-8 at byte 6"},
		{name: "overlong encoding", body: "{\"a\":\"\xc0\xaf\"}", wantText: "not valid UTF-8"},
		{name: "surrogate half", body: "{\"a\":\"\xed\xa0\x80\"}", wantText: "not valid UTF-8"},
		{name: "syntax error", body: `{"a" 1}`, wantText: "malformed JSON"},
		{name: "long duplicate name", body: `{"` + strings.Repeat("k", 500) + `":1,"` + strings.Repeat("k", 500) + `":2}`, wantField: strings.Repeat("k", 64) + "…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkPayload([]byte(tc.body))
			if tc.wantOK {
				if err != nil {
					t.Fatalf("checkPayload = %v, want nil", err)
				}
				return
			}

			var fieldErr *mapping.FieldError
			if !errors.As(err, &fieldErr) {
				t.Fatalf("checkPayload = %v, want a *mapping.FieldError", err)
			}
			if !errors.Is(err, mapping.ErrInvalidPayload) {
				t.Errorf("error %v does not wrap ErrInvalidPayload", err)
			}
			if fieldErr.Field != tc.wantField {
				t.Errorf("Field = %q, want %q", fieldErr.Field, tc.wantField)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not contain %q", err, tc.wantText)
			}
		})
	}
}
