package mapping

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func entities(pairs ...string) []Entity {
	var list []Entity
	for i := 0; i+1 < len(pairs); i += 2 {
		list = append(list, Entity{Name: pairs[i], Value: pairs[i+1]})
	}
	return list
}

func mustParse(t *testing.T, source string) *Rules {
	t.Helper()
	r, err := Parse([]byte(source), "test.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return r
}

func TestDefaultRules(t *testing.T) {
	sales := "Sales Transfer"
	tests := []struct {
		name string
		in   Input
		want Decision
	}{
		{
			name: "premium sales",
			in:   Input{Intent: "TransferToSales", Entities: entities("ProductInterest", "PremiumPackage")},
			want: Decision{Rule: "sales-premium", WrapUpCode: sales, Priority: 1, Skill: "Sales-Premium",
				Fields: map[string]string{"customField": "Interest: PremiumPackage"}},
		},
		{
			name: "other product interest",
			in:   Input{Intent: "TransferToSales", Entities: entities("ProductInterest", "BasicPackage")},
			want: Decision{Rule: "sales-standard", WrapUpCode: sales, Priority: 1, Skill: "Sales-Standard",
				Fields: map[string]string{"customField": "Interest: BasicPackage"}},
		},
		{
			name: "missing entity reads as General",
			in:   Input{Intent: "TransferToSales", Entities: entities("Other", "x")},
			want: Decision{Rule: "sales-standard", WrapUpCode: sales, Priority: 1, Skill: "Sales-Standard",
				Fields: map[string]string{"customField": "Interest: General"}},
		},
		{
			name: "empty entity reads as General",
			in:   Input{Intent: "TransferToSales", Entities: entities("ProductInterest", "")},
			want: Decision{Rule: "sales-standard", WrapUpCode: sales, Priority: 1, Skill: "Sales-Standard",
				Fields: map[string]string{"customField": "Interest: General"}},
		},
		{
			name: "entity value case matters",
			in:   Input{Intent: "TransferToSales", Entities: entities("ProductInterest", "premiumpackage")},
			want: Decision{Rule: "sales-standard", WrapUpCode: sales, Priority: 1, Skill: "Sales-Standard",
				Fields: map[string]string{"customField": "Interest: premiumpackage"}},
		},
		{
			name: "support",
			in:   Input{Intent: "TransferToSupport", Entities: entities("ProductInterest", "PremiumPackage")},
			want: Decision{Rule: "support", WrapUpCode: "Support Transfer", Priority: 2, Skill: "Support-Tier2"},
		},
		{
			name: "unknown intent",
			in:   Input{Intent: "OrderPizza"},
			want: Decision{Rule: "general", WrapUpCode: "General Inquiry", Priority: 3, Skill: "General"},
		},
		{
			name: "no intent",
			in:   Input{Entities: entities("ProductInterest", "PremiumPackage")},
			want: Decision{Rule: "general", WrapUpCode: "General Inquiry", Priority: 3, Skill: "General"},
		},
		{
			name: "intent case matters",
			in:   Input{Intent: "transfertosales", Entities: entities("ProductInterest", "PremiumPackage")},
			want: Decision{Rule: "general", WrapUpCode: "General Inquiry", Priority: 3, Skill: "General"},
		},
		{
			name: "low confidence is ignored",
			in:   Input{Intent: "TransferToSupport", Confidence: 0.01},
			want: Decision{Rule: "support", WrapUpCode: "Support Transfer", Priority: 2, Skill: "Support-Tier2"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Default().Decide(tt.in)
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decide:\n got  %+v\n want %+v", got, tt.want)
			}
		})
	}
}

func TestDefaultRulesWithoutFieldsHaveNilMap(t *testing.T) {
	got, err := Default().Decide(Input{Intent: "TransferToSupport"})
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	if got.Fields != nil {
		t.Errorf("Fields = %#v, want nil", got.Fields)
	}
}

func TestDefaultNamesAndYAML(t *testing.T) {
	want := []string{"sales-premium", "sales-standard", "support", "general"}
	if got := Default().Names(); !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	if got := Default().Len(); got != len(want) {
		t.Errorf("Len() = %d, want %d", got, len(want))
	}

	fromYAML, err := Parse(DefaultYAML(), "copy.yaml")
	if err != nil {
		t.Fatalf("Parse(DefaultYAML()): %v", err)
	}
	if !reflect.DeepEqual(fromYAML.Names(), want) {
		t.Errorf("names parsed from DefaultYAML() = %q, want %q", fromYAML.Names(), want)
	}
}

