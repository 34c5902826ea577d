package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// InteractionIDPattern is the form a CXone interaction id must have. Ids that
// match are safe as a single NATS subject token and as a URL path segment.
var InteractionIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$`)

// ErrInvalidPayload is wrapped by every error ParseWebhook returns.
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

// webhook is the JSON shape a Cognigy flow posts. Fields whose type varies
// are kept raw and checked one by one, so an error can name the field.
type webhook struct {
	SessionID          json.RawMessage `json:"sessionId"`
	InputID            json.RawMessage `json:"inputId"`
	UserID             json.RawMessage `json:"userId"`
	BotID              json.RawMessage `json:"botId"`
	Intent             json.RawMessage `json:"intent"`
	Entities           json.RawMessage `json:"entities"`
	CXoneInteractionID json.RawMessage `json:"cxoneInteractionId"`
}

// ParseWebhook decodes and validates a webhook body. Errors wrap
// ErrInvalidPayload and are *FieldError values naming the field.
//
// Accepted shape: an object with cxoneInteractionId (required, matching
// InteractionIDPattern); intent as {"name","confidence"}, a string, or null;
// entities as a list of {"name","value","confidence"} where value may be a
// string, number or boolean; sessionId, inputId, userId and botId as strings.
// Unknown fields are ignored.
func ParseWebhook(body []byte) (Input, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return Input{}, &FieldError{Problem: "body must be a JSON object"}
	}

	var raw webhook
	if err := json.Unmarshal(body, &raw); err != nil {
		return Input{}, &FieldError{Problem: "malformed JSON: " + err.Error()}
	}

	var in Input
	var err error
	if in.InteractionID, err = requiredID(raw.CXoneInteractionID); err != nil {
		return Input{}, err
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *string
	}{
		{"sessionId", raw.SessionID, &in.SessionID},
		{"inputId", raw.InputID, &in.InputID},
		{"userId", raw.UserID, &in.UserID},
		{"botId", raw.BotID, &in.BotID},
	} {
		if *f.dst, err = optionalString(f.name, f.raw); err != nil {
			return Input{}, err
		}
	}

	if in.Intent, in.Confidence, err = parseIntent(raw.Intent); err != nil {
		return Input{}, err
	}
	if in.Entities, err = parseEntities(raw.Entities); err != nil {
		return Input{}, err
	}
	return in, nil
}

func requiredID(raw json.RawMessage) (string, error) {
	const field = "cxoneInteractionId"
	if isAbsent(raw) {
		return "", &FieldError{Field: field, Problem: "is missing; send the CXone interaction id as a string"}
	}

	var id string
	if err := json.Unmarshal(raw, &id); err != nil {
		return "", &FieldError{Field: field, Problem: "must be a string"}
	}
	if !InteractionIDPattern.MatchString(id) {
		return "", &FieldError{Field: field, Problem: fmt.Sprintf("value %q is invalid; it must match %s", truncate(id, 64), InteractionIDPattern)}
	}
	return id, nil
}

func optionalString(field string, raw json.RawMessage) (string, error) {
	if isAbsent(raw) {
		return "", nil
	}

	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", &FieldError{Field: field, Problem: "must be a string"}
	}
	return s, nil
}

func parseIntent(raw json.RawMessage) (string, float64, error) {
	if isAbsent(raw) {
		return "", 0, nil
	}
	if raw[0] == '"' {
		var name string
		err := json.Unmarshal(raw, &name)
		return name, 0, err
	}
	if raw[0] != '{' {
		return "", 0, &FieldError{Field: "intent", Problem: "must be an object {\"name\",\"confidence\"}, a string or null"}
	}

	var obj struct {
		Name       json.RawMessage `json:"name"`
		Confidence json.RawMessage `json:"confidence"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", 0, &FieldError{Field: "intent", Problem: "must be an object {\"name\",\"confidence\"}, a string or null"}
	}
	name, err := optionalString("intent.name", obj.Name)
	if err != nil {
		return "", 0, err
	}
	confidence, err := optionalConfidence("intent.confidence", obj.Confidence)
	return name, confidence, err
}

func parseEntities(raw json.RawMessage) ([]Entity, error) {
	if isAbsent(raw) {
		return nil, nil
	}

	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, &FieldError{Field: "entities", Problem: "must be a list of {\"name\",\"value\"} objects"}
	}

	entities := make([]Entity, 0, len(items))
	for i, item := range items {
		e, err := parseEntity(fmt.Sprintf("entities[%d]", i), item)
		if err != nil {
			return nil, err
		}
		entities = append(entities, e)
	}
	return entities, nil
}

func parseEntity(field string, raw json.RawMessage) (Entity, error) {
	var obj struct {
		Name       json.RawMessage `json:"name"`
		Value      json.RawMessage `json:"value"`
		Confidence json.RawMessage `json:"confidence"`
	}
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
		return Entity{}, &FieldError{Field: field, Problem: "must be an object {\"name\",\"value\"}"}
	}

	name, err := optionalString(field+".name", obj.Name)
	if err != nil {
		return Entity{}, err
	}
	if name == "" {
		return Entity{}, &FieldError{Field: field + ".name", Problem: "is missing or empty"}
	}
	value, err := scalarString(field+".value", obj.Value)
	if err != nil {
		return Entity{}, err
	}
	confidence, err := optionalConfidence(field+".confidence", obj.Confidence)
	return Entity{Name: name, Value: value, Confidence: confidence}, err
}

// scalarString reads a string, number or boolean as its text form.
func scalarString(field string, raw json.RawMessage) (string, error) {
	if isAbsent(raw) {
		return "", nil
	}

	var v any
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	if err := decoder.Decode(&v); err != nil {
		return "", &FieldError{Field: field, Problem: "must be a string, number or boolean"}
	}
	switch v := v.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", &FieldError{Field: field, Problem: "must be a string, number or boolean"}
}

func optionalConfidence(field string, raw json.RawMessage) (float64, error) {
	if isAbsent(raw) {
		return 0, nil
	}

	var c float64
	if err := json.Unmarshal(raw, &c); err != nil || c < 0 || c > 1 {
		return 0, &FieldError{Field: field, Problem: "must be a number from 0 to 1"}
	}
	return c, nil
}

func isAbsent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
