// Package cxonesim simulates the CXone interactions-v2 API for tests, local
// runs and benchmarks. A *Sim is an http.Handler: mount it on
// httptest.NewServer in tests, or run cmd/cxone-sim.
//
// The simulator follows the documented contract, not the client's needs:
// tokens expire, every PATCH needs a live bearer token (401 with
// WWW-Authenticate: Bearer otherwise), bodies are validated (415, 400), and
// in strict mode unknown interactions get 404. Faults can be injected at
// random with a seeded generator, or scripted for the next N requests.
//
// API endpoints:
//
//	POST  /api/v2/oauth/token          client-credentials grant
//	PATCH /api/v2/interactions/{id}    update an interaction
//
// Control endpoints, mirrored by methods of Sim:
//
//	GET  /sim/interactions/{id}   stored state of one interaction, or 404
//	PUT  /sim/interactions/{id}   register a known interaction (strict mode)
//	GET  /sim/stats               request counters
//	GET  /sim/requests            recorded API requests
//	POST /sim/faults              queue a scripted Fault (JSON)
//	POST /sim/tokens/revoke       invalidate every issued token
//	POST /sim/reset               clear all state, faults and counters
package cxonesim

import (
	cryptorand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// MaxRecordedRequests is how many of the latest API requests Requests keeps.
const MaxRecordedRequests = 10000

// Config configures a Sim. The zero value is a lenient simulator with no
// faults that accepts any client credentials.
type Config struct {
	// ClientID and ClientSecret are the accepted client credentials. When
	// both are empty, any Basic credentials are accepted, but they must
	// be present.
	ClientID     string
	ClientSecret string

	// TokenTTL is the lifetime of issued tokens, sent as expires_in in
	// whole seconds. Default 3600 s.
	TokenTTL time.Duration

	// Latency delays the response to every API request.
	Latency time.Duration

	// Rate429 is the probability, from 0 to 1, that a PATCH gets 429.
	Rate429 float64

	// RetryAfter is the Retry-After header value sent with random 429
	// responses. Default "1". "none" sends no header.
	RetryAfter string

	// Rate5xx is the probability, from 0 to 1, that a PATCH gets 500 or 503.
	Rate5xx float64

	// DropRate is the probability, from 0 to 1, that a PATCH connection is
	// closed without a response.
	DropRate float64

	// Strict makes PATCH accept only interactions registered with
	// AddInteraction or PUT /sim/interactions/{id}; others get 404.
	Strict bool

	// Seed seeds the generator of random faults, so that a run can be
	// repeated. 0 picks a random seed, which Sim.Seed returns.
	Seed int64
}

// Validate returns an error naming the first invalid field.
func (c Config) Validate() error {
	if (c.ClientID == "") != (c.ClientSecret == "") {
		return fmt.Errorf("cxonesim: set both ClientID and ClientSecret, or neither to accept any credentials")
	}
	if c.TokenTTL < 0 || (c.TokenTTL > 0 && c.TokenTTL < time.Second) {
		return fmt.Errorf("cxonesim: TokenTTL %v must be at least 1s, or 0 for the default 3600s", c.TokenTTL)
	}
	if c.Latency < 0 {
		return fmt.Errorf("cxonesim: Latency %v is negative", c.Latency)
	}
	rates := []struct {
		name  string
		value float64
	}{{"Rate429", c.Rate429}, {"Rate5xx", c.Rate5xx}, {"DropRate", c.DropRate}}
	sum := 0.0
	for _, r := range rates {
		if r.value < 0 || r.value > 1 {
			return fmt.Errorf("cxonesim: %s %v must be from 0 to 1", r.name, r.value)
		}
		sum += r.value
	}
	if sum > 1 {
		return fmt.Errorf("cxonesim: Rate429 + Rate5xx + DropRate = %v exceeds 1", sum)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.TokenTTL == 0 {
		c.TokenTTL = time.Hour
	}
	if c.RetryAfter == "" {
		c.RetryAfter = "1"
	}
	return c
}

// Sim is a simulated CXone API. It is safe for concurrent use.
type Sim struct {
	cfg  Config
	seed int64
	mux  *http.ServeMux

	mu           sync.Mutex
	rng          *rand.Rand
	tokens       map[string]tokenGrant
	known        map[string]bool
	interactions map[string]*State
	faults       []Fault
	stats        Stats
	requests     []Request
}

// State is the stored state of one interaction.
type State struct {
	InteractionID string          `json:"interactionId"`
	Count         int             `json:"count"`
	Last          json.RawMessage `json:"last,omitempty"`
	UpdatedAt     time.Time       `json:"updatedAt,omitzero"`
	Known         bool            `json:"known"`
}

// Request is one recorded API request.
type Request struct {
	Method        string    `json:"method"`
	Path          string    `json:"path"`
	InteractionID string    `json:"interactionId,omitempty"`
	Status        int       `json:"status"` // 0 when dropped
	Dropped       bool      `json:"dropped,omitempty"`
	Fault         string    `json:"fault,omitempty"` // "scripted", "random" or ""
	Received      time.Time `json:"received"`
	Answered      time.Time `json:"answered"`
}

// Stats counts API requests since the start or the last Reset.
type Stats struct {
	TokenRequests  int         `json:"tokenRequests"`
	TokensIssued   int         `json:"tokensIssued"`
	TokenByStatus  map[int]int `json:"tokenByStatus"`
	PatchRequests  int         `json:"patchRequests"`
	PatchByStatus  map[int]int `json:"patchByStatus"`
	Dropped        int         `json:"dropped"`
	FaultsInjected int         `json:"faultsInjected"`
	Interactions   int         `json:"interactions"`
}

type tokenGrant struct {
	expires time.Time
	scopes  map[string]bool
}

// New returns a Sim. It applies the defaults but does not validate cfg:
// call cfg.Validate first when cfg comes from a user.
func New(cfg Config) *Sim {
	cfg = cfg.withDefaults()
	seed := cfg.Seed
	for seed == 0 {
		var b [8]byte
		_, _ = cryptorand.Read(b[:])
		seed = int64(binary.LittleEndian.Uint64(b[:]) >> 1)
	}

	s := &Sim{
		cfg:  cfg,
		seed: seed,
		rng:  rand.New(rand.NewPCG(uint64(seed), 0)),
	}
	s.resetLocked()
	s.mux = s.routes()
	return s
}

// Seed returns the seed of the random fault generator.
func (s *Sim) Seed() int64 {
	return s.seed
}

// ServeHTTP serves the API and control endpoints.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

func (s *Sim) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v2/oauth/token", s.serveToken)
	mux.HandleFunc("PATCH /api/v2/interactions/{id}", s.servePatch)

	mux.HandleFunc("GET /sim/interactions/{id}", s.serveGetInteraction)
	mux.HandleFunc("PUT /sim/interactions/{id}", s.servePutInteraction)
	mux.HandleFunc("GET /sim/stats", s.serveStats)
	mux.HandleFunc("GET /sim/requests", s.serveRequests)
	mux.HandleFunc("POST /sim/faults", s.serveFaults)
	mux.HandleFunc("POST /sim/tokens/revoke", s.serveRevoke)
	mux.HandleFunc("POST /sim/reset", s.serveReset)
	return mux
}

// AddInteraction registers a known interaction, which strict mode requires.
func (s *Sim) AddInteraction(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.known[id] = true
	if st, ok := s.interactions[id]; ok {
		st.Known = true
	}
}

// RevokeTokens invalidates every token issued so far.
func (s *Sim) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// Interaction returns the stored state of an interaction. It returns false
// when the interaction was neither registered nor updated.
func (s *Sim) Interaction(id string) (State, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.interactions[id]; ok {
		return *st, true
	}
	if s.known[id] {
		return State{InteractionID: id, Known: true}, true
	}
	return State{}, false
}

// Stats returns a copy of the counters.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.TokenByStatus = copyCounts(s.stats.TokenByStatus)
	st.PatchByStatus = copyCounts(s.stats.PatchByStatus)
	st.Interactions = len(s.interactions)
	return st
}

