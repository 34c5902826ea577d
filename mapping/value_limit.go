package mapping

import "fmt"

// MaxValueBytes bounds each text value that Parse reads: ids, the intent
// name and each entity's name and value. Those values end up in CXone
// routing data and in logs, where a megabyte-long value does harm and no
// real bot sends one.
const MaxValueBytes = 4096

// checkValueLengths returns a *FieldError for the first value of in that is
// longer than MaxValueBytes.
func checkValueLengths(in Input) error {
	for _, v := range []struct{ field, value string }{
		{"sessionId", in.SessionID},
		{"inputId", in.InputID},
		{"userId", in.UserID},
		{"botId", in.BotID},
		{"channel", in.Channel},
		{"intent", in.Intent},
	} {
		if err := checkValueLength(v.field, v.value); err != nil {
			return err
		}
	}

	for _, e := range in.Entities {
		if err := checkValueLength(fmt.Sprintf("entity %q name", truncate(e.Name, 32)), e.Name); err != nil {
			return err
		}
		if err := checkValueLength(fmt.Sprintf("entity %q value", truncate(e.Name, 32)), e.Value); err != nil {
			return err
		}
	}
	return nil
}

func checkValueLength(field, value string) error {
	if len(value) <= MaxValueBytes {
		return nil
	}
	return &FieldError{Field: field, Problem: fmt.Sprintf("is %d bytes long; the limit is %d bytes", len(value), MaxValueBytes)}
}
