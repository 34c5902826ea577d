package mapping

import (
	"strings"
	"testing"
)

func TestTemplateRender(t *testing.T) {
	in := Input{
		Intent:   "TransferToSales",
		Entities: entities("ProductInterest", "PremiumPackage", "Empty", "", "dotted.name", "d", "Price", "$5"),
	}
	noIntent := Input{Entities: in.Entities}

	tests := []struct {
		source string
		in     Input
		want   string
	}{
		{"plain text", in, "plain text"},
		{"", in, ""},
		{"Interest: ${entity.ProductInterest}", in, "Interest: PremiumPackage"},
		{"Interest: ${entity.ProductInterest:-General}", in, "Interest: PremiumPackage"},
		{"Interest: ${entity.Missing:-General}", in, "Interest: General"},
		{"Interest: ${entity.Missing}", in, "Interest: "},
		{"Interest: ${entity.Empty:-General}", in, "Interest: General"},
		{"${entity.Missing:-}", in, ""},
		{"${entity.Missing:-a b, c-d:-e}", in, "a b, c-d:-e"},
		{"${entity.dotted.name}", in, "d"},
		{"${intent}", in, "TransferToSales"},
		{"${intent}", noIntent, ""},
		{"${intent:-none}", noIntent, "none"},
		{"${intent}/${entity.ProductInterest}/${intent}", in, "TransferToSales/PremiumPackage/TransferToSales"},
		{"costs $$5", in, "costs $5"},
		{"$$$$", in, "$$"},
		{"$${intent}", in, "${intent}"},
		{"$$${intent}", in, "$TransferToSales"},
		{"${entity.Missing:-$$0}", in, "$0"},
		{"price ${entity.Price}", in, "price $5"},
		{"ünïcødé ${intent} ✓", in, "ünïcødé TransferToSales ✓"},
		{"{braces} and } alone", in, "{braces} and } alone"},
	}
	for _, tt := range tests {
		parsed, err := parseTemplate(tt.source)
		if err != nil {
			t.Errorf("parseTemplate(%q): %v", tt.source, err)
			continue
		}
		if got := parsed.render(tt.in); got != tt.want {
			t.Errorf("render(%q) = %q, want %q", tt.source, got, tt.want)
		}
	}
}

func TestTemplateErrors(t *testing.T) {
	tests := []struct {
		source string
		want   string
	}{
		{"$", `"$" at character 1 does not start a placeholder`},
		{"cost: 5$", `"$" at character 8 does not start a placeholder`},
		{"$intent", `"$" at character 1 does not start a placeholder`},
		{"ä ${entity.X", `placeholder "${entity.X" at character 3 is not closed`},
		{"${", `placeholder "${" at character 1 is not closed`},
		{"${}", "the name is empty"},
		{"${foo}", "unknown placeholder"},
		{"${Intent}", "unknown placeholder"},
		{"${entity}", "unknown placeholder"},
		{"${entity.}", "the entity name is empty"},
		{"${entity.:-x}", "the entity name is empty"},
		{"${entity.A:General}", `entity name "A:General" contains ":"`},
		{"${entity.A B}", `contains ' '`},
		{"${entity.A:-${intent}}", "placeholders cannot be nested"},
		{"${entity.A:-5$}", `write "$$" for a literal "$"`},
	}
	for _, tt := range tests {
		_, err := parseTemplate(tt.source)
		if err == nil {
			t.Errorf("parseTemplate(%q) succeeded, want error containing %q", tt.source, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseTemplate(%q) error = %q, want it to contain %q", tt.source, err, tt.want)
		}
	}
}
