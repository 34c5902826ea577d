package mapping_test

import (
	"errors"
	"fmt"

	"github.com/cxrouter/router/mapping"
)

func ExampleRules_Decide() {
	body := []byte(`{
		"cxoneInteractionId": "c-1001",
		"sessionId": "s-1",
		"intent": {"name": "TransferToSales", "confidence": 0.93},
		"entities": [{"name": "ProductInterest", "value": "PremiumPackage"}]
	}`)
	in, err := mapping.ParseWebhook(body)
	if err != nil {
		fmt.Println(err)
		return
	}

	decision, err := mapping.Default().Decide(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", decision)
	// Output:
	// {Rule:sales-premium WrapUpCode:Sales Transfer Priority:1 Skill:Sales-Premium Fields:map[customField:Interest: PremiumPackage] Actions:[] Disposition:<nil>}
}

// A Cognigy flow that posts its input object gives the same Input as the
// documented shape: the intent from "intent" and "intentScore", entities
// from "slots", and the interaction id from "data.contactId".
func ExampleInputFormat_Parse() {
	body := []byte(`{
		"sessionId": "b1c5-44",
		"inputId": "9f2e-07",
		"channel": "webchat3",
		"intent": "TransferToSales",
		"intentScore": 0.81,
		"slots": {
			"ProductInterest": [{"keyphrase": "PremiumPackage", "synonym": "premium plan"}],
			"NUMBER": [2]
		},
		"data": {"contactId": "584930121"}
	}`)
	in, err := mapping.DefaultInputFormat().Parse(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(in.InteractionID, in.Intent, in.Confidence, in.Entities)

	// A format that reads the id from elsewhere names every path it tried.
	format := mapping.DefaultInputFormat()
	format.InteractionID = []string{"data.cxone.contactId", "cxoneInteractionId"}
	_, err = format.Parse(body)
	fmt.Println(err)
	// Output:
	// 584930121 TransferToSales 0.81 [{NUMBER 2 0} {ProductInterest PremiumPackage 0}]
	// invalid payload: field "data.cxone.contactId" is missing; send the CXone interaction id as a string in "data.cxone.contactId" or "cxoneInteractionId"
}

func ExampleParse() {
	rules, err := mapping.Parse([]byte(`
rules:
  - name: vip
    when:
      intent: [TransferToSales, TransferToSupport]
      minConfidence: 0.7
      entities:
        Tier: Gold
    wrapUpCode: VIP Transfer
    priority: 1
    skill: VIP
    fields:
      customField: "Tier ${entity.Tier} asked for ${intent}, budget $$${entity.Budget:-unknown}"
`), "rules.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}

	in := mapping.Input{
		Intent:     "TransferToSupport",
		Confidence: 0.9,
		Entities:   []mapping.Entity{{Name: "Tier", Value: "Gold"}},
	}
	decision, _ := rules.Decide(in)
	fmt.Println(decision.Rule, decision.Fields["customField"])

	in.Confidence = 0.5
	_, err = rules.Decide(in)
	fmt.Println(errors.Is(err, mapping.ErrNoRuleMatched), err)
	// Output:
	// vip Tier Gold asked for TransferToSupport, budget $unknown
	// true no rule matched: intent "TransferToSupport"
}

func ExampleRuleError() {
	_, err := mapping.Parse([]byte(`
rules:
  - name: sales
    wrapUpCode: Sales Transfer
    priority: high
    skill: Sales-Standard
`), "rules.yaml")
	fmt.Println(err)

	var ruleErr *mapping.RuleError
	if errors.As(err, &ruleErr) {
		fmt.Println(ruleErr.Line, ruleErr.Column, ruleErr.Rule)
	}
	// Output:
	// rules.yaml:5: rule "sales": priority must be an integer >= 1, got "high"
	// 5 15 sales
}
