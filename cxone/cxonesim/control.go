package cxonesim

import (
	"encoding/json"
	"net/http"
)

func (s *Sim) serveGetInteraction(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	st, ok := s.Interaction(id)
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "interaction "+id+" was neither registered nor updated")
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Sim) servePutInteraction(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.AddInteraction(id)
	st, _ := s.Interaction(id)
	writeJSON(w, http.StatusOK, st)
}

func (s *Sim) serveStats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Stats())
}

func (s *Sim) serveRequests(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Requests())
}

func (s *Sim) serveFaults(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&f); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "fault must be a JSON object such as {\"status\":429,\"retryAfter\":\"2\",\"count\":1}: "+err.Error())
		return
	}
	if err := s.InjectFault(f); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if f.Count == 0 {
		f.Count = 1
	}
	writeJSON(w, http.StatusCreated, f)
}

func (s *Sim) serveRevoke(w http.ResponseWriter, _ *http.Request) {
	s.RevokeTokens()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sim) serveReset(w http.ResponseWriter, _ *http.Request) {
	s.Reset()
	w.WriteHeader(http.StatusNoContent)
}