// Requests returns the recorded API requests, oldest first, up to
// MaxRecordedRequests.
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Reset clears interactions, tokens, faults, counters and recorded
// requests. The configuration and the random generator's state are kept.
func (s *Sim) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

func (s *Sim) resetLocked() {
	s.tokens = map[string]tokenGrant{}
	s.known = map[string]bool{}
	s.interactions = map[string]*State{}
	s.faults = nil
	s.stats = Stats{TokenByStatus: map[int]int{}, PatchByStatus: map[int]int{}}
	s.requests = nil
}

// record stores a finished API request and counts it.
func (s *Sim) record(req Request) {
	s.mu.Lock()
	defer s.mu.Unlock()

	switch {
	case req.Method == http.MethodPatch:
		s.stats.PatchRequests++
		if req.Dropped {
			s.stats.Dropped++
		} else {
			s.stats.PatchByStatus[req.Status]++
		}
	default:
		s.stats.TokenRequests++
		s.stats.TokenByStatus[req.Status]++
	}
	if req.Fault != "" {
		s.stats.FaultsInjected++
	}

	if len(s.requests) >= MaxRecordedRequests {
		s.requests = append(s.requests[:0], s.requests[1:]...)
	}
	s.requests = append(s.requests, req)
}

func copyCounts(m map[int]int) map[int]int {
	out := make(map[int]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// wait sleeps for d unless the client goes away first. It reports whether
// the full delay passed.
func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// apiError is the JSON body of an error response, in the OAuth 2.0 style.
type apiError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func writeError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, apiError{Error: code, Description: description})
}
