package mapping

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"slices"

	"gopkg.in/yaml.v3"
)

// RuleNamePattern is the form a rule name must have. Names appear in
// Decision.Rule and so in logs, where they must not need quoting.
var RuleNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ruleKeys are the keys a rule may have, in the order error messages list them.
var ruleKeys = []string{"name", "when", "wrapUpCode", "priority", "skill", "fields", "actions", "disposition"}

// reservedFields are routingData keys that a rule sets with its own keys.
var reservedFields = []string{"priority", "skill"}

// decode reads the single YAML document in data.
func (p *parser) decode(data []byte) (*yaml.Node, error) {
	decoder := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := decoder.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, p.errorf(nil, `the file is empty; list the rules under a top-level "rules" key`)
		}
		return nil, syntaxError(p.file, err)
	}

	var next yaml.Node
	switch err := decoder.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(p.file, err)
	default:
		return nil, p.errorf(&next, `a second YAML document starts here; keep all rules in one document under "rules"`)
	}

	if len(doc.Content) == 0 {
		return nil, p.errorf(&doc, `the file is empty; list the rules under a top-level "rules" key`)
	}
	return doc.Content[0], nil
}

// document parses the top-level mapping.
func (p *parser) document(top *yaml.Node) ([]rule, error) {
	if top.Kind == yaml.SequenceNode {
		return nil, p.errorf(top, `the top level is a list; put the list under a top-level "rules" key`)
	}
	entries, err := p.entries(top, "the top level")
	if err != nil {
		return nil, err
	}
	if err := p.checkKeys(entries, "the top level", "rules"); err != nil {
		return nil, err
	}

	i := slices.IndexFunc(entries, func(e keyValue) bool { return e.key == "rules" })
	if i < 0 {
		return nil, p.errorf(top, `the "rules" key is missing; list the rules under a top-level "rules" key`)
	}
	list := entries[i].value
	if err := p.rejectAlias(list, "rules"); err != nil {
		return nil, err
	}
	if list.Kind != yaml.SequenceNode {
		return nil, p.errorf(list, "rules must be a list of rules, got %s", describe(list))
	}
	if len(list.Content) == 0 {
		return nil, p.errorf(list, "rules is empty; add at least one rule")
	}

	rules := make([]rule, 0, len(list.Content))
	for i, n := range list.Content {
		p.index, p.name = i+1, ""
		r, err := p.rule(n, rules)
		if err != nil {
			return nil, err
		}
		if err := p.checkReachable(rules, n); err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// checkReachable rejects a rule placed after a rule that matches every input.
func (p *parser) checkReachable(before []rule, at *yaml.Node) error {
	for _, r := range before {
		if r.when.matchesEverything() {
			return p.errorf(at, "this rule can never match, because rule %q on line %d has no conditions and matches every input; move %q to the end of the list", r.name, r.line, r.name)
		}
	}
	return nil
}

// rule parses one item of the rules list. Its name must differ from the
// names of the rules before it.
func (p *parser) rule(n *yaml.Node, before []rule) (rule, error) {
	entries, err := p.entries(n, "the rule")
	if err != nil {
		return rule{}, err
	}
	r := rule{line: n.Line}

	// The name comes first so that every later error can name the rule.
	i := slices.IndexFunc(entries, func(e keyValue) bool { return e.key == "name" })
	if i >= 0 {
		if r.name, err = p.ruleName(entries[i].value, before); err != nil {
			return rule{}, err
		}
		p.name = r.name
	}
	if err := p.checkKeys(entries, "the rule", ruleKeys...); err != nil {
		return rule{}, err
	}
	if i < 0 {
		return rule{}, p.errorf(n, `name is missing; give every rule a unique name, as in "name: sales-premium"`)
	}
	for _, e := range entries {
		if err := p.ruleEntry(&r, e); err != nil {
			return rule{}, err
		}
	}

	switch {
	case r.wrapUpCode == "":
		return rule{}, p.errorf(n, `wrapUpCode is missing; add the CXone wrap-up code, as in "wrapUpCode: Sales Transfer"`)
	case r.priority == 0:
		return rule{}, p.errorf(n, `priority is missing; add an integer >= 1, as in "priority: 1" (1 is the most urgent)`)
	case r.skill == "":
		return rule{}, p.errorf(n, `skill is missing; add the CXone skill, as in "skill: Sales-Premium"`)
	}
	if err := p.checkDisposition(r, entries); err != nil {
		return rule{}, err
	}
	return r, nil
}

func (p *parser) ruleEntry(r *rule, e keyValue) error {
	var err error
	switch e.key {
	case "when":
		r.when, err = p.condition(e.value)
	case "wrapUpCode":
		r.wrapUpCode, err = p.plainText(e.value, "wrapUpCode", "wrapUpCode: Sales Transfer")
	case "priority":
		r.priority, err = p.positiveInt(e.value, "priority")
	case "skill":
		r.skill, err = p.plainText(e.value, "skill", "skill: Sales-Premium")
	case "fields":
		r.fields, err = p.fields(e.value)
	case "actions":
		r.actions, err = p.actions(e.value)
	case "disposition":
		r.disposition, err = p.disposition(e.value)
	}
	return err
}

func (p *parser) ruleName(n *yaml.Node, before []rule) (string, error) {
	name, err := p.nonEmptyText(n, "name", "name: sales-premium")
	if err != nil {
		return "", err
	}
	if !RuleNamePattern.MatchString(name) {
		return "", p.errorf(n, "name %q is invalid; use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", truncate(name, 70))
	}
	if j := slices.IndexFunc(before, func(r rule) bool { return r.name == name }); j >= 0 {
		return "", p.errorf(n, "name %q is also used by rule %d on line %d; rule names must be unique", name, j+1, before[j].line)
	}
	return name, nil
}

// condition parses the "when" mapping.
func (p *parser) condition(n *yaml.Node) (condition, error) {
	entries, err := p.entries(n, "when")
	if err != nil {
		return condition{}, err
	}
	if err := p.checkKeys(entries, "when", "intent", "minConfidence", "entities"); err != nil {
		return condition{}, err
	}

	var c condition
	for _, e := range entries {
		switch e.key {
		case "intent":
			c.intents, err = p.intents(e.value)
		case "minConfidence":
			c.minConfidence, err = p.fraction(e.value, "when.minConfidence")
		case "entities":
			c.entities, err = p.entityConditions(e.value)
		}
		if err != nil {
			return condition{}, err
		}
	}
	return c, nil
}

func (p *parser) intents(n *yaml.Node) ([]string, error) {
	items, err := p.sequence(n, "when.intent")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, p.errorf(n, "when.intent is an empty list; list at least one intent name, or remove the key to match any intent")
	}

	intents := make([]string, 0, len(items))
	for _, item := range items {
		name, err := p.nonEmptyText(item, "when.intent", "intent: TransferToSales")
		if err != nil {
			return nil, err
		}
		if slices.Contains(intents, name) {
			return nil, p.errorf(item, "when.intent lists %q twice; remove one", name)
		}
		intents = append(intents, name)
	}
	return intents, nil
}

func (p *parser) entityConditions(n *yaml.Node) ([]entityCondition, error) {
	entries, err := p.entries(n, "when.entities")
	if err != nil {
		return nil, err
	}

	conditions := make([]entityCondition, 0, len(entries))
	for _, e := range entries {
		if e.key == "" {
			return nil, p.errorf(e.keyAt, "when.entities has an empty entity name; write the entity name before the colon")
		}
		ec, err := p.entityCondition(e.key, e.value)
		if err != nil {
			return nil, err
		}
		conditions = append(conditions, ec)
	}
	return conditions, nil
}

// entityCondition parses the condition on one entity: a value, a list of
// values, {present: true} or {present: false}.
func (p *parser) entityCondition(name string, n *yaml.Node) (entityCondition, error) {
	label := "when.entities." + name
	if err := p.rejectAlias(n, label); err != nil {
		return entityCondition{}, err
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return entityCondition{}, p.errorf(n, "%s has no value; give a value, a list of values, {present: true} or {present: false}", label)
	}
	if n.Kind == yaml.MappingNode {
		return p.entityPresence(name, n)
	}

	items, err := p.sequence(n, label)
	if err != nil {
		return entityCondition{}, err
	}
	if len(items) == 0 {
		return entityCondition{}, p.errorf(n, "%s is an empty list, which no input can match; list at least one value", label)
	}
	ec := entityCondition{name: name, test: entityEquals}
	for _, item := range items {
		value, err := p.text(item, label)
		if err != nil {
			return entityCondition{}, err
		}
		ec.values = append(ec.values, value)
	}
	return ec, nil
}

func (p *parser) entityPresence(name string, n *yaml.Node) (entityCondition, error) {
	label := "when.entities." + name
	entries, err := p.entries(n, label)
	if err != nil {
		return entityCondition{}, err
	}
	if err := p.checkKeys(entries, label, "present"); err != nil {
		return entityCondition{}, err
	}
	if len(entries) == 0 {
		return entityCondition{}, p.errorf(n, "%s is an empty mapping; write {present: true} or {present: false}", label)
	}

	present, err := p.boolean(entries[0].value, label+".present")
	if err != nil {
		return entityCondition{}, err
	}
	if present {
		return entityCondition{name: name, test: entityPresent}, nil
	}
	return entityCondition{name: name, test: entityAbsent}, nil
}

// fields parses the "fields" mapping of routingData field names to templates.
func (p *parser) fields(n *yaml.Node) ([]field, error) {
	entries, err := p.entries(n, "fields")
	if err != nil {
		return nil, err
	}

	fields := make([]field, 0, len(entries))
	for _, e := range entries {
		label := "fields." + e.key
		if e.key == "" {
			return nil, p.errorf(e.keyAt, "fields has an empty field name; write the routingData field name before the colon")
		}
		if slices.Contains(reservedFields, e.key) {
			return nil, p.errorf(e.keyAt, "%s is not allowed, because the rule's own %q key sets that routingData field", label, e.key)
		}

		t, err := p.templateValue(e.value, label)
		if err != nil {
			return nil, err
		}
		fields = append(fields, field{name: e.key, value: t})
	}
	return fields, nil
}

// templateValue parses a text value as a template.
func (p *parser) templateValue(n *yaml.Node, label string) (template, error) {
	source, err := p.text(n, label)
	if err != nil {
		return template{}, err
	}
	t, err := parseTemplate(source)
	if err != nil {
		return template{}, p.errorf(n, "%s: %v", label, err)
	}
	return t, nil
}
