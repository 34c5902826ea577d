package mapping

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// cognigyChat is the input object a Cognigy flow posts for a CXone chat. It
// has the contact id under data and the intent as a string with
// intentScore. Its slots come from a lexicon (objects with a keyphrase) and
// from system slots (numbers, dates, durations).
const cognigyChat = `{
	"text": "I want the premium plan for two people",
	"intent": "TransferToSales",
	"intentScore": 0.87,
	"slots": {
		"ProductInterest": [
			{"keyphrase": "PremiumPackage", "synonym": "premium plan", "lower": "premiumpackage", "count": 1, "data": {"sku": "P-1"}},
			{"keyphrase": "BasicPackage", "synonym": "basic", "lower": "basicpackage"}
		],
		"NUMBER": [2],
		"DATE": [{"start": {"year": 2026, "month": 12, "day": 5}, "end": null}],
		"DURATION": {"hour": null, "minute": 10, "second": null}
	},
	"sessionId": "6a1f4c1e-0b7d-4c3a-9a51-2f3f0c6e9b10",
	"inputId": "0e9d8b55-5d3c-43a4-a3ce-7b1bd7b0f2aa",
	"userId": "visitor-7781",
	"channel": "webchat3",
	"data": {"contactId": "584930121", "skill": "Chat-EN"}
}`

func TestParseWebhookShapes(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Input
	}{
		{
			name: "documented shape",
			body: `{"sessionId":"s-1","inputId":"i-1","userId":"u-1","botId":"b-1","cxoneInteractionId":"c-1",
				"intent":{"name":"TransferToSales","confidence":0.95},
				"entities":[{"name":"ProductInterest","value":"PremiumPackage","confidence":0.98},{"name":"Count","value":5},{"name":"Flag","value":true},{"name":"Empty"}]}`,
			want: Input{InteractionID: "c-1", SessionID: "s-1", InputID: "i-1", UserID: "u-1", BotID: "b-1",
				Intent: "TransferToSales", Confidence: 0.95,
				Entities: []Entity{{"ProductInterest", "PremiumPackage", 0.98}, {"Count", "5", 0}, {"Flag", "true", 0}, {"Empty", "", 0}}},
		},
		{
			name: "Cognigy chat",
			body: cognigyChat,
			want: Input{InteractionID: "584930121", SessionID: "6a1f4c1e-0b7d-4c3a-9a51-2f3f0c6e9b10",
				InputID: "0e9d8b55-5d3c-43a4-a3ce-7b1bd7b0f2aa", UserID: "visitor-7781", Channel: "webchat3",
				Intent: "TransferToSales", Confidence: 0.87,
				Entities: []Entity{
					{Name: "DATE"}, {Name: "DURATION"}, {Name: "NUMBER", Value: "2"},
					{Name: "ProductInterest", Value: "PremiumPackage"}, {Name: "ProductInterest", Value: "BasicPackage"},
				}},
		},
		{
			name: "Cognigy without intent",
			body: `{"intent":null,"intentScore":null,"slots":{},"data":{"contactId":"c-2"}}`,
			want: Input{InteractionID: "c-2"},
		},
		{
			name: "cxoneInteractionId wins over data.contactId",
			body: `{"cxoneInteractionId":"first","data":{"contactId":"second"}}`,
			want: Input{InteractionID: "first"},
		},
		{
			name: "null cxoneInteractionId falls back to data.contactId",
			body: `{"cxoneInteractionId":null,"data":{"contactId":"second"}}`,
			want: Input{InteractionID: "second"},
		},
		{
			name: "intent.confidence wins over intentScore",
			body: `{"cxoneInteractionId":"c","intent":{"name":"A","confidence":0.9},"intentScore":0.1}`,
			want: Input{InteractionID: "c", Intent: "A", Confidence: 0.9},
		},
		{
			name: "intentScore with an intent object",
			body: `{"cxoneInteractionId":"c","intent":{"name":"A"},"intentScore":0.4}`,
			want: Input{InteractionID: "c", Intent: "A", Confidence: 0.4},
		},
		{
			name: "intent object without name",
			body: `{"cxoneInteractionId":"c","intent":{"confidence":0.7}}`,
			want: Input{InteractionID: "c", Confidence: 0.7},
		},
		{
			name: "empty intent object",
			body: `{"cxoneInteractionId":"c","intent":{}}`,
			want: Input{InteractionID: "c"},
		},
		{
			name: "entities before slots",
			body: `{"cxoneInteractionId":"c","slots":{"Tier":["Gold"]},"entities":[{"name":"Tier","value":"Silver"}]}`,
			want: Input{InteractionID: "c", Entities: []Entity{{Name: "Tier", Value: "Silver"}, {Name: "Tier", Value: "Gold"}}},
		},
		{
			name: "slot values of every kind",
			body: `{"cxoneInteractionId":"c","slots":{"S":["text",12.50,false,null,{"value":500,"currency":"USD"},{"keyphrase":"K","value":"V"},{"keyphrase":null,"value":"V2"},[1],{"other":1}],"N":null,"One":"solo"}}`,
			want: Input{InteractionID: "c", Entities: []Entity{
				{Name: "One", Value: "solo"},
				{Name: "S", Value: "text"}, {Name: "S", Value: "12.50"}, {Name: "S", Value: "false"},
				{Name: "S", Value: "500"}, {Name: "S", Value: "K"}, {Name: "S", Value: "V2"}, {Name: "S"}, {Name: "S"},
			}},
		},
		{
			name: "unknown fields and surrounding space",
			body: "\n  {\"cxoneInteractionId\":\"c\",\"extra\":{\"deep\":[1,2]}}  \n",
			want: Input{InteractionID: "c"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWebhook([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseWebhook:\n got  %+v\n want %+v", got, tt.want)
			}
		})
	}
}

