package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cxrouter/router/mapping"
)

// maxPayloadDepth bounds the nesting of a webhook body. The fields the
// router reads sit at depth 3 or less, and a deep body costs every consumer
// of the stream that decodes it recursively.
const maxPayloadDepth = 64

// checkPayload rejects a webhook body that JSON decoders read differently
// or that is unreasonable to pass on. It rejects invalid UTF-8, which
// encoding/json silently replaces with U+FFFD. It rejects an object with a
// repeated member name, because encoding/json keeps the last value and
// other decoders the first. And it rejects nesting deeper than maxPayloadDepth. Errors are *mapping.FieldError values, like those
// of mapping.ParseWebhook.
func checkPayload(body []byte) error {
	if !utf8.Valid(body) {
		return &mapping.FieldError{Problem: fmt.Sprintf("body is not valid UTF-8 at byte %d; JSON text must be UTF-8", invalidUTF8Offset(body))}
	}
	return checkJSONStructure(body, maxPayloadDepth)
}

func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// jsonFrame is one open object or array while checkJSONStructure walks a document.
type jsonFrame struct {
	object    bool
	expectKey bool                // in an object: the next string token is a member name
	key       string              // in an object: the current member name
	index     int                 // in an array: the index of the current element
	names     map[string]struct{} // in an object: member names seen so far
}

// checkJSONStructure reports the first member name that repeats within one
// object and nesting deeper than maxDepth in the first JSON value of data.
// A syntax error is reported as malformed JSON. Names are compared after
// decoding escapes, so "id" and "\u0069d" are the same name.
func checkJSONStructure(data []byte, maxDepth int) error {
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()

	var stack []*jsonFrame
	for {
		token, err := decoder.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &mapping.FieldError{Problem: "malformed JSON: " + err.Error()}
		}

		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if name, ok := token.(string); ok && top != nil && top.object && top.expectKey {
			if err := top.addName(name, stack); err != nil {
				return err
			}
			continue
		}

		switch token {
		case json.Delim('{'), json.Delim('['):
			if len(stack) == maxDepth {
				return &mapping.FieldError{Field: jsonPath(stack), Problem: fmt.Sprintf("nests deeper than %d levels", maxDepth)}
			}
			object := token == json.Delim('{')
			stack = append(stack, &jsonFrame{object: object, expectKey: object})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			return nil
		}
		stack[len(stack)-1].endValue()
	}
}

// addName records a member name and reports it when it repeats an earlier one.
func (f *jsonFrame) addName(name string, stack []*jsonFrame) error {
	f.expectKey = false
	f.key = name

	if f.names == nil {
		f.names = make(map[string]struct{})
	}
	if _, seen := f.names[name]; seen {
		return &mapping.FieldError{Field: jsonPath(stack), Problem: "appears more than once in one object, and a JSON decoder keeps either the first or the last value; send each field once"}
	}
	f.names[name] = struct{}{}
	return nil
}

// endValue moves past one complete value inside f.
func (f *jsonFrame) endValue() {
	if f.object {
		f.expectKey = true
		return
	}
	f.index++
}

// jsonPath returns the path of the current value, such as "entities[1].name".
func jsonPath(stack []*jsonFrame) string {
	var path strings.Builder
	for _, f := range stack {
		if !f.object {
			path.WriteString("[" + strconv.Itoa(f.index) + "]")
			continue
		}
		if path.Len() > 0 {
			path.WriteByte('.')
		}
		path.WriteString(shorten(f.key, maxPathNameLen))
	}
	return path.String()
}

// maxPathNameLen bounds each member name that jsonPath copies into an error
// response, because a name can be almost as long as the body.
const maxPathNameLen = 64

// shorten cuts s to at most max bytes on a rune boundary and marks the cut.
func shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
