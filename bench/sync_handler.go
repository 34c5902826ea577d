package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/cxrouter/router/cxone"
	"github.com/cxrouter/router/mapping"
)

// SyncHandler is the synchronous design that ingest and the workers
// replace: within the webhook request it parses the body, decides with the
// rules, takes a token and sends the PATCH to CXone, and it responds 200
// only after CXone did, or 502 when CXone failed. Its throughput is bounded
// by connections ÷ CXone latency.
//
// It takes the token from the cxone.Client cache, one fetch per hour, so
// the comparison does not charge it a token request per webhook.
type SyncHandler struct {
	rules  *mapping.Rules
	client *cxone.Client
}

// NewSyncHandler returns a SyncHandler that applies rules and calls CXone
// with client.
func NewSyncHandler(rules *mapping.Rules, client *cxone.Client) *SyncHandler {
	return &SyncHandler{rules: rules, client: client}
}

func (h *SyncHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		_, _ = io.WriteString(w, "ok")
		return
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("reading the body failed: %w", err))
		return
	}
	in, err := mapping.ParseWebhook(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	decision, err := h.rules.Decide(in)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err)
		return
	}

	update := cxone.Update{
		WrapUpCode: decision.WrapUpCode,
		RoutingData: cxone.RoutingData{
			Priority: decision.Priority,
			Skill:    decision.Skill,
			Fields:   decision.Fields,
		},
	}
	res, err := h.client.UpdateInteraction(r.Context(), in.InteractionID, update)
	if err != nil {
		writeError(w, http.StatusBadGateway, err)
		return
	}

	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"interactionId": in.InteractionID, "cxoneStatus": res.Status})
}

func writeError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}