func TestDefaultYAMLReturnsCopy(t *testing.T) {
	first := DefaultYAML()
	first[0] = 'X'
	if DefaultYAML()[0] == 'X' {
		t.Error("changing the slice from DefaultYAML changed the next result")
	}
}

func TestDecideFirstMatchWins(t *testing.T) {
	r := mustParse(t, `
rules:
  - name: specific
    when: {intent: Buy, entities: {Tier: Gold}}
    wrapUpCode: A
    priority: 1
    skill: Gold
  - name: broad
    when: {intent: Buy}
    wrapUpCode: B
    priority: 2
    skill: Any
  - name: also-gold
    when: {intent: Buy, entities: {Tier: Gold}}
    wrapUpCode: C
    priority: 3
    skill: Never
`)

	tests := []struct {
		in   Input
		want string
	}{
		{Input{Intent: "Buy", Entities: entities("Tier", "Gold")}, "specific"},
		{Input{Intent: "Buy", Entities: entities("Tier", "Silver")}, "broad"},
		{Input{Intent: "Buy"}, "broad"},
	}
	for _, tt := range tests {
		got, err := r.Decide(tt.in)
		if err != nil {
			t.Fatalf("Decide(%+v): %v", tt.in, err)
		}
		if got.Rule != tt.want {
			t.Errorf("Decide(%+v).Rule = %q, want %q", tt.in, got.Rule, tt.want)
		}
	}
}

