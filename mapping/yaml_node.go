package mapping

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// parser walks the yaml.Node tree of a rules file. It keeps the rule being
// parsed so that every error can name it. Its helpers take a label, which
// names the value in error messages, such as "when.intent".
type parser struct {
	file  string
	index int    // 1-based position of the current rule, 0 outside the rules list
	name  string // name of the current rule, "" until known
}

// keyValue is one entry of a YAML mapping.
type keyValue struct {
	key   string
	keyAt *yaml.Node
	value *yaml.Node
}

func (p *parser) errorf(at *yaml.Node, format string, args ...any) *RuleError {
	e := &RuleError{
		File:    p.file,
		Rule:    p.name,
		Index:   p.index,
		Problem: fmt.Sprintf(format, args...),
	}
	if at != nil {
		e.Line, e.Column = at.Line, at.Column
	}
	return e
}

// rejectAlias rejects "*name" references. The rules format has no use for
// them, and resolving them could expand a small file into a huge tree.
func (p *parser) rejectAlias(n *yaml.Node, label string) error {
	if n.Kind == yaml.AliasNode {
		return p.errorf(n, "%s is the alias %q, but aliases are not supported; write the value out", label, "*"+n.Value)
	}
	return nil
}

// entries returns the entries of a mapping in file order. Keys must be text
// and unique.
func (p *parser) entries(n *yaml.Node, label string) ([]keyValue, error) {
	if err := p.rejectAlias(n, label); err != nil {
		return nil, err
	}
	if n.Kind != yaml.MappingNode {
		return nil, p.errorf(n, "%s must be a mapping of keys to values, got %s", label, describe(n))
	}

	entries := make([]keyValue, 0, len(n.Content)/2)
	firstLine := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!null" {
			return nil, p.errorf(k, "%s has a key that is %s; keys must be text", label, describe(k))
		}
		if k.ShortTag() == "!!merge" {
			return nil, p.errorf(k, `%s uses the merge key "<<", which is not supported; write the keys out`, label)
		}
		if line, dup := firstLine[k.Value]; dup {
			return nil, p.errorf(k, "%s has the key %q twice (first on line %d); remove one", label, k.Value, line)
		}

		firstLine[k.Value] = k.Line
		entries = append(entries, keyValue{key: k.Value, keyAt: k, value: v})
	}
	return entries, nil
}

// checkKeys rejects keys that are not in allowed, suggesting a close match.
func (p *parser) checkKeys(entries []keyValue, label string, allowed ...string) error {
	for _, e := range entries {
		if slices.Contains(allowed, e.key) {
			continue
		}
		hint := ""
		if s := closest(e.key, allowed); s != "" {
			hint = fmt.Sprintf("did you mean %q? ", s)
		}
		return p.errorf(e.keyAt, "%s has the unknown key %q; %sallowed keys are %s", label, e.key, hint, strings.Join(allowed, ", "))
	}
	return nil
}

// sequence returns the items of a list; a single scalar counts as a list of one.
func (p *parser) sequence(n *yaml.Node, label string) ([]*yaml.Node, error) {
	if err := p.rejectAlias(n, label); err != nil {
		return nil, err
	}
	switch n.Kind {
	case yaml.SequenceNode:
		return n.Content, nil
	case yaml.ScalarNode:
		if n.ShortTag() != "!!null" {
			return []*yaml.Node{n}, nil
		}
	}
	return nil, p.errorf(n, "%s must be a value or a list of values, got %s", label, describe(n))
}

// text returns a scalar as written. Numbers, booleans and dates count as
// text, so "wrapUpCode: 100" is the text "100".
func (p *parser) text(n *yaml.Node, label string) (string, error) {
	if err := p.rejectAlias(n, label); err != nil {
		return "", err
	}
	if n.Kind != yaml.ScalarNode {
		return "", p.errorf(n, "%s must be text, got %s", label, describe(n))
	}
	switch n.ShortTag() {
	case "!!str", "!!int", "!!float", "!!bool", "!!timestamp":
		return n.Value, nil
	case "!!null":
		return "", p.errorf(n, "%s has no value; write the text after the colon, quoted if it is empty", label)
	}
	return "", p.errorf(n, "%s must be text, got a value with the tag %q", label, n.Tag)
}

// nonEmptyText is text that must not be empty.
func (p *parser) nonEmptyText(n *yaml.Node, label, example string) (string, error) {
	s, err := p.text(n, label)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(s) == "" {
		return "", p.errorf(n, "%s is empty; set it, as in %q", label, example)
	}
	return s, nil
}

// plainText returns non-empty text that is not a template. Only fields are
// templates, so a "${" here would reach CXone as literal text.
func (p *parser) plainText(n *yaml.Node, label, example string) (string, error) {
	s, err := p.nonEmptyText(n, label, example)
	if err != nil {
		return "", err
	}
	if strings.Contains(s, "${") {
		return "", p.errorf(n, "%s %q contains a placeholder, but only fields are templates; write the value as plain text, or route on the entity with a rule per value", label, s)
	}
	return s, nil
}

// positiveInt returns an integer >= 1.
func (p *parser) positiveInt(n *yaml.Node, label string) (int, error) {
	if err := p.rejectAlias(n, label); err != nil {
		return 0, err
	}

	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil || v < 1 {
		return 0, p.errorf(n, "%s must be an integer >= 1, got %s", label, describe(n))
	}
	return v, nil
}

// fraction returns a number from 0 to 1.
func (p *parser) fraction(n *yaml.Node, label string) (float64, error) {
	if err := p.rejectAlias(n, label); err != nil {
		return 0, err
	}

	var v float64
	tag := n.ShortTag()
	if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&v) != nil ||
		math.IsNaN(v) || v < 0 || v > 1 {
		return 0, p.errorf(n, "%s must be a number from 0 to 1, got %s", label, describe(n))
	}
	return v, nil
}

func (p *parser) boolean(n *yaml.Node, label string) (bool, error) {
	if err := p.rejectAlias(n, label); err != nil {
		return false, err
	}

	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		return false, p.errorf(n, "%s must be true or false, got %s", label, describe(n))
	}
	return v, nil
}

// describe names the kind and value of a node, for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "no value"
		}
		return strconv.Quote(truncate(n.Value, 40))
	}
	return "an empty document"
}

// closest returns the candidate nearest to s when it is within two edits or
// differs only in case, else "".
func closest(s string, candidates []string) string {
	type scored struct {
		name     string
		distance int
	}
	var matches []scored
	for _, c := range candidates {
		if strings.EqualFold(s, c) {
			return c
		}
		if abs(len(s)-len(c)) > 2 {
			continue
		}
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d <= 2 {
			matches = append(matches, scored{c, d})
		}
	}
	if len(matches) == 0 {
		return ""
	}

	best := slices.MinFunc(matches, func(a, b scored) int { return a.distance - b.distance })
	return best.name
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	previous := make([]int, len(b)+1)
	current := make([]int, len(b)+1)
	for j := range previous {
		previous[j] = j
	}

	for i := 1; i <= len(a); i++ {
		current[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			current[j] = min(previous[j]+1, current[j-1]+1, previous[j-1]+cost)
		}
		previous, current = current, previous
	}
	return previous[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
