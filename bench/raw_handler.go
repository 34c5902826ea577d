package bench

import (
	"io"
	"net/http"
)

// rawResponse has the length of a typical ingest 202 body.
const rawResponse = `{"msgId":"0123456789abcdef0123456789abcdef","stream":"ROUTING","streamSeq":1,"duplicate":false}`

// RawHandler is the floor that ingest is compared against: it reads the
// request body, at most 1 MiB like ingest, and responds 202 with a body of
// the size ingest sends. It stores nothing.
func RawHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, rawResponse)
	})
	return mux
}
