package mapping_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/cxrouter/router/mapping"
)

func FuzzParseWebhook(f *testing.F) {
	for _, seed := range []string{
		`{"sessionId":"12345678-1234-1234-1234-123456789012","userId":"user_abc123","botId":"bot_xyz789","intent":{"name":"TransferToSales","confidence":0.95},"entities":[{"name":"ProductInterest","value":"PremiumPackage","confidence":0.98}],"cxoneInteractionId":"interaction-uuid-from-previous-step"}`,
		`{"cxoneInteractionId":"abc","intent":"TransferToSupport","entities":[{"name":"n","value":3},{"name":"b","value":true}]}`,
		`{"intent":"TransferToSales","intentScore":0.7,"slots":{"ProductInterest":[{"keyphrase":"premium"}]},"data":{"contactId":"12345"},"channel":"webchat"}`,
		`{"cxoneInteractionId":"a","cxoneInteractionId":"b"}`,
		`{"cxoneInteractionId":12345}`,
		`{"cxoneInteractionId":"../x"}`,
		`{"cxoneInteractionId":"a","intent":{"name":"x","confidence":2}}`,
		`{"cxoneInteractionId":"a","entities":"x"}`,
		`[{"cxoneInteractionId":"a"}]`,
		`{"cxoneInteractionId":"a"} {}`,
		"{\"cxoneInteractionId\":\"a\",\"intent\":\"\xff\"}",
		`{"cxoneInteractionId":"a","data":[[[[[[[[[[]]]]]]]]]]}`,
		``,
	} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := mapping.ParseWebhook(body)
		if err != nil {
			var fieldErr *mapping.FieldError
			if !errors.As(err, &fieldErr) || !errors.Is(err, mapping.ErrInvalidPayload) {
				t.Fatalf("error %v (%T) is not a *FieldError wrapping ErrInvalidPayload", err, err)
			}
			return
		}

		if !mapping.InteractionIDPattern.MatchString(in.InteractionID) {
			t.Fatalf("accepted interaction id %q does not match %s", in.InteractionID, mapping.InteractionIDPattern)
		}
		again, err := mapping.ParseWebhook(body)
		if err != nil || !reflect.DeepEqual(in, again) {
			t.Fatalf("second parse of the same body = %+v, %v; first %+v", again, err, in)
		}
	})
}
