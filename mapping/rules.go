package mapping

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
)

// ErrNoRuleMatched is wrapped by the error Decide returns when no rule
// matches the input.
var ErrNoRuleMatched = errors.New("no rule matched")

// Rules is an ordered list of routing rules. It is immutable once loaded
// and safe for concurrent use.
type Rules struct {
	rules []rule
}

type rule struct {
	name string
	line int // line where the rule starts in the rules file

	when        condition
	wrapUpCode  string
	priority    int
	skill       string
	fields      []field
	actions     []string     // nil means the default, ActionSignal only
	disposition *disposition // set exactly when actions contains ActionDisposition
}

// disposition is the "disposition" key of a rule.
type disposition struct {
	id    int
	notes template
}

// field is one routingData field a rule sets.
type field struct {
	name  string
	value template
}

//go:embed default_rules.yaml
var defaultRulesYAML []byte

var defaultRules = sync.OnceValue(func() *Rules {
	r, err := Parse(defaultRulesYAML, "default_rules.yaml")
	if err != nil {
		panic("mapping: built-in rules are invalid: " + err.Error())
	}
	return r
})

// Default returns the built-in rules:
//
//   - TransferToSales with entity ProductInterest = PremiumPackage: Sales
//     Transfer, priority 1, skill Sales-Premium, customField
//     "Interest: PremiumPackage".
//   - Any other TransferToSales: Sales Transfer, priority 1, skill
//     Sales-Standard, customField "Interest: <ProductInterest>", where a
//     missing or empty ProductInterest reads as "General".
//   - TransferToSupport: Support Transfer, priority 2, skill Support-Tier2.
//   - Any other intent, or none: General Inquiry, priority 3, skill General.
//
// Every call returns the same *Rules.
func Default() *Rules {
	return defaultRules()
}

// DefaultYAML returns a copy of the YAML source of Default, which is a
// commented starting point for a custom rules file.
func DefaultYAML() []byte {
	return slices.Clone(defaultRulesYAML)
}

// Parse parses a rules file in the format described in the package
// documentation. The filename is used only in error messages. Every error
// is a *RuleError that wraps ErrInvalidRules.
func Parse(data []byte, filename string) (*Rules, error) {
	p := &parser{file: filename}
	top, err := p.decode(data)
	if err != nil {
		return nil, err
	}

	rules, err := p.document(top)
	if err != nil {
		return nil, err
	}
	return &Rules{rules: rules}, nil
}

// LoadFile reads the rules file at path and parses it with Parse.
func LoadFile(path string) (*Rules, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rules file: %w", err)
	}
	return Parse(data, path)
}

// Decide returns the decision of the first rule that matches in. When no
// rule matches, the error wraps ErrNoRuleMatched and names the intent.
//
// Decision.Fields is a new map on every call, or nil when the rule sets no
// fields. Decision.Actions and Decision.Disposition are also new on every
// call, or nil when the rule has no "actions" or "disposition" key.
func (r *Rules) Decide(in Input) (Decision, error) {
	for _, rule := range r.rules {
		if rule.when.matches(in) {
			return rule.decide(in), nil
		}
	}

	if in.Intent == "" {
		return Decision{}, fmt.Errorf("%w: the input has no intent", ErrNoRuleMatched)
	}
	return Decision{}, fmt.Errorf("%w: intent %q", ErrNoRuleMatched, in.Intent)
}

func (r rule) decide(in Input) Decision {
	d := Decision{
		Rule:       r.name,
		WrapUpCode: r.wrapUpCode,
		Priority:   r.priority,
		Skill:      r.skill,
	}
	if len(r.fields) > 0 {
		d.Fields = make(map[string]string, len(r.fields))
		for _, f := range r.fields {
			d.Fields[f.name] = f.value.render(in)
		}
	}
	d.Actions = slices.Clone(r.actions)
	if r.disposition != nil {
		d.Disposition = &Disposition{ID: r.disposition.id, Notes: r.disposition.notes.render(in)}
	}
	return d
}

// Len returns the number of rules.
func (r *Rules) Len() int {
	return len(r.rules)
}

// Names returns the rule names in evaluation order.
func (r *Rules) Names() []string {
	names := make([]string, len(r.rules))
	for i, rule := range r.rules {
		names[i] = rule.name
	}
	return names
}
