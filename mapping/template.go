package mapping

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// segmentKind is the kind of value one piece of a template renders.
type segmentKind int

const (
	literalSegment segmentKind = iota // text, copied as is
	intentSegment                     // ${intent}
	entitySegment                     // ${entity.NAME}
)

// segment is one piece of a parsed template. For placeholders, text is the
// fallback, which replaces a missing or empty value.
type segment struct {
	kind   segmentKind
	text   string
	entity string
}

// template is a field value with ${...} placeholders, parsed once at load
// time so that rendering cannot fail.
type template struct {
	segments []segment
}

// parseTemplate parses s using the syntax described in the package
// documentation. Errors name the 1-based character position in s.
func parseTemplate(s string) (template, error) {
	var t template
	var literal strings.Builder
	flush := func() {
		if literal.Len() > 0 {
			t.segments = append(t.segments, segment{kind: literalSegment, text: literal.String()})
			literal.Reset()
		}
	}

	for i := 0; i < len(s); {
		if s[i] != '$' {
			literal.WriteByte(s[i])
			i++
			continue
		}
		if strings.HasPrefix(s[i:], "$$") {
			literal.WriteByte('$')
			i += 2
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			return template{}, fmt.Errorf(`"$" at character %d does not start a placeholder; write "$$" for a literal "$" or "${intent}" / "${entity.NAME}" for a value`, position(s, i))
		}

		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return template{}, fmt.Errorf(`placeholder %q at character %d is not closed; add "}"`, truncate(s[i:], 40), position(s, i))
		}
		body := s[i+2 : i+2+end]
		placeholder, err := parsePlaceholder(body)
		if err != nil {
			return template{}, fmt.Errorf("placeholder %q at character %d: %w", "${"+body+"}", position(s, i), err)
		}

		flush()
		t.segments = append(t.segments, placeholder)
		i += 2 + end + 1
	}

	flush()
	return t, nil
}

// parsePlaceholder parses the text between "${" and "}".
func parsePlaceholder(body string) (segment, error) {
	name, fallback, _ := strings.Cut(body, ":-")
	fallback, err := unescapeFallback(fallback)
	if err != nil {
		return segment{}, err
	}

	switch {
	case name == "":
		return segment{}, fmt.Errorf(`the name is empty; use "${intent}" or "${entity.NAME}"`)
	case name == "intent":
		return segment{kind: intentSegment, text: fallback}, nil
	case strings.HasPrefix(name, "entity."):
		entity := strings.TrimPrefix(name, "entity.")
		if err := validateEntityName(entity); err != nil {
			return segment{}, err
		}
		return segment{kind: entitySegment, entity: entity, text: fallback}, nil
	}
	return segment{}, fmt.Errorf(`unknown placeholder; use "${intent}" or "${entity.NAME}", optionally with a fallback as in "${entity.NAME:-text}"`)
}

func validateEntityName(name string) error {
	if name == "" {
		return fmt.Errorf(`the entity name is empty; write "${entity.NAME}"`)
	}
	if strings.Contains(name, ":") {
		return fmt.Errorf(`entity name %q contains ":"; write a fallback as ":-", as in "${entity.NAME:-text}"`, name)
	}
	for _, r := range name {
		if r == '$' || r == '{' || unicode.IsSpace(r) {
			return fmt.Errorf("entity name %q contains %q, which is not allowed in a placeholder", name, r)
		}
	}
	return nil
}

// unescapeFallback turns "$$" into "$". Any other "$" is rejected, because
// placeholders cannot be nested inside a fallback.
func unescapeFallback(s string) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}

	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		return "", fmt.Errorf(`the fallback contains "$"; write "$$" for a literal "$" (placeholders cannot be nested)`)
	}
	return b.String(), nil
}

// render substitutes the input's values into the template.
func (t template) render(in Input) string {
	var b strings.Builder
	for _, seg := range t.segments {
		switch seg.kind {
		case literalSegment:
			b.WriteString(seg.text)
		case intentSegment:
			b.WriteString(valueOr(in.Intent, seg.text))
		case entitySegment:
			value, _ := in.Entity(seg.entity)
			b.WriteString(valueOr(value, seg.text))
		}
	}
	return b.String()
}

func valueOr(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}

// position returns the 1-based character position of byte offset i in s.
func position(s string, i int) int {
	return utf8.RuneCountInString(s[:i]) + 1
}
