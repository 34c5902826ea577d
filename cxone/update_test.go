package cxone_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cxrouter/router/cxone"
)

func TestRoutingDataMarshalJSON(t *testing.T) {
	tests := []struct {
		name    string
		data    cxone.RoutingData
		want    string
		wantErr string
	}{
		{
			name: "fields sorted after priority and skill",
			data: cxone.RoutingData{Priority: 2, Skill: "Support-Tier2", Fields: map[string]string{"zeta": "z", "alpha": "a"}},
			want: `{"priority":2,"skill":"Support-Tier2","alpha":"a","zeta":"z"}`,
		},
		{
			name: "zero values still sent",
			data: cxone.RoutingData{},
			want: `{"priority":0,"skill":""}`,
		},
		{
			name: "strings escaped",
			data: cxone.RoutingData{Skill: `a"b`, Fields: map[string]string{"note": "line\nbreak"}},
			want: `{"priority":0,"skill":"a\"b","note":"line\nbreak"}`,
		},
		{
			name:    "reserved priority",
			data:    cxone.RoutingData{Fields: map[string]string{"priority": "9"}},
			wantErr: `reserved name "priority"`,
		},
		{
			name:    "reserved skill in other case",
			data:    cxone.RoutingData{Fields: map[string]string{"SKILL": "x"}},
			wantErr: `reserved name "SKILL"`,
		},
		{
			name:    "empty name",
			data:    cxone.RoutingData{Fields: map[string]string{"": "x"}},
			wantErr: "empty field name",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.data)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Marshal error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal = %s, want %s", got, tt.want)
			}
		})
	}
}

func ExampleUpdate() {
	u := cxone.Update{
		WrapUpCode: "Sales Transfer",
		RoutingData: cxone.RoutingData{
			Priority: 1,
			Skill:    "Sales-Premium",
			Fields:   map[string]string{"customField": "Interest: PremiumPackage"},
		},
	}
	body, _ := json.Marshal(u)
	fmt.Println(string(body))
	// Output:
	// {"wrapUpCode":"Sales Transfer","routingData":{"priority":1,"skill":"Sales-Premium","customField":"Interest: PremiumPackage"}}
}
