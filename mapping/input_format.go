package mapping

import (
	"errors"
	"fmt"
)

// ErrInvalidInputFormat is wrapped by every error InputFormat.Validate returns.
var ErrInvalidInputFormat = errors.New("mapping: invalid input format")

// InputFormat sets where InputFormat.Parse reads each Input field in a
// webhook body. Each field lists JSON paths that are tried in order, and
// the first path that holds a non-null value is used. A path is object keys
// separated by ".", each optionally followed by list indexes, as in
// "data.contactId" or "slots.ProductInterest[0].keyphrase". A key cannot
// contain ".", "[" or "]".
//
// An object is passed over when an earlier path of the same field looks up
// a key in it, and a list when an earlier path looks up an index in it. So
// with the default Intent paths "intent.name" and "intent",
// {"intent":{"confidence":0.9}} has no intent, where the object would
// otherwise be rejected as not a string; {"intent":["A"]} is still rejected.
//
// Start from DefaultInputFormat and change fields. An empty list means the
// field is never read, except for InteractionID, which is required.
type InputFormat struct {
	// InteractionID is the CXone interaction id, a string matching
	// InteractionIDPattern. A body without one is rejected.
	// Default "cxoneInteractionId", then "data.contactId" (the CXone contact
	// id that a CXone chat passes to Cognigy).
	InteractionID []string

	// SessionID, InputID, UserID, BotID and Channel are optional strings.
	// Defaults "sessionId", "inputId", "userId", "botId" and "channel".
	SessionID []string
	InputID   []string
	UserID    []string
	BotID     []string
	Channel   []string

	// Intent is the intent name, a string. Default "intent.name", then
	// "intent" (Cognigy's input.intent, which is a string or null).
	Intent []string

	// Confidence is the intent confidence, a number from 0 to 1. Default
	// "intent.confidence", then "intentScore" (Cognigy's input.intentScore).
	Confidence []string

	// Entities is a list of {"name","value","confidence"} objects, where
	// value is a string, number or boolean. Default "entities".
	Entities []string

	// Slots is an object keyed by slot name, as Cognigy's input.slots. Each
	// slot becomes one Entity per value, in slot name order, after the
	// entities read from Entities. Default "slots".
	Slots []string
}

// DefaultInputFormat returns the paths that read both the documented
// webhook shape and Cognigy's input object as a flow posts it.
func DefaultInputFormat() InputFormat {
	return InputFormat{
		InteractionID: []string{"cxoneInteractionId", "data.contactId"},
		SessionID:     []string{"sessionId"},
		InputID:       []string{"inputId"},
		UserID:        []string{"userId"},
		BotID:         []string{"botId"},
		Channel:       []string{"channel"},
		Intent:        []string{"intent.name", "intent"},
		Confidence:    []string{"intent.confidence", "intentScore"},
		Entities:      []string{"entities"},
		Slots:         []string{"slots"},
	}
}

// Validate checks that InteractionID lists at least one path and that every
// path is well formed. The error names the field and the path.
func (f InputFormat) Validate() error {
	_, err := f.compile()
	return err
}

// compiledFormat holds the parsed paths of an InputFormat.
type compiledFormat struct {
	interactionID, sessionID, inputID, userID, botID, channel []jsonPath
	intent, confidence, entities, slots                       []jsonPath
}

func (f InputFormat) compile() (compiledFormat, error) {
	if len(f.InteractionID) == 0 {
		return compiledFormat{}, fmt.Errorf(`%w: InteractionID lists no path; list at least one, such as "cxoneInteractionId"`, ErrInvalidInputFormat)
	}

	var c compiledFormat
	for _, field := range []struct {
		name  string
		paths []string
		dst   *[]jsonPath
	}{
		{"InteractionID", f.InteractionID, &c.interactionID},
		{"SessionID", f.SessionID, &c.sessionID},
		{"InputID", f.InputID, &c.inputID},
		{"UserID", f.UserID, &c.userID},
		{"BotID", f.BotID, &c.botID},
		{"Channel", f.Channel, &c.channel},
		{"Intent", f.Intent, &c.intent},
		{"Confidence", f.Confidence, &c.confidence},
		{"Entities", f.Entities, &c.entities},
		{"Slots", f.Slots, &c.slots},
	} {
		for i, source := range field.paths {
			p, err := parsePath(source)
			if err != nil {
				return compiledFormat{}, fmt.Errorf(`%w: %s[%d] %q is invalid: %v; write a path such as "slots.ProductInterest[0].keyphrase"`,
					ErrInvalidInputFormat, field.name, i, source, err)
			}
			*field.dst = append(*field.dst, p)
		}
	}
	return c, nil
}

// first returns the first non-null value at paths, with the path that held
// it. An object or list that an earlier path looked inside is passed over.
func first(root any, paths []jsonPath) (any, jsonPath, bool) {
	for i, p := range paths {
		v, ok := p.lookup(root)
		if !ok {
			continue
		}
		if lookedInside(paths[:i], p, v) {
			continue
		}
		return v, p, true
	}
	return nil, jsonPath{}, false
}

// lookedInside reports whether one of the earlier paths continues past p
// with a step that fits v: a key for an object, an index for a list.
func lookedInside(earlier []jsonPath, p jsonPath, v any) bool {
	_, isObject := v.(map[string]any)
	_, isList := v.([]any)
	if !isObject && !isList {
		return false
	}
	for _, e := range earlier {
		if next, ok := e.stepAfter(p); ok && next.isIndex == isList {
			return true
		}
	}
	return false
}