func TestDecideListsAndPresence(t *testing.T) {
	r := mustParse(t, `
rules:
  - name: intents
    when:
      intent: [Buy, Purchase]
      entities:
        Region: [EMEA, APAC]
        Count: 5
    wrapUpCode: X
    priority: 1
    skill: S
  - name: present
    when:
      entities: {AccountId: {present: true}, Escalated: {present: false}}
    wrapUpCode: X
    priority: 1
    skill: S
  - name: escalated
    when:
      entities: {Escalated: {present: true}}
    wrapUpCode: X
    priority: 1
    skill: S
`)

	tests := []struct {
		name string
		in   Input
		want string // "" means no rule matches
	}{
		{"first intent and value", Input{Intent: "Buy", Entities: entities("Region", "EMEA", "Count", "5")}, "intents"},
		{"second intent and value", Input{Intent: "Purchase", Entities: entities("Count", "5", "Region", "APAC")}, "intents"},
		{"value not listed", Input{Intent: "Buy", Entities: entities("Region", "US", "Count", "5")}, ""},
		{"entity missing", Input{Intent: "Buy", Entities: entities("Count", "5")}, ""},
		{"number compared as text", Input{Intent: "Buy", Entities: entities("Region", "EMEA", "Count", "5.0")}, ""},
		{"intent not listed", Input{Intent: "Sell", Entities: entities("Region", "EMEA", "Count", "5")}, ""},
		{"present with empty value", Input{Entities: entities("AccountId", "")}, "present"},
		{"absent entity present", Input{Entities: entities("AccountId", "1", "Escalated", "yes")}, "escalated"},
		{"first duplicate counts", Input{Intent: "Buy", Entities: entities("Region", "US", "Region", "EMEA", "Count", "5")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Decide(tt.in)
			if tt.want == "" {
				if !errors.Is(err, ErrNoRuleMatched) {
					t.Fatalf("Decide = %+v, %v; want ErrNoRuleMatched", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if got.Rule != tt.want {
				t.Errorf("Rule = %q, want %q", got.Rule, tt.want)
			}
		})
	}
}

func TestDecideMinConfidence(t *testing.T) {
	r := mustParse(t, `
rules:
  - name: sure
    when: {intent: Buy, minConfidence: 0.8}
    wrapUpCode: X
    priority: 1
    skill: Sales
  - name: unsure
    when: {intent: Buy}
    wrapUpCode: X
    priority: 2
    skill: Triage
`)

	tests := []struct {
		confidence float64
		want       string
	}{
		{0.95, "sure"},
		{0.8, "sure"},
		{0.79, "unsure"},
		{0, "unsure"},
		{-1, "unsure"},
		{math.NaN(), "unsure"},
	}
	for _, tt := range tests {
		got, err := r.Decide(Input{Intent: "Buy", Confidence: tt.confidence})
		if err != nil {
			t.Fatalf("Decide(confidence %v): %v", tt.confidence, err)
		}
		if got.Rule != tt.want {
			t.Errorf("Decide(confidence %v).Rule = %q, want %q", tt.confidence, got.Rule, tt.want)
		}
	}
}

func TestDecideNoRuleMatched(t *testing.T) {
	r := mustParse(t, `
rules:
  - name: buy
    when: {intent: Buy}
    wrapUpCode: X
    priority: 1
    skill: S
`)

	tests := []struct {
		in       Input
		wantText string
	}{
		{Input{Intent: "Sell"}, `no rule matched: intent "Sell"`},
		{Input{}, "no rule matched: the input has no intent"},
	}
	for _, tt := range tests {
		got, err := r.Decide(tt.in)
		if !errors.Is(err, ErrNoRuleMatched) {
			t.Fatalf("Decide(%+v) error = %v, want ErrNoRuleMatched", tt.in, err)
		}
		if err.Error() != tt.wantText {
			t.Errorf("error = %q, want %q", err, tt.wantText)
		}
		if !reflect.DeepEqual(got, Decision{}) {
			t.Errorf("decision = %+v, want zero", got)
		}
	}
}

func TestDecideFieldsMapIsFresh(t *testing.T) {
	in := Input{Intent: "TransferToSales"}
	first, err := Default().Decide(in)
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	first.Fields["customField"] = "changed"

	second, err := Default().Decide(in)
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	if got := second.Fields["customField"]; got != "Interest: General" {
		t.Errorf("customField after changing an earlier result = %q, want %q", got, "Interest: General")
	}
}

func TestDecideConcurrent(t *testing.T) {
	r := Default()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			value := "PremiumPackage"
			if i%2 == 1 {
				value = "Other"
			}
			for range 200 {
				d, err := r.Decide(Input{Intent: "TransferToSales", Entities: entities("ProductInterest", value)})
				if err != nil {
					errs <- err
					return
				}
				if d.Fields["customField"] != "Interest: "+value {
					errs <- errors.New("customField = " + d.Fields["customField"])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestLoadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, DefaultYAML(), 0o600); err != nil {
		t.Fatal(err)
	}

	r, err := LoadFile(path)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if r.Len() != Default().Len() {
		t.Errorf("Len() = %d, want %d", r.Len(), Default().Len())
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()

	_, err := LoadFile(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadFile(missing) error = %v, want os.ErrNotExist", err)
	}

	path := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(path, []byte("rules: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadFile(path)
	var ruleErr *RuleError
	if !errors.As(err, &ruleErr) {
		t.Fatalf("LoadFile(bad) error = %v, want *RuleError", err)
	}
	if ruleErr.File != path {
		t.Errorf("RuleError.File = %q, want %q", ruleErr.File, path)
	}
	if !strings.HasPrefix(err.Error(), path+":1: ") {
		t.Errorf("error %q does not start with %q", err, path+":1: ")
	}
}

// docExample is the example in doc.go; keep the two in step.
const docExample = `
rules:
  - name: sales-premium              # required, unique
    when:                            # optional; absent or {} matches any input
      intent: TransferToSales        # one name, or a list: [TransferToSales, Buy]
      minConfidence: 0.6             # optional, 0 to 1
      entities:
        ProductInterest: PremiumPackage        # this value
        Region: [EMEA, APAC]                   # one of these values
        AccountId: {present: true}             # any value, even ""
        Escalated: {present: false}            # no such entity
    wrapUpCode: Sales Transfer       # required
    priority: 1                      # required, integer >= 1, 1 is the most urgent
    skill: Sales-Premium             # required
    fields:                          # optional routingData fields
      customField: "Interest: ${entity.ProductInterest:-General} via ${intent}"
      note: "costs $$5"              # renders as "costs $5"
    actions: [signal, disposition]   # optional, incontact profile only; default [signal]
    disposition:                     # required exactly when actions lists disposition
      id: 12                         # required, integer >= 1, the CXone disposition id
      notes: "Bot: ${intent}"        # optional template

  - name: general                    # no "when": matches every input
    wrapUpCode: General Inquiry
    priority: 3
    skill: General
`

func TestDocExample(t *testing.T) {
	r := mustParse(t, docExample)

	in := Input{
		Intent:     "TransferToSales",
		Confidence: 0.9,
		Entities:   entities("ProductInterest", "PremiumPackage", "Region", "APAC", "AccountId", "42"),
	}
	got, err := r.Decide(in)
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	want := Decision{
		Rule: "sales-premium", WrapUpCode: "Sales Transfer", Priority: 1, Skill: "Sales-Premium",
		Fields: map[string]string{
			"customField": "Interest: PremiumPackage via TransferToSales",
			"note":        "costs $5",
		},
		Actions:     []string{ActionSignal, ActionDisposition},
		Disposition: &Disposition{ID: 12, Notes: "Bot: TransferToSales"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Decide:\n got  %+v\n want %+v", got, want)
	}

	in.Confidence = 0.5
	if got, _ := r.Decide(in); got.Rule != "general" {
		t.Errorf("Decide with confidence 0.5: Rule = %q, want general", got.Rule)
	}
}

func TestDecideActionsAndDisposition(t *testing.T) {
	r := mustParse(t, `
rules:
  - name: sales
    when: {intent: TransferToSales}
    wrapUpCode: Sales Transfer
    priority: 1
    skill: Sales
    actions: [disposition, signal]
    disposition:
      id: 41
      notes: "Wants ${entity.ProductInterest:-nothing} ($$${entity.Budget:-?})"
  - name: signal-only
    when: {intent: Signal}
    wrapUpCode: W
    priority: 2
    skill: S
    actions: signal
  - name: no-note
    when: {intent: Dispose}
    wrapUpCode: W
    priority: 2
    skill: S
    actions: [disposition]
    disposition: {id: 7}
  - name: default
    wrapUpCode: W
    priority: 3
    skill: S
`)

	tests := []struct {
		name            string
		in              Input
		wantActions     []string
		wantDisposition *Disposition
	}{
		{"notes from entities", Input{Intent: "TransferToSales", Entities: entities("ProductInterest", "Premium", "Budget", "50")},
			[]string{ActionDisposition, ActionSignal}, &Disposition{ID: 41, Notes: "Wants Premium ($50)"}},
		{"notes fallbacks", Input{Intent: "TransferToSales"},
			[]string{ActionDisposition, ActionSignal}, &Disposition{ID: 41, Notes: "Wants nothing ($?)"}},
		{"single action", Input{Intent: "Signal"}, []string{ActionSignal}, nil},
		{"disposition without notes", Input{Intent: "Dispose"}, []string{ActionDisposition}, &Disposition{ID: 7}},
		{"no actions key", Input{Intent: "Other"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Decide(tt.in)
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if !reflect.DeepEqual(got.Actions, tt.wantActions) {
				t.Errorf("Actions = %#v, want %#v", got.Actions, tt.wantActions)
			}
			if !reflect.DeepEqual(got.Disposition, tt.wantDisposition) {
				t.Errorf("Disposition = %+v, want %+v", got.Disposition, tt.wantDisposition)
			}
		})
	}
}

func TestDecideActionsAreFresh(t *testing.T) {
	r := mustParse(t, `
rules:
  - name: all
    wrapUpCode: W
    priority: 1
    skill: S
    actions: [signal, disposition]
    disposition: {id: 3, notes: "n"}
`)
	first, err := r.Decide(Input{})
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	first.Actions[0] = "changed"
	first.Disposition.ID = 99

	second, err := r.Decide(Input{})
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	if second.Actions[0] != ActionSignal {
		t.Errorf("Actions[0] after changing an earlier result = %q, want %q", second.Actions[0], ActionSignal)
	}
	if second.Disposition.ID != 3 {
		t.Errorf("Disposition.ID after changing an earlier result = %d, want 3", second.Disposition.ID)
	}
}

// The example in the comments of default_rules.yaml must stay valid.
func TestDefaultYAMLCommentExample(t *testing.T) {
	var example []string
	inExample := false
	for line := range strings.Lines(string(DefaultYAML())) {
		switch {
		case strings.HasPrefix(line, "# For example:"):
			inExample = true
		case inExample && strings.HasPrefix(line, "#   "):
			example = append(example, "    "+strings.TrimPrefix(line, "#   "))
		case inExample:
			inExample = false
		}
	}
	if len(example) == 0 {
		t.Fatal(`default_rules.yaml has no "# For example:" block`)
	}

	source := "rules:\n  - name: example\n    wrapUpCode: W\n    priority: 1\n    skill: S\n" + strings.Join(example, "")
	r := mustParse(t, source)
	got, err := r.Decide(Input{Intent: "TransferToSales"})
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	want := &Disposition{ID: 12, Notes: "Bot routed TransferToSales (no product)"}
	if !reflect.DeepEqual(got.Disposition, want) {
		t.Errorf("Disposition = %+v, want %+v", got.Disposition, want)
	}
}
