package mapping

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		source   string
		wantLine int
		want     string
	}{
		{
			name:     "syntax error",
			source:   "rules:\n  - name: a\n    skill: [x\n",
			wantLine: 3,
			want:     `test.yaml:3: invalid YAML: did not find expected ',' or ']'`,
		},
		{
			name:     "bad indentation",
			source:   "rules:\n  - name: a\n    skill: x\n      priority: 1\n",
			wantLine: 4,
			want:     "invalid YAML: mapping values are not allowed in this context",
		},
		{
			name:   "empty file",
			source: "",
			want:   `test.yaml: the file is empty; list the rules under a top-level "rules" key`,
		},
		{
			name:   "only comments",
			source: "# nothing yet\n",
			want:   "the file is empty",
		},
		{
			name:     "second document",
			source:   "rules:\n  - {name: a, wrapUpCode: W, priority: 1, skill: S}\n---\nrules: []\n",
			wantLine: 3,
			want:     "a second YAML document starts here",
		},
		{
			name:     "top level list",
			source:   "- name: a\n",
			wantLine: 1,
			want:     `the top level is a list; put the list under a top-level "rules" key`,
		},
		{
			name:     "top level scalar",
			source:   "hello\n",
			wantLine: 1,
			want:     `the top level must be a mapping of keys to values, got "hello"`,
		},
		{
			name:     "missing rules key",
			source:   "rule:\n  - name: a\n",
			wantLine: 1,
			want:     `the top level has the unknown key "rule"; did you mean "rules"?`,
		},
		{
			name:     "rules has no value",
			source:   "rules:\n",
			wantLine: 1,
			want:     "rules must be a list of rules, got no value",
		},
		{
			name:     "empty rules list",
			source:   "rules: []\n",
			wantLine: 1,
			want:     "test.yaml:1: rules is empty; add at least one rule",
		},
		{
			name:     "rule is not a mapping",
			source:   "rules:\n  - sales\n",
			wantLine: 2,
			want:     `rule 1: the rule must be a mapping of keys to values, got "sales"`,
		},
		{
			name:     "unknown key",
			source:   "rules:\n  - name: sales\n    wrapUpCode: W\n    priority: 1\n    skil: S\n",
			wantLine: 5,
			want:     `test.yaml:5: rule "sales": the rule has the unknown key "skil"; did you mean "skill"? allowed keys are name, when, wrapUpCode, priority, skill, fields, actions, disposition`,
		},
		{
			name:     "key in wrong case",
			source:   "rules:\n  - name: sales\n    wrapupcode: W\n",
			wantLine: 3,
			want:     `did you mean "wrapUpCode"?`,
		},
		{
			name:     "unknown key in when",
			source:   "rules:\n  - name: sales\n    when:\n      intents: [A]\n",
			wantLine: 4,
			want:     `rule "sales": when has the unknown key "intents"; did you mean "intent"?`,
		},
		{
			name:     "duplicate key",
			source:   "rules:\n  - name: sales\n    skill: A\n    skill: B\n",
			wantLine: 4,
			want:     `the rule has the key "skill" twice (first on line 3); remove one`,
		},
		{
			name:     "missing name",
			source:   "rules:\n  - skill: S\n    priority: 1\n",
			wantLine: 2,
			want:     `test.yaml:2: rule 1: name is missing`,
		},
		{
			name:     "invalid name",
			source:   "rules:\n  - name: sales team\n",
			wantLine: 2,
			want:     `rule 1: name "sales team" is invalid`,
		},
		{
			name:     "duplicate name",
			source:   "rules:\n  - {name: a, when: {intent: X}, wrapUpCode: W, priority: 1, skill: S}\n  - name: a\n    wrapUpCode: W\n    priority: 1\n    skill: S\n",
			wantLine: 3,
			want:     `rule 2: name "a" is also used by rule 1 on line 2; rule names must be unique`,
		},
		{
			name:     "missing wrapUpCode",
			source:   "rules:\n  - name: sales\n    priority: 1\n    skill: S\n",
			wantLine: 2,
			want:     `rule "sales": wrapUpCode is missing`,
		},
		{
			name:     "missing priority",
			source:   "rules:\n  - name: sales\n    wrapUpCode: W\n    skill: S\n",
			wantLine: 2,
			want:     `rule "sales": priority is missing`,
		},
		{
			name:     "missing skill",
			source:   "rules:\n  - name: sales\n    wrapUpCode: W\n    priority: 1\n",
			wantLine: 2,
			want:     `rule "sales": skill is missing`,
		},
		{
			name:     "empty skill",
			source:   "rules:\n  - name: sales\n    wrapUpCode: W\n    priority: 1\n    skill: \"  \"\n",
			wantLine: 5,
			want:     `rule "sales": skill is empty`,
		},
		{
			name:     "skill without value",
			source:   "rules:\n  - name: sales\n    wrapUpCode: W\n    priority: 1\n    skill:\n",
			wantLine: 5,
			want:     `rule "sales": skill has no value`,
		},
		{
			name:     "skill is a list",
			source:   "rules:\n  - name: sales\n    wrapUpCode: W\n    priority: 1\n    skill: [A, B]\n",
			wantLine: 5,
			want:     `skill must be text, got a list`,
		},
		{
			name:     "priority is text",
			source:   "rules:\n  - name: sales\n    wrapUpCode: W\n    priority: high\n    skill: S\n",
			wantLine: 4,
			want:     `test.yaml:4: rule "sales": priority must be an integer >= 1, got "high"`,
		},
		{
			name:     "priority is zero",
			source:   "rules:\n  - name: sales\n    priority: 0\n",
			wantLine: 3,
			want:     `priority must be an integer >= 1, got "0"`,
		},
		{
			name:     "priority is a fraction",
			source:   "rules:\n  - name: sales\n    priority: 1.5\n",
			wantLine: 3,
			want:     `priority must be an integer >= 1, got "1.5"`,
		},
		{
			name:     "priority is quoted",
			source:   "rules:\n  - name: sales\n    priority: \"1\"\n",
			wantLine: 3,
			want:     `priority must be an integer >= 1, got "1"`,
		},
		{
			name:     "priority overflows",
			source:   "rules:\n  - name: sales\n    priority: 99999999999999999999999\n",
			wantLine: 3,
			want:     `priority must be an integer >= 1`,
		},
		{
			name:     "when is a list",
			source:   "rules:\n  - name: sales\n    when: [TransferToSales]\n",
			wantLine: 3,
			want:     `when must be a mapping of keys to values, got a list`,
		},
		{
			name:     "empty intent name",
			source:   "rules:\n  - name: sales\n    when:\n      intent: \"\"\n",
			wantLine: 4,
			want:     `rule "sales": when.intent is empty`,
		},
		{
			name:     "empty intent in list",
			source:   "rules:\n  - name: sales\n    when:\n      intent:\n        - Buy\n        -\n",
			wantLine: 6,
			want:     `when.intent has no value`,
		},
		{
			name:     "empty intent list",
			source:   "rules:\n  - name: sales\n    when: {intent: []}\n",
			wantLine: 3,
			want:     `when.intent is an empty list`,
		},
		{
			name:     "intent listed twice",
			source:   "rules:\n  - name: sales\n    when: {intent: [A, B, A]}\n",
			wantLine: 3,
			want:     `when.intent lists "A" twice`,
		},
		{
			name:     "minConfidence above 1",
			source:   "rules:\n  - name: sales\n    when:\n      minConfidence: 1.5\n",
			wantLine: 4,
			want:     `rule "sales": when.minConfidence must be a number from 0 to 1, got "1.5"`,
		},
		{
			name:     "minConfidence negative",
			source:   "rules:\n  - name: sales\n    when: {minConfidence: -0.1}\n",
			wantLine: 3,
			want:     `when.minConfidence must be a number from 0 to 1, got "-0.1"`,
		},
		{
			name:     "minConfidence not a number",
			source:   "rules:\n  - name: sales\n    when: {minConfidence: .nan}\n",
			wantLine: 3,
			want:     `when.minConfidence must be a number from 0 to 1, got ".nan"`,
		},
		{
			name:     "minConfidence text",
			source:   "rules:\n  - name: sales\n    when: {minConfidence: high}\n",
			wantLine: 3,
			want:     `when.minConfidence must be a number from 0 to 1, got "high"`,
		},
		{
			name:     "entities is a list",
			source:   "rules:\n  - name: sales\n    when:\n      entities: [ProductInterest]\n",
			wantLine: 4,
			want:     `when.entities must be a mapping of keys to values, got a list`,
		},
		{
			name:     "entity without condition",
			source:   "rules:\n  - name: sales\n    when:\n      entities:\n        ProductInterest:\n",
			wantLine: 5,
			want:     `when.entities.ProductInterest has no value; give a value, a list of values, {present: true} or {present: false}`,
		},
		{
			name:     "entity empty list",
			source:   "rules:\n  - name: sales\n    when:\n      entities:\n        ProductInterest: []\n",
			wantLine: 5,
			want:     `when.entities.ProductInterest is an empty list`,
		},
		{
			name:     "entity unknown test",
			source:   "rules:\n  - name: sales\n    when:\n      entities:\n        ProductInterest: {exists: true}\n",
			wantLine: 5,
			want:     `when.entities.ProductInterest has the unknown key "exists"; allowed keys are present`,
		},
		{
			name:     "entity present not bool",
			source:   "rules:\n  - name: sales\n    when:\n      entities:\n        ProductInterest: {present: maybe}\n",
			wantLine: 5,
			want:     `when.entities.ProductInterest.present must be true or false, got "maybe"`,
		},
		{
			name:     "entity empty mapping",
			source:   "rules:\n  - name: sales\n    when:\n      entities:\n        ProductInterest: {}\n",
			wantLine: 5,
			want:     `when.entities.ProductInterest is an empty mapping`,
		},
		{
			name:     "empty entity name",
			source:   "rules:\n  - name: sales\n    when:\n      entities:\n        \"\": x\n",
			wantLine: 5,
			want:     `when.entities has an empty entity name`,
		},
		{
			name:     "fields is text",
			source:   "rules:\n  - name: sales\n    fields: customField\n",
			wantLine: 3,
			want:     `fields must be a mapping of keys to values, got "customField"`,
		},
		{
			name:     "unknown placeholder",
			source:   "rules:\n  - name: sales\n    fields:\n      customField: \"Interest: ${entiti.X}\"\n",
			wantLine: 4,
			want:     `test.yaml:4: rule "sales": fields.customField: placeholder "${entiti.X}" at character 11: unknown placeholder`,
		},
		{
			name:     "unclosed placeholder",
			source:   "rules:\n  - name: sales\n    wrapUpCode: W\n    fields:\n      customField: \"${entity.X:-General\"\n",
			wantLine: 5,
			want:     `fields.customField: placeholder "${entity.X:-General" at character 1 is not closed; add "}"`,
		},
		{
			name:     "stray dollar",
			source:   "rules:\n  - name: sales\n    fields:\n      price: costs 5$\n",
			wantLine: 4,
			want:     `fields.price: "$" at character 8 does not start a placeholder; write "$$" for a literal "$"`,
		},
		{
			name:     "reserved field",
			source:   "rules:\n  - name: sales\n    fields:\n      skill: Other\n",
			wantLine: 4,
			want:     `fields.skill is not allowed, because the rule's own "skill" key sets that routingData field`,
		},
		{
			name:     "field is a mapping",
			source:   "rules:\n  - name: sales\n    fields:\n      customField: {a: b}\n",
			wantLine: 4,
			want:     `fields.customField must be text, got a mapping`,
		},
		{
			name:     "actions is a mapping",
			source:   "rules:\n  - name: sales\n    actions: {signal: true}\n",
			wantLine: 3,
			want:     `rule "sales": actions must be a value or a list of values, got a mapping`,
		},
		{
			name:     "empty actions",
			source:   "rules:\n  - name: sales\n    wrapUpCode: W\n    actions: []\n",
			wantLine: 4,
			want:     `actions is an empty list; list signal, disposition or both, or remove the key to signal only`,
		},
		{
			name:     "unknown action",
			source:   "rules:\n  - name: sales\n    actions:\n      - signal\n      - dispositon\n",
			wantLine: 5,
			want:     `test.yaml:5: rule "sales": actions lists "dispositon", which is not an action; did you mean "disposition"? the actions are signal and disposition`,
		},
		{
			name:     "action in wrong case",
			source:   "rules:\n  - name: sales\n    actions: [Signal]\n",
			wantLine: 3,
			want:     `actions lists "Signal", which is not an action; did you mean "signal"?`,
		},
		{
			name:     "action listed twice",
			source:   "rules:\n  - name: sales\n    actions:\n      - signal\n      - signal\n",
			wantLine: 5,
			want:     `actions lists "signal" twice; remove one`,
		},
		{
			name:     "action without value",
			source:   "rules:\n  - name: sales\n    actions:\n      -\n",
			wantLine: 4,
			want:     `actions has no value`,
		},
		{
			name:     "disposition action without disposition",
			source:   "rules:\n  - name: sales\n    wrapUpCode: W\n    priority: 1\n    skill: S\n    actions:\n      - signal\n      - disposition\n",
			wantLine: 8,
			want:     `test.yaml:8: rule "sales": actions lists "disposition", but the rule has no "disposition" key; add one, as in "disposition: {id: 5}"`,
		},
		{
			name:     "disposition action as a single value",
			source:   "rules:\n  - name: sales\n    wrapUpCode: W\n    priority: 1\n    skill: S\n    actions: disposition\n",
			wantLine: 6,
			want:     `actions lists "disposition", but the rule has no "disposition" key`,
		},
		{
			name:     "disposition without actions",
			source:   "rules:\n  - name: sales\n    wrapUpCode: W\n    priority: 1\n    skill: S\n    disposition:\n      id: 5\n",
			wantLine: 6,
			want:     `test.yaml:6: rule "sales": disposition is set, but actions does not list "disposition", so it would never be sent; add it, as in "actions: [signal, disposition]"`,
		},
		{
			name:     "disposition with signal only",
			source:   "rules:\n  - name: sales\n    wrapUpCode: W\n    priority: 1\n    skill: S\n    actions: [signal]\n    disposition: {id: 5}\n",
			wantLine: 7,
			want:     `disposition is set, but actions does not list "disposition"`,
		},
		{
			name:     "disposition is text",
			source:   "rules:\n  - name: sales\n    disposition: 5\n",
			wantLine: 3,
			want:     `disposition must be a mapping of keys to values, got "5"`,
		},
		{
			name:     "disposition without id",
			source:   "rules:\n  - name: sales\n    actions: [disposition]\n    disposition:\n      notes: hi\n",
			wantLine: 5,
			want:     `rule "sales": disposition.id is missing; add the CXone disposition id, as in "disposition: {id: 5}"`,
		},
		{
			name:     "disposition id zero",
			source:   "rules:\n  - name: sales\n    disposition:\n      id: 0\n",
			wantLine: 4,
			want:     `disposition.id must be an integer >= 1, got "0"`,
		},
		{
			name:     "disposition id text",
			source:   "rules:\n  - name: sales\n    disposition: {id: sale}\n",
			wantLine: 3,
			want:     `disposition.id must be an integer >= 1, got "sale"`,
		},
		{
			name:     "disposition id fraction",
			source:   "rules:\n  - name: sales\n    disposition: {id: 1.5}\n",
			wantLine: 3,
			want:     `disposition.id must be an integer >= 1, got "1.5"`,
		},
		{
			name:     "disposition unknown key",
			source:   "rules:\n  - name: sales\n    disposition:\n      id: 5\n      note: hi\n",
			wantLine: 5,
			want:     `disposition has the unknown key "note"; did you mean "notes"? allowed keys are id, notes`,
		},
		{
			name:     "disposition notes bad template",
			source:   "rules:\n  - name: sales\n    disposition:\n      id: 5\n      notes: \"${entity.X\"\n",
			wantLine: 5,
			want:     `rule "sales": disposition.notes: placeholder "${entity.X" at character 1 is not closed`,
		},
		{
			name:     "disposition notes is a list",
			source:   "rules:\n  - name: sales\n    disposition:\n      id: 5\n      notes: [a]\n",
			wantLine: 5,
			want:     `disposition.notes must be text, got a list`,
		},
		{
			name:     "unreachable rule",
			source:   "rules:\n  - {name: all, wrapUpCode: W, priority: 3, skill: S}\n  - name: sales\n    when: {intent: Buy}\n    wrapUpCode: W\n    priority: 1\n    skill: S\n",
			wantLine: 3,
			want:     `rule "sales": this rule can never match, because rule "all" on line 2 has no conditions and matches every input; move "all" to the end of the list`,
		},
		{
			name:     "empty when is a catch-all",
			source:   "rules:\n  - {name: all, when: {}, wrapUpCode: W, priority: 3, skill: S}\n  - {name: b, wrapUpCode: W, priority: 3, skill: S}\n",
			wantLine: 3,
			want:     `this rule can never match`,
		},
		{
			name:     "alias",
			source:   "rules:\n  - name: sales\n    skill: &s Sales\n    wrapUpCode: *s\n",
			wantLine: 4,
			want:     `wrapUpCode is the alias "*s", but aliases are not supported`,
		},
		{
			name:     "merge key",
			source:   "rules:\n  - &base {name: a, wrapUpCode: W, priority: 1, skill: S, when: {intent: X}}\n  - <<: *base\n    name: b\n",
			wantLine: 3,
			want:     `the rule uses the merge key "<<", which is not supported`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse([]byte(tt.source), "test.yaml")
			if err == nil {
				t.Fatalf("Parse succeeded with %d rules, want error containing %q", r.Len(), tt.want)
			}

			var ruleErr *RuleError
			if !errors.As(err, &ruleErr) {
				t.Fatalf("error %v (%T) is not a *RuleError", err, err)
			}
			if !errors.Is(err, ErrInvalidRules) {
				t.Errorf("error %v does not wrap ErrInvalidRules", err)
			}
			if ruleErr.Line != tt.wantLine {
				t.Errorf("Line = %d, want %d (error: %v)", ruleErr.Line, tt.wantLine, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n %s\nwant it to contain:\n %s", err, tt.want)
			}
		})
	}
}

