// Package cxonesim simulates CXone for tests, local runs and benchmarks:
// the interactions-v2 API and the parts of the real inContact API that the
// incontact profile uses. A *Sim is an http.Handler: mount it on
// httptest.NewServer in tests, or run cmd/cxone-sim.
//
// The simulator follows the documented contract, not the client's needs.
// Tokens expire, and every API request needs a live bearer token issued
// for its API (401 with WWW-Authenticate: Bearer otherwise). Bodies are
// validated (415, 400), and in strict mode unknown interactions and
// contacts get 404.
// Faults can be injected at random with a seeded generator, or scripted for
// the next N requests.
//
// interactions-v2 endpoints:
//
//	POST  /api/v2/oauth/token          client-credentials grant
//	PATCH /api/v2/interactions/{id}    update an interaction
//
// inContact endpoints, with the sim as issuer and as API endpoint:
//
//	GET  /.well-known/openid-configuration                             token_endpoint
//	GET  /.well-known/cxone-configuration?tenantId={tenant}            api_endpoint
//	POST /auth/token                                                   password grant with an access key
//	POST /inContactAPI/services/{version}/interactions/{id}/signal     signal with p1 to p9
//	POST /inContactAPI/services/{version}/contacts/{id}/set-disposition
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
	"net/url"
	"strconv"
	"sync"
	"time"
)

// MaxRecordedRequests is how many of the latest API requests Requests keeps.
const MaxRecordedRequests = 10000

// DefaultTenantID is the default Config.TenantID.
const DefaultTenantID = "11eb0000-0000-4000-8000-00000000c10e"

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

	// Rate429 is the probability, from 0 to 1, that an interaction
	// request (PATCH, signal or set-disposition) gets 429.
	Rate429 float64

	// RetryAfter is the Retry-After header value sent with random 429
	// responses. Default "1". "none" sends no header.
	RetryAfter string

	// Rate5xx is the probability, from 0 to 1, that an interaction request
	// gets 500 or 503.
	Rate5xx float64

	// DropRate is the probability, from 0 to 1, that the connection of an
	// interaction request is closed without a response.
	DropRate float64

	// Strict makes PATCH, signal and set-disposition accept only
	// interactions registered with AddInteraction or
	// PUT /sim/interactions/{id}; others get 404.
	Strict bool

	// AccessKeyID and AccessKeySecret are the accepted username and
	// password of the password grant. When both are empty, any non-empty
	// pair is accepted.
	AccessKeyID     string
	AccessKeySecret string

	// TenantID is the tenantId claim of issued tokens, and the only tenant
	// that /.well-known/cxone-configuration accepts. Default
	// DefaultTenantID.
	TenantID string

	// APIEndpoint is the api_endpoint that /.well-known/cxone-configuration
	// returns. Default: the sim's own base URL, taken from the request.
	APIEndpoint string

	// SignalStatus is the status of a successful signal: 202 or 204.
	// Default 204.
	SignalStatus int

	// Seed seeds the generator of random faults, so that a run can be
	// repeated. 0 picks a random seed, which Sim.Seed returns.
	Seed int64
}