func TestParseWebhookErrors(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantField string
		want      string
	}{
		{"empty body", ``, "", "body must be a JSON object"},
		{"list body", `[{"cxoneInteractionId":"c"}]`, "", "body must be a JSON object"},
		{"malformed JSON", `{"cxoneInteractionId": c}`, "", "malformed JSON"},
		{"data after object", `{"cxoneInteractionId":"c"} {}`, "", "data after the top-level object"},
		{"missing id", `{"intent":"A"}`, "cxoneInteractionId",
			`field "cxoneInteractionId" is missing; send the CXone interaction id as a string in "cxoneInteractionId" or "data.contactId"`},
		{"contactId not a string", `{"data":{"contactId":584930121}}`, "data.contactId",
			`field "data.contactId" must be a string, got the number 584930121; send a number such as 12345 as "12345"`},
		{"id with a dot", `{"cxoneInteractionId":"a.b"}`, "cxoneInteractionId", `value "a.b" is invalid; it must match`},
		{"contactId empty", `{"data":{"contactId":""}}`, "data.contactId", `value "" is invalid`},
		{"intent number", `{"cxoneInteractionId":"c","intent":42}`, "intent", "must be a string or null, got the number 42"},
		{"intent list", `{"cxoneInteractionId":"c","intent":["A"]}`, "intent", "got a list"},
		{"intent name number", `{"cxoneInteractionId":"c","intent":{"name":7}}`, "intent.name", "must be a string or null"},
		{"intentScore above 1", `{"cxoneInteractionId":"c","intent":"A","intentScore":1.5}`, "intentScore", "must be a number from 0 to 1, got 1.5"},
		{"intentScore text", `{"cxoneInteractionId":"c","intentScore":"0.9"}`, "intentScore", `got the string "0.9"`},
		{"confidence negative", `{"cxoneInteractionId":"c","intent":{"name":"A","confidence":-0.1}}`, "intent.confidence", "from 0 to 1"},
		{"sessionId number", `{"cxoneInteractionId":"c","sessionId":1}`, "sessionId", "must be a string"},
		{"channel object", `{"cxoneInteractionId":"c","channel":{}}`, "channel", "got an object"},
		{"entities object", `{"cxoneInteractionId":"c","entities":{"name":"A"}}`, "entities", "must be a list"},
		{"entity not object", `{"cxoneInteractionId":"c","entities":["A"]}`, "entities[0]", "must be an object"},
		{"entity without name", `{"cxoneInteractionId":"c","entities":[{"name":"A"},{"value":"x"}]}`, "entities[1].name", "is missing or empty"},
		{"entity name number", `{"cxoneInteractionId":"c","entities":[{"name":1}]}`, "entities[0].name", "must be a string"},
		{"entity value object", `{"cxoneInteractionId":"c","entities":[{"name":"A","value":{"x":1}}]}`, "entities[0].value", "string, number or boolean"},
		{"entity confidence text", `{"cxoneInteractionId":"c","entities":[{"name":"A","confidence":"high"}]}`, "entities[0].confidence", "from 0 to 1"},
		{"slots list", `{"cxoneInteractionId":"c","slots":["A"]}`, "slots", "must be an object keyed by slot name, got a list"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ParseWebhook([]byte(tt.body))
			if err == nil {
				t.Fatalf("ParseWebhook succeeded with %+v, want error containing %q", in, tt.want)
			}

			var fieldErr *FieldError
			if !errors.As(err, &fieldErr) {
				t.Fatalf("error %v (%T) is not a *FieldError", err, err)
			}
			if !errors.Is(err, ErrInvalidPayload) {
				t.Errorf("error %v does not wrap ErrInvalidPayload", err)
			}
			if fieldErr.Field != tt.wantField {
				t.Errorf("Field = %q, want %q", fieldErr.Field, tt.wantField)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n %s\nwant it to contain:\n %s", err, tt.want)
			}
		})
	}
}

