package mapping

import (
	"fmt"
	"strconv"
	"strings"
)

// jsonPath is a parsed path such as "data.contactId" or
// "slots.ProductInterest[0].keyphrase": object keys separated by ".", each
// followed by any number of list indexes in brackets.
type jsonPath struct {
	source string
	steps  []pathStep
}

// pathStep is one object key, or one list index when isIndex is set.
type pathStep struct {
	key     string
	index   int
	isIndex bool
}

// parsePath parses the path syntax described at InputFormat.
func parsePath(source string) (jsonPath, error) {
	if source == "" {
		return jsonPath{}, fmt.Errorf("the path is empty")
	}

	p := jsonPath{source: source}
	for n, segment := range strings.Split(source, ".") {
		key := segment
		if i := strings.IndexByte(segment, '['); i >= 0 {
			key = segment[:i]
		}
		if key == "" {
			return jsonPath{}, fmt.Errorf("key %d is empty; write keys separated by single dots, as in %q", n+1, "data.contactId")
		}
		if strings.Contains(key, "]") {
			return jsonPath{}, fmt.Errorf("key %q contains \"]\" without \"[\"", key)
		}
		p.steps = append(p.steps, pathStep{key: key})

		indexes, err := parseIndexes(segment[len(key):])
		if err != nil {
			return jsonPath{}, fmt.Errorf("after key %q: %w", key, err)
		}
		p.steps = append(p.steps, indexes...)
	}
	return p, nil
}

// parseIndexes parses a run of list indexes such as "[0][2]".
func parseIndexes(s string) ([]pathStep, error) {
	var steps []pathStep
	for s != "" {
		if s[0] != '[' {
			return nil, fmt.Errorf("%q follows a list index; start the next key with \".\"", s)
		}
		digits, rest, ok := strings.Cut(s[1:], "]")
		if !ok {
			return nil, fmt.Errorf("the list index %q is not closed; add \"]\"", s)
		}
		n, err := strconv.Atoi(digits)
		if err != nil || n < 0 || strings.HasPrefix(digits, "+") {
			return nil, fmt.Errorf("the list index %q is not a whole number >= 0", "["+digits+"]")
		}
		steps = append(steps, pathStep{index: n, isIndex: true})
		s = rest
	}
	return steps, nil
}

// lookup returns the value at the path in a tree decoded with UseNumber. It
// reports false when a step is missing, the value is null, or a step needs
// an object or a list where the tree has another type.
func (p jsonPath) lookup(root any) (any, bool) {
	v := root
	for _, step := range p.steps {
		if step.isIndex {
			list, ok := v.([]any)
			if !ok || step.index >= len(list) {
				return nil, false
			}
			v = list[step.index]
			continue
		}
		object, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		v = object[step.key]
	}
	return v, v != nil
}

// stepAfter returns the step of p that follows prefix, when prefix is a
// proper prefix of p.
func (p jsonPath) stepAfter(prefix jsonPath) (pathStep, bool) {
	if len(prefix.steps) >= len(p.steps) {
		return pathStep{}, false
	}
	for i, step := range prefix.steps {
		if p.steps[i] != step {
			return pathStep{}, false
		}
	}
	return p.steps[len(prefix.steps)], true
}