// Validate returns an error naming the first invalid field.
func (c Config) Validate() error {
	if (c.ClientID == "") != (c.ClientSecret == "") {
		return fmt.Errorf("cxonesim: set both ClientID and ClientSecret, or neither to accept any credentials")
	}
	if (c.AccessKeyID == "") != (c.AccessKeySecret == "") {
		return fmt.Errorf("cxonesim: set both AccessKeyID and AccessKeySecret, or neither to accept any access key")
	}
	if c.SignalStatus != 0 && c.SignalStatus != http.StatusAccepted && c.SignalStatus != http.StatusNoContent {
		return fmt.Errorf("cxonesim: SignalStatus %d must be 202 or 204, or 0 for the default 204", c.SignalStatus)
	}
	if c.APIEndpoint != "" {
		if u, err := url.Parse(c.APIEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("cxonesim: APIEndpoint %q must be an absolute http or https URL", c.APIEndpoint)
		}
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
	if c.TenantID == "" {
		c.TenantID = DefaultTenantID
	}
	if c.SignalStatus == 0 {
		c.SignalStatus = http.StatusNoContent
	}
	return c
}

// Sim is a simulated CXone API. It is safe for concurrent use.
type Sim struct {
	cfg  Config
	seed int64
	mux  *http.ServeMux

	// signingKey signs issued JWTs with HS256, so that they look real.
	// Clients cannot verify them and need not.
	signingKey []byte

	mu           sync.Mutex
	rng          *rand.Rand
	tokens       map[string]tokenGrant
	known        map[string]bool
	interactions map[string]*State
	faults       []Fault
	stats        Stats
	requests     []Request
	apiEndpoint  string // Config.APIEndpoint, changed by SetAPIEndpoint
}

// State is the stored state of one interaction or contact.
type State struct {
	InteractionID string `json:"interactionId"`

	// Count and Last are the number of PATCH updates and the last body.
	Count int             `json:"count"`
	Last  json.RawMessage `json:"last,omitempty"`

	// Signals and LastSignal are the number of signals and the parameters
	// of the last one, keyed "p1" to "p9".
	Signals    int               `json:"signals,omitempty"`
	LastSignal map[string]string `json:"lastSignal,omitempty"`

	// Dispositions and Disposition are the number of set-disposition
	// requests and the last disposition set.
	Dispositions int               `json:"dispositions,omitempty"`
	Disposition  *DispositionState `json:"disposition,omitempty"`

	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	Known     bool      `json:"known"`
}

// DispositionState is the dispositionInfo of a set-disposition request.
type DispositionState struct {
	Skill            string `json:"skill"`
	DispositionCode  string `json:"dispositionCode"`
	Notes            string `json:"notes,omitempty"`
	CallbackNumber   string `json:"callbackNumber,omitempty"`
	CallbackTime     string `json:"callbackTime,omitempty"`
	CommitmentAmount string `json:"commitmentAmount,omitempty"`
}

// Request is one recorded API request.
type Request struct {
	Kind          string    `json:"kind"` // one of the Kind constants
	Method        string    `json:"method"`
	Path          string    `json:"path"`
	InteractionID string    `json:"interactionId,omitempty"`
	Status        int       `json:"status"` // 0 when dropped
	Dropped       bool      `json:"dropped,omitempty"`
	Fault         string    `json:"fault,omitempty"` // "scripted", "random" or ""
	Received      time.Time `json:"received"`
	Answered      time.Time `json:"answered"`

	recorded bool // finish has stored the request
}

// Kinds of recorded requests.
const (
	KindToken       = "token"
	KindDiscovery   = "discovery"
	KindPatch       = "patch"
	KindSignal      = "signal"
	KindDisposition = "disposition"
)

// Stats counts API requests since the start or the last Reset. Token
// counters cover both grants.
type Stats struct {
	TokenRequests       int         `json:"tokenRequests"`
	TokensIssued        int         `json:"tokensIssued"`
	TokenByStatus       map[int]int `json:"tokenByStatus"`
	DiscoveryRequests   int         `json:"discoveryRequests"`
	PatchRequests       int         `json:"patchRequests"`
	PatchByStatus       map[int]int `json:"patchByStatus"`
	SignalRequests      int         `json:"signalRequests"`
	SignalByStatus      map[int]int `json:"signalByStatus"`
	DispositionRequests int         `json:"dispositionRequests"`
	DispositionByStatus map[int]int `json:"dispositionByStatus"`
	Dropped             int         `json:"dropped"`
	FaultsInjected      int         `json:"faultsInjected"`
	Interactions        int         `json:"interactions"`
}

// Kinds of issued tokens: each API accepts only its own.
const (
	grantInteractionsV2 = "interactions-v2"
	grantInContact      = "incontact"
)

type tokenGrant struct {
	kind    string
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
		cfg:         cfg,
		seed:        seed,
		rng:         rand.New(rand.NewPCG(uint64(seed), 0)),
		signingKey:  make([]byte, 32),
		apiEndpoint: cfg.APIEndpoint,
	}
	_, _ = cryptorand.Read(s.signingKey)
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

	mux.HandleFunc("GET /.well-known/openid-configuration", s.serveOpenIDConfiguration)
	mux.HandleFunc("GET /.well-known/cxone-configuration", s.serveCXoneConfiguration)
	mux.HandleFunc("POST /auth/token", s.servePasswordToken)
	mux.HandleFunc("POST /inContactAPI/services/{version}/interactions/{id}/signal", s.serveSignal)
	mux.HandleFunc("POST /inContactAPI/services/{version}/contacts/{id}/set-disposition", s.serveSetDisposition)

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

// Interaction returns the stored state of an interaction or contact. It
// returns false when it was neither registered nor updated.
func (s *Sim) Interaction(id string) (State, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.interactions[id]; ok {
		return st.clone(), true
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
	st.SignalByStatus = copyCounts(s.stats.SignalByStatus)
	st.DispositionByStatus = copyCounts(s.stats.DispositionByStatus)
	st.Interactions = len(s.interactions)
	return st
}

// Requests returns the recorded API requests, oldest first, up to
// MaxRecordedRequests.
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := max(len(s.requests)-MaxRecordedRequests, 0)
	return append([]Request(nil), s.requests[start:]...)
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
	s.stats = Stats{
		TokenByStatus:       map[int]int{},
		PatchByStatus:       map[int]int{},
		SignalByStatus:      map[int]int{},
		DispositionByStatus: map[int]int{},
	}
	s.requests = nil
	s.apiEndpoint = s.cfg.APIEndpoint
}

// finish stores req once, after its response. Handlers defer it.
func (s *Sim) finish(req *Request) {
	if req.recorded {
		return
	}
	req.recorded = true
	req.Answered = time.Now()
	s.record(*req)
}

// record stores a finished API request and counts it.
func (s *Sim) record(req Request) {
	s.mu.Lock()
	defer s.mu.Unlock()

	var byStatus map[int]int
	switch req.Kind {
	case KindPatch:
		s.stats.PatchRequests++
		byStatus = s.stats.PatchByStatus
	case KindSignal:
		s.stats.SignalRequests++
		byStatus = s.stats.SignalByStatus
	case KindDisposition:
		s.stats.DispositionRequests++
		byStatus = s.stats.DispositionByStatus
	case KindDiscovery:
		s.stats.DiscoveryRequests++
	default:
		s.stats.TokenRequests++
		byStatus = s.stats.TokenByStatus
	}
	switch {
	case req.Dropped:
		s.stats.Dropped++
	case byStatus != nil:
		byStatus[req.Status]++
	}
	if req.Fault != "" {
		s.stats.FaultsInjected++
	}

	// The slice grows to twice the limit before the oldest half is
	// dropped, so the copy happens once per MaxRecordedRequests requests
	// instead of on every request.
	s.requests = append(s.requests, req)
	if len(s.requests) >= 2*MaxRecordedRequests {
		s.requests = append(s.requests[:0], s.requests[len(s.requests)-MaxRecordedRequests:]...)
	}
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
