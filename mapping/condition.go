package mapping

import "slices"

// condition is the "when" part of a rule. The zero value matches every input.
type condition struct {
	intents       []string // accepted intent names; nil accepts any intent, including none
	minConfidence float64  // lowest accepted Input.Confidence; 0 accepts any value, even a negative or NaN one
	entities      []entityCondition
}

// entityTest is the kind of check an entityCondition makes on its entity.
type entityTest int

const (
	entityEquals  entityTest = iota // present with one of the listed values
	entityPresent                   // present with any value, even ""
	entityAbsent                    // not present
)

type entityCondition struct {
	name   string
	test   entityTest
	values []string // accepted values when test is entityEquals
}

// matches reports whether the input meets every part of the condition.
// Names and values are compared exactly, so case matters.
func (c condition) matches(in Input) bool {
	if c.intents != nil && !slices.Contains(c.intents, in.Intent) {
		return false
	}
	// Written as "not at least" so that a NaN confidence fails the check.
	if c.minConfidence > 0 && !(in.Confidence >= c.minConfidence) {
		return false
	}

	for _, ec := range c.entities {
		if !ec.matches(in) {
			return false
		}
	}
	return true
}

func (ec entityCondition) matches(in Input) bool {
	value, ok := in.Entity(ec.name)
	switch ec.test {
	case entityPresent:
		return ok
	case entityAbsent:
		return !ok
	default:
		return ok && slices.Contains(ec.values, value)
	}
}

// matchesEverything reports whether the condition has no parts, so that no
// rule after it can ever match.
func (c condition) matchesEverything() bool {
	return c.intents == nil && c.minConfidence == 0 && len(c.entities) == 0
}