func TestParseErrorColumn(t *testing.T) {
	_, err := Parse([]byte("rules:\n  - name: sales\n    priority: high\n"), "rules.yaml")

	var ruleErr *RuleError
	if !errors.As(err, &ruleErr) {
		t.Fatalf("error %v is not a *RuleError", err)
	}
	want := RuleError{File: "rules.yaml", Line: 3, Column: 15, Rule: "sales", Index: 1,
		Problem: `priority must be an integer >= 1, got "high"`}
	if *ruleErr != want {
		t.Errorf("RuleError = %+v, want %+v", *ruleErr, want)
	}
}

func TestParseAcceptedValues(t *testing.T) {
	r := mustParse(t, `
rules:
  - name: numbers-as-text
    when:
      intent: 42
      minConfidence: 1
      entities: {Flag: true, Date: 2024-01-01}
    wrapUpCode: 100
    priority: 0x10
    skill: 7
    fields:
      empty: ""
`)

	in := Input{Intent: "42", Confidence: 1, Entities: entities("Flag", "true", "Date", "2024-01-01")}
	got, err := r.Decide(in)
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	if got.WrapUpCode != "100" || got.Priority != 16 || got.Skill != "7" {
		t.Errorf("Decide = %+v, want wrapUpCode 100, priority 16, skill 7", got)
	}
	if value, ok := got.Fields["empty"]; !ok || value != "" {
		t.Errorf(`Fields["empty"] = %q, %v; want "", true`, value, ok)
	}
}

