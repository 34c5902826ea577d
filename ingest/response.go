package ingest

import (
	"encoding/json"
	"net/http"
)

// Accepted is the JSON body of a 202 response.
type Accepted struct {
	MsgID     string `json:"msgId"`     // Nats-Msg-Id of the stored message
	Stream    string `json:"stream"`    // stream that stored it, ROUTING
	StreamSeq uint64 `json:"streamSeq"` // stream sequence of the stored message
	Duplicate bool   `json:"duplicate"` // true when JetStream had already stored this Nats-Msg-Id
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error  string `json:"error"`
	Field  string `json:"field,omitempty"`  // payload field at fault, as a JSON path
	Header string `json:"header,omitempty"` // request header at fault
}

// writeJSON writes v as the response body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Accepted and ErrorBody contain only strings, numbers and booleans.
		panic("ingest: encode response: " + err.Error())
	}

	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