func TestInputFormatCustomPaths(t *testing.T) {
	format := InputFormat{
		InteractionID: []string{"routing.ids[1]"},
		Intent:        []string{"nlu.top.intent"},
		Confidence:    []string{"nlu.top.score"},
		Slots:         []string{"nlu.slots"},
	}
	body := `{
		"sessionId": "ignored, because SessionID lists no path",
		"routing": {"ids": ["chat-1", "contact-2"]},
		"nlu": {"top": {"intent": "TransferToSupport", "score": 0.66}, "slots": {"Tier": [{"keyphrase": "Gold"}]}},
		"entities": [{"name": "ignored", "value": "x"}]
	}`

	got, err := format.Parse([]byte(body))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := Input{InteractionID: "contact-2", Intent: "TransferToSupport", Confidence: 0.66, Entities: []Entity{{Name: "Tier", Value: "Gold"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse:\n got  %+v\n want %+v", got, want)
	}
}

func TestInputFormatIndexOutOfRange(t *testing.T) {
	format := DefaultInputFormat()
	format.InteractionID = []string{"ids[2]", "ids[0]"}

	got, err := format.Parse([]byte(`{"ids":["a","b"]}`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got.InteractionID != "a" {
		t.Errorf("InteractionID = %q, want a", got.InteractionID)
	}
}

func TestInputFormatValidate(t *testing.T) {
	if err := DefaultInputFormat().Validate(); err != nil {
		t.Fatalf("DefaultInputFormat().Validate() = %v", err)
	}

	tests := []struct {
		name   string
		change func(*InputFormat)
		want   string
	}{
		{"no interaction id path", func(f *InputFormat) { f.InteractionID = nil }, "InteractionID lists no path"},
		{"empty path", func(f *InputFormat) { f.Intent = []string{"intent.name", ""} }, `Intent[1] "" is invalid: the path is empty`},
		{"double dot", func(f *InputFormat) { f.InteractionID = []string{"data..contactId"} }, `InteractionID[0] "data..contactId" is invalid: key 2 is empty`},
		{"trailing dot", func(f *InputFormat) { f.Slots = []string{"slots."} }, `key 2 is empty`},
		{"leading index", func(f *InputFormat) { f.Entities = []string{"[0].name"} }, `key 1 is empty`},
		{"unclosed index", func(f *InputFormat) { f.Confidence = []string{"scores[0"} }, `the list index "[0" is not closed`},
		{"negative index", func(f *InputFormat) { f.Confidence = []string{"scores[-1]"} }, `the list index "[-1]" is not a whole number >= 0`},
		{"text index", func(f *InputFormat) { f.Confidence = []string{"scores[x]"} }, `"[x]" is not a whole number`},
		{"text after index", func(f *InputFormat) { f.BotID = []string{"bots[0]id"} }, `"id" follows a list index`},
		{"stray bracket", func(f *InputFormat) { f.UserID = []string{"user]"} }, `key "user]" contains "]"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format := DefaultInputFormat()
			tt.change(&format)

			err := format.Validate()
			if !errors.Is(err, ErrInvalidInputFormat) {
				t.Fatalf("Validate() = %v, want ErrInvalidInputFormat", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %q, want it to contain %q", err, tt.want)
			}

			_, parseErr := format.Parse([]byte(`{"cxoneInteractionId":"c"}`))
			if !errors.Is(parseErr, ErrInvalidInputFormat) {
				t.Errorf("Parse with an invalid format = %v, want ErrInvalidInputFormat", parseErr)
			}
		})
	}
}

func TestParsePathSteps(t *testing.T) {
	p, err := parsePath("slots.ProductInterest[0][12].keyphrase")
	if err != nil {
		t.Fatalf("parsePath: %v", err)
	}
	want := []pathStep{{key: "slots"}, {key: "ProductInterest"}, {index: 0, isIndex: true}, {index: 12, isIndex: true}, {key: "keyphrase"}}
	if !reflect.DeepEqual(p.steps, want) {
		t.Errorf("steps = %+v, want %+v", p.steps, want)
	}
}

// Cognigy's intentScore reaches minConfidence, so a low score falls through
// to the next rule.
func TestCognigyScoreMeetsMinConfidence(t *testing.T) {
	r := mustParse(t, `
rules:
  - name: sure-sales
    when: {intent: TransferToSales, minConfidence: 0.8, entities: {ProductInterest: PremiumPackage}}
    wrapUpCode: Sales Transfer
    priority: 1
    skill: Sales-Premium
  - name: unsure
    when: {intent: TransferToSales}
    wrapUpCode: Sales Transfer
    priority: 2
    skill: Sales-Triage
`)

	tests := []struct {
		score string
		want  string
	}{
		{"0.87", "sure-sales"},
		{"0.8", "sure-sales"},
		{"0.79", "unsure"},
		{"null", "unsure"},
	}
	for _, tt := range tests {
		body := strings.Replace(cognigyChat, `"intentScore": 0.87`, `"intentScore": `+tt.score, 1)
		in, err := ParseWebhook([]byte(body))
		if err != nil {
			t.Fatalf("ParseWebhook(intentScore %s): %v", tt.score, err)
		}
		d, err := r.Decide(in)
		if err != nil {
			t.Fatalf("Decide(intentScore %s): %v", tt.score, err)
		}
		if d.Rule != tt.want {
			t.Errorf("intentScore %s: Rule = %q, want %q", tt.score, d.Rule, tt.want)
		}
	}
}

func TestCognigyChatWithDefaultRules(t *testing.T) {
	in, err := ParseWebhook([]byte(cognigyChat))
	if err != nil {
		t.Fatalf("ParseWebhook: %v", err)
	}

	got, err := Default().Decide(in)
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	want := Decision{Rule: "sales-premium", WrapUpCode: "Sales Transfer", Priority: 1, Skill: "Sales-Premium",
		Fields: map[string]string{"customField": "Interest: PremiumPackage"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Decide:\n got  %+v\n want %+v", got, want)
	}
}
