package cxone_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/cxrouter/router/cxone"
	"github.com/cxrouter/router/cxone/cxonesim"
)

// The simulator serves as both the issuer and the tenant's API endpoint. Against a real tenant, IssuerURL stays at its default.
func ExampleNewInContactClient() {
	sim := cxonesim.New(cxonesim.Config{AccessKeyID: "key-id", AccessKeySecret: "key=secret"})
	srv := httptest.NewServer(sim)
	defer srv.Close()

	client, err := cxone.NewInContactClient(cxone.InContactConfig{
		IssuerURL:       srv.URL,
		ClientID:        "app",
		ClientSecret:    "app-secret",
		AccessKeyID:     "key-id",
		AccessKeySecret: "key=secret",
		SignalParams:    cxone.ParseSignalParams("skill,priority,customField"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	update := cxone.Update{
		WrapUpCode: "Sales Transfer",
		RoutingData: cxone.RoutingData{
			Priority: 1,
			Skill:    "Sales-Premium",
			Fields:   map[string]string{"customField": "Interest: PremiumPackage"},
		},
		Actions:     []string{cxone.ActionSignal, cxone.ActionDisposition},
		Disposition: &cxone.Disposition{ID: 42, Notes: "bot transfer"},
	}
	res, err := client.UpdateInteraction(context.Background(), "5000123", update)
	if err != nil {
		fmt.Println(err)
		return
	}

	state, _ := sim.Interaction("5000123")
	fmt.Println("status of the last action:", res.Status)
	fmt.Println("SP1 to SP3:", state.LastSignal["p1"], "|", state.LastSignal["p2"], "|", state.LastSignal["p3"])
	fmt.Println("disposition:", state.Disposition.DispositionCode, state.Disposition.Notes)
	// Output:
	// status of the last action: 202
	// SP1 to SP3: Sales-Premium | 1 | Interest: PremiumPackage
	// disposition: 42 bot transfer
}

func ExampleInContactConfig_Validate() {
	cfg := cxone.InContactConfig{
		ClientID:     "app",
		ClientSecret: "app-secret",
		AccessKeyID:  "key-id",
	}
	fmt.Println(cfg.Validate())

	cfg.AccessKeySecret = "key=secret"
	cfg.SignalParams = []string{"Skill", "priority"}
	fmt.Println(cfg.Validate())
	// Output:
	// cxone: AccessKeySecret is missing; set CXONE_ACCESS_KEY_SECRET
	// cxone: SignalParams p1 "Skill" is spelled "skill"; fix CXONE_SIGNAL_PARAMS
}
