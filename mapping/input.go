package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// InteractionIDPattern is the form a CXone interaction id must have. Ids that
// match are safe as a single NATS subject token and as a URL path segment.
var InteractionIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$`)

// ErrInvalidPayload is wrapped by every *FieldError, the error that
// ParseWebhook and InputFormat.Parse return for a body they reject.
var ErrInvalidPayload = errors.New("invalid payload")

// FieldError names the payload field that is missing or invalid.
type FieldError struct {
	Field   string // JSON path, such as "intent.name" or "entities[2].value"
	Problem string // what is wrong and what is expected
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: %s", ErrInvalidPayload, e.Problem)
	}
	return fmt.Sprintf("%s: field %q %s", ErrInvalidPayload, e.Field, e.Problem)
}

func (e *FieldError) Unwrap() error { return ErrInvalidPayload }

// Entity is one entity or slot value that the bot recognised.
type Entity struct {
	Name       string
	Value      string
	Confidence float64
}

// Input is the normalized view of a webhook that rules match against.
type Input struct {
	InteractionID string
	SessionID     string
	InputID       string
	UserID        string
	BotID         string
	Channel       string
	Intent        string  // "" when the bot detected no intent
	Confidence    float64 // intent confidence, 0 when not sent
	Entities      []Entity
}

// Entity returns the value of the first entity called name.
func (in Input) Entity(name string) (string, bool) {
	for _, e := range in.Entities {
		if e.Name == name {
			return e.Value, true
		}
	}
	return "", false
}

// ParseWebhook decodes and validates a webhook body with DefaultInputFormat.
// Errors wrap ErrInvalidPayload and are *FieldError values naming the field.
//
// It accepts the documented shape: cxoneInteractionId (required, matching
// InteractionIDPattern); intent as {"name","confidence"}, a string, or null;
// entities as a list of {"name","value","confidence"} where value may be a
// string, number or boolean; sessionId, inputId, userId and botId as strings.
// It also accepts Cognigy's input object: intent as a string or null,
// intentScore, slots, channel, and data.contactId in place of
// cxoneInteractionId. Unknown fields are ignored.
func ParseWebhook(body []byte) (Input, error) {
	return defaultParser().Parse(body)
}

// defaultParser compiles DefaultInputFormat once for ParseWebhook.
var defaultParser = sync.OnceValue(func() *Parser {
	p, err := DefaultInputFormat().Parser()
	if err != nil {
		panic("mapping: DefaultInputFormat is invalid: " + err.Error())
	}
	return p
})

// Parser reads webhook bodies with the paths of one InputFormat, compiled
// once. It is safe for concurrent use. Services that parse every request
// keep one Parser instead of calling InputFormat.Parse, which compiles the
// paths on each call.
type Parser struct {
	paths compiledFormat
}

// Parser compiles f. It returns the error of Validate for an invalid f.
func (f InputFormat) Parser() (*Parser, error) {
	c, err := f.compile()
	if err != nil {
		return nil, err
	}
	return &Parser{paths: c}, nil
}

// Parse decodes a webhook body and reads an Input from it at the paths of
// f. A body that f cannot read returns a *FieldError that wraps
// ErrInvalidPayload and names the path. An invalid f returns the error of
// Validate instead.
//
// Slots are read as Cognigy sends them: an object keyed by slot name whose
// values are lists. Each list item becomes one Entity with the slot name:
// a string, number or boolean gives its text; an object gives its
// "keyphrase", else its "value" when that is a string, number or boolean,
// else "" (a DATE slot, say), so {present: true} still matches. Null items
// are skipped, and a slot value that is not a list counts as a list of one.
func (f InputFormat) Parse(body []byte) (Input, error) {
	p, err := f.Parser()
	if err != nil {
		return Input{}, err
	}
	return p.Parse(body)
}

// Parse reads an Input from body as InputFormat.Parse does.
func (p *Parser) Parse(body []byte) (Input, error) {
	c := p.paths
	root, err := decodeObject(body)
	if err != nil {
		return Input{}, err
	}

	var in Input
	if in.InteractionID, err = readInteractionID(root, c.interactionID); err != nil {
		return Input{}, err
	}
	for _, field := range []struct {
		paths []jsonPath
		dst   *string
	}{
		{c.sessionID, &in.SessionID},
		{c.inputID, &in.InputID},
		{c.userID, &in.UserID},
		{c.botID, &in.BotID},
		{c.channel, &in.Channel},
		{c.intent, &in.Intent},
	} {
		if *field.dst, err = readString(root, field.paths); err != nil {
			return Input{}, err
		}
	}
	if in.Confidence, err = readConfidence(root, c.confidence); err != nil {
		return Input{}, err
	}

	if in.Entities, err = readEntities(root, c.entities); err != nil {
		return Input{}, err
	}
	slots, err := readSlots(root, c.slots)
	if err != nil {
		return Input{}, err
	}
	in.Entities = append(in.Entities, slots...)
	if err := checkValueLengths(in); err != nil {
		return Input{}, err
	}
	return in, nil
}

// decodeObject decodes a body that must be one JSON object. Numbers stay
// json.Number, so that entity values keep the text the bot sent.
func decodeObject(body []byte) (map[string]any, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, &FieldError{Problem: "body must be a JSON object"}
	}

	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber()
	var root map[string]any
	if err := decoder.Decode(&root); err != nil {
		return nil, &FieldError{Problem: "malformed JSON: " + err.Error()}
	}
	if _, err := decoder.Token(); !errors.Is(err, io.EOF) {
		return nil, &FieldError{Problem: "malformed JSON: data after the top-level object"}
	}
	return root, nil
}

func readInteractionID(root any, paths []jsonPath) (string, error) {
	v, p, ok := first(root, paths)
	if !ok {
		return "", &FieldError{Field: paths[0].source, Problem: "is missing; send the CXone interaction id as a string in " + quotedPaths(paths)}
	}

	id, isString := v.(string)
	if !isString {
		return "", &FieldError{Field: p.source, Problem: fmt.Sprintf("must be a string, got %s; send a number such as 12345 as \"12345\"", describeJSON(v))}
	}
	if !InteractionIDPattern.MatchString(id) {
		return "", &FieldError{Field: p.source, Problem: fmt.Sprintf("value %q is invalid; it must match %s", truncate(id, 64), InteractionIDPattern)}
	}
	return id, nil
}

func readString(root any, paths []jsonPath) (string, error) {
	v, p, ok := first(root, paths)
	if !ok {
		return "", nil
	}
	s, isString := v.(string)
	if !isString {
		return "", &FieldError{Field: p.source, Problem: fmt.Sprintf("must be a string or null, got %s", describeJSON(v))}
	}
	return s, nil
}

func readConfidence(root any, paths []jsonPath) (float64, error) {
	v, p, ok := first(root, paths)
	if !ok {
		return 0, nil
	}
	return confidence(p.source, v)
}

func confidence(field string, v any) (float64, error) {
	if v == nil {
		return 0, nil
	}
	n, isNumber := v.(json.Number)
	if !isNumber {
		return 0, &FieldError{Field: field, Problem: fmt.Sprintf("must be a number from 0 to 1, got %s", describeJSON(v))}
	}
	c, err := n.Float64()
	if err != nil || c < 0 || c > 1 {
		return 0, &FieldError{Field: field, Problem: fmt.Sprintf("must be a number from 0 to 1, got %s", n)}
	}
	return c, nil
}

func readEntities(root any, paths []jsonPath) ([]Entity, error) {
	v, p, ok := first(root, paths)
	if !ok {
		return nil, nil
	}
	items, isList := v.([]any)
	if !isList {
		return nil, &FieldError{Field: p.source, Problem: fmt.Sprintf("must be a list of {\"name\",\"value\"} objects, got %s", describeJSON(v))}
	}

	entities := make([]Entity, 0, len(items))
	for i, item := range items {
		e, err := parseEntity(fmt.Sprintf("%s[%d]", p.source, i), item)
		if err != nil {
			return nil, err
		}
		entities = append(entities, e)
	}
	return entities, nil
}

func parseEntity(field string, v any) (Entity, error) {
	obj, isObject := v.(map[string]any)
	if !isObject {
		return Entity{}, &FieldError{Field: field, Problem: fmt.Sprintf("must be an object {\"name\",\"value\"}, got %s", describeJSON(v))}
	}

	name, isString := obj["name"].(string)
	if obj["name"] != nil && !isString {
		return Entity{}, &FieldError{Field: field + ".name", Problem: fmt.Sprintf("must be a string, got %s", describeJSON(obj["name"]))}
	}
	if name == "" {
		return Entity{}, &FieldError{Field: field + ".name", Problem: "is missing or empty"}
	}
	value, ok := scalarText(obj["value"])
	if !ok {
		return Entity{}, &FieldError{Field: field + ".value", Problem: fmt.Sprintf("must be a string, number or boolean, got %s", describeJSON(obj["value"]))}
	}
	c, err := confidence(field+".confidence", obj["confidence"])
	return Entity{Name: name, Value: value, Confidence: c}, err
}

func readSlots(root any, paths []jsonPath) ([]Entity, error) {
	v, p, ok := first(root, paths)
	if !ok {
		return nil, nil
	}
	slots, isObject := v.(map[string]any)
	if !isObject {
		return nil, &FieldError{Field: p.source, Problem: fmt.Sprintf("must be an object keyed by slot name, got %s", describeJSON(v))}
	}

	// Go maps have no order, so slots are read in name order to give the
	// same Input for the same body every time.
	names := slices.Sorted(maps.Keys(slots))
	var entities []Entity
	for _, name := range names {
		if name == "" {
			continue
		}
		values, isList := slots[name].([]any)
		if !isList {
			values = []any{slots[name]}
		}
		for _, item := range values {
			if item != nil {
				entities = append(entities, Entity{Name: name, Value: slotValue(item)})
			}
		}
	}
	return entities, nil
}

// slotValue returns the text of one slot value: a scalar's text, else an
// object's "keyphrase", else its "value", else "".
func slotValue(item any) string {
	if text, ok := scalarText(item); ok {
		return text
	}
	obj, isObject := item.(map[string]any)
	if !isObject {
		return ""
	}
	for _, key := range []string{"keyphrase", "value"} {
		if text, ok := scalarText(obj[key]); ok && obj[key] != nil {
			return text
		}
	}
	return ""
}

// scalarText returns the text of a string, number or boolean, and "" for
// null. It reports false for an object or a list.
func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// describeJSON names the type of a decoded value, and shows it when it is
// short, for error messages.
func describeJSON(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("the string %q", truncate(v, 40))
	case json.Number:
		return "the number " + truncate(v.String(), 40)
	case bool:
		return "the boolean " + strconv.FormatBool(v)
	}
	return fmt.Sprintf("%T", v)
}

func quotedPaths(paths []jsonPath) string {
	quoted := make([]string, len(paths))
	for i, p := range paths {
		quoted[i] = strconv.Quote(p.source)
	}
	if len(quoted) == 1 {
		return quoted[0]
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