func TestParseEmptyFieldsGivesNilMap(t *testing.T) {
	r := mustParse(t, "rules:\n  - {name: a, wrapUpCode: W, priority: 1, skill: S, fields: {}}\n")

	got, err := r.Decide(Input{})
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	if got.Fields != nil {
		t.Errorf("Fields = %#v, want nil", got.Fields)
	}
}

func TestRuleErrorFormat(t *testing.T) {
	tests := []struct {
		err  RuleError
		want string
	}{
		{RuleError{File: "r.yaml", Line: 12, Rule: "sales", Index: 2, Problem: "p"}, `r.yaml:12: rule "sales": p`},
		{RuleError{File: "r.yaml", Line: 12, Index: 2, Problem: "p"}, `r.yaml:12: rule 2: p`},
		{RuleError{File: "r.yaml", Problem: "p"}, `r.yaml: p`},
		{RuleError{Line: 3, Problem: "p"}, `line 3: p`},
		{RuleError{Problem: "p"}, `p`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestParseRejectsPlaceholderOutsideFields(t *testing.T) {
	for _, key := range []string{"wrapUpCode", "skill"} {
		data := "rules:\n  - name: r\n    wrapUpCode: W\n    priority: 1\n    skill: S\n"
		data = strings.Replace(data, key+": "+map[string]string{"wrapUpCode": "W", "skill": "S"}[key], key+": \"${intent}\"", 1)
		_, err := Parse([]byte(data), "rules.yaml")
		if err == nil || !strings.Contains(err.Error(), "only fields are templates") || !strings.Contains(err.Error(), "rules.yaml:") {
			t.Errorf("%s with a placeholder: error = %v, want a file:line error saying only fields are templates", key, err)
		}
	}
}
