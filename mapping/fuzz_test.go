package mapping

import (
	"errors"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add(DefaultYAML())
	f.Add([]byte(docExample))
	f.Add([]byte("rules:\n  - {name: a, wrapUpCode: W, priority: 1, skill: S, fields: {f: \"${entity.X:-$$}\"}}\n"))
	f.Add([]byte("rules:\n  - name: a\n    skil: S\n"))
	f.Add([]byte("rules:\n  - &a {name: a}\n  - *a\n"))
	f.Add([]byte("rules: [\n"))
	f.Add([]byte(""))

	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data, "fuzz.yaml")
		if err != nil {
			var ruleErr *RuleError
			if !errors.As(err, &ruleErr) {
				t.Fatalf("error %v (%T) is not a *RuleError", err, err)
			}
			return
		}

		if r.Len() == 0 {
			t.Fatal("Parse succeeded with no rules")
		}
		d, err := r.Decide(Input{Intent: "TransferToSales", Confidence: 0.5, Entities: entities("ProductInterest", "PremiumPackage")})
		if err != nil && !errors.Is(err, ErrNoRuleMatched) {
			t.Fatalf("Decide: unexpected error %v", err)
		}
		if err == nil && (d.Rule == "" || d.Priority < 1 || d.Skill == "" || d.WrapUpCode == "") {
			t.Fatalf("Decide returned an incomplete decision %+v", d)
		}
	})
}

func FuzzDecide(f *testing.F) {
	f.Add("TransferToSales", 0.9, "ProductInterest", "PremiumPackage")
	f.Add("TransferToSales", 0.0, "ProductInterest", "")
	f.Add("TransferToSupport", 1.0, "", "")
	f.Add("", 0.0, "x", "y")

	f.Fuzz(func(t *testing.T, intent string, confidence float64, name, value string) {
		in := Input{Intent: intent, Confidence: confidence, Entities: []Entity{{Name: name, Value: value}}}
		d, err := Default().Decide(in)
		if err != nil {
			t.Fatalf("Decide: %v; the default rules end with a rule that matches every input", err)
		}

		switch intent {
		case "TransferToSales":
			interest := "General"
			if v, ok := in.Entity("ProductInterest"); ok && v != "" {
				interest = v
			}
			if got, want := d.Fields["customField"], "Interest: "+interest; got != want {
				t.Fatalf("customField = %q, want %q", got, want)
			}
		case "TransferToSupport":
			if d.Rule != "support" {
				t.Fatalf("Rule = %q, want support", d.Rule)
			}
		default:
			if d.Rule != "general" || d.Fields != nil {
				t.Fatalf("Decide = %+v, want rule general without fields", d)
			}
		}
	})
}

func FuzzTemplate(f *testing.F) {
	for _, seed := range []string{"Interest: ${entity.ProductInterest:-General}", "$$", "${intent", "${entity.a:-$$x}", "$"} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, text string) {
		in := Input{Intent: "I", Entities: entities("a", "A")}
		if parsed, err := parseTemplate(text); err == nil {
			_ = parsed.render(in)
		}

		// Any text with each "$" doubled renders as itself.
		escaped := strings.ReplaceAll(text, "$", "$$")
		parsed, err := parseTemplate(escaped)
		if err != nil {
			t.Fatalf("parseTemplate(%q): %v", escaped, err)
		}
		if got := parsed.render(in); got != text {
			t.Fatalf("render(%q) = %q, want %q", escaped, got, text)
		}
	})
}
