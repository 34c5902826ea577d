package cxonesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Endpoints that a Fault can target.
const (
	// EndpointInteraction is the default target: PATCH, signal and
	// set-disposition requests.
	EndpointInteraction = "interaction"

	// EndpointToken is both token endpoints.
	EndpointToken = "token"

	// EndpointDiscovery is both /.well-known discovery endpoints.
	EndpointDiscovery = "discovery"
)

// Fault is a scripted fault for the next Count requests that match Endpoint
// and InteractionID. Scripted faults apply before random ones, oldest
// first.
type Fault struct {
	// Endpoint is the target: EndpointInteraction (the default when
	// empty), EndpointToken or EndpointDiscovery.
	Endpoint string

	// InteractionID limits an interaction fault to one interaction or
	// contact. Empty matches any.
	InteractionID string

	// Status is the HTTP status of the response, from 400 to 599. With 0 the
	// request is processed normally after Latency, unless Drop is set.
	Status int

	// RetryAfter is the Retry-After header value sent with Status. Empty
	// sends no header.
	RetryAfter string

	// Count is how many matching requests the fault applies to. Default 1.
	Count int

	// Drop closes the connection without a response.
	Drop bool

	// Latency delays the response, on top of Config.Latency.
	Latency time.Duration
}

// faultJSON is the wire form of Fault, with Latency as a Go duration
// string such as "3s".
type faultJSON struct {
	Endpoint      string `json:"endpoint,omitempty"`
	InteractionID string `json:"interactionId"`
	Status        int    `json:"status"`
	RetryAfter    string `json:"retryAfter"`
	Count         int    `json:"count"`
	Drop          bool   `json:"drop"`
	Latency       string `json:"latency"`
}

// MarshalJSON encodes f with Latency as a duration string.
func (f Fault) MarshalJSON() ([]byte, error) {
	w := faultJSON{
		Endpoint:      f.Endpoint,
		InteractionID: f.InteractionID,
		Status:        f.Status,
		RetryAfter:    f.RetryAfter,
		Count:         f.Count,
		Drop:          f.Drop,
	}
	if f.Latency != 0 {
		w.Latency = f.Latency.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes f, parsing Latency with time.ParseDuration. It
// rejects unknown members, so that a misspelled one is not ignored.
func (f *Fault) UnmarshalJSON(data []byte) error {
	var w faultJSON
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&w); err != nil {
		return err
	}
	var latency time.Duration
	if w.Latency != "" {
		d, err := time.ParseDuration(w.Latency)
		if err != nil {
			return fmt.Errorf("latency %q is not a duration such as \"3s\": %w", w.Latency, err)
		}
		latency = d
	}
	*f = Fault{
		Endpoint:      w.Endpoint,
		InteractionID: w.InteractionID,
		Status:        w.Status,
		RetryAfter:    w.RetryAfter,
		Count:         w.Count,
		Drop:          w.Drop,
		Latency:       latency,
	}
	return nil
}

// Validate returns an error naming the first invalid field.
func (f Fault) Validate() error {
	switch f.Endpoint {
	case "", EndpointInteraction:
	case EndpointToken, EndpointDiscovery:
		if f.InteractionID != "" {
			return fmt.Errorf("cxonesim: a %s fault cannot have an interaction id", f.Endpoint)
		}
	default:
		return fmt.Errorf("cxonesim: fault endpoint %q must be %q, %q or %q", f.Endpoint, EndpointInteraction, EndpointToken, EndpointDiscovery)
	}
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		return fmt.Errorf("cxonesim: fault status %d must be from 400 to 599, or 0", f.Status)
	}
	if f.Status != 0 && f.Drop {
		return fmt.Errorf("cxonesim: a fault sets either status or drop, not both")
	}
	if f.Count < 0 {
		return fmt.Errorf("cxonesim: fault count %d is negative", f.Count)
	}
	if f.Latency < 0 {
		return fmt.Errorf("cxonesim: fault latency %v is negative", f.Latency)
	}
	if f.Status == 0 && !f.Drop && f.Latency == 0 {
		return fmt.Errorf("cxonesim: a fault needs a status, drop or latency")
	}
	return nil
}

// InjectFault queues f for the next f.Count matching requests.
func (s *Sim) InjectFault(f Fault) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Endpoint == "" {
		f.Endpoint = EndpointInteraction
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
	return nil
}

// nextFault takes one use of the first scripted fault matching endpoint
// and id, or else, for interaction requests only, draws a random fault. ok
// is false when the request goes through unharmed.
func (s *Sim) nextFault(endpoint, id string) (f Fault, source string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	for i := range s.faults {
		scripted := &s.faults[i]
		if scripted.Endpoint != endpoint || (scripted.InteractionID != "" && scripted.InteractionID != id) {
			continue
		}
		f = *scripted
		scripted.Count--
		if scripted.Count == 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return f, "scripted", true
	}

	if endpoint != EndpointInteraction {
		return Fault{}, "", false
	}
	draw := s.rng.Float64()
	switch {
	case draw < s.cfg.DropRate:
		return Fault{Drop: true}, "random", true
	case draw < s.cfg.DropRate+s.cfg.Rate429:
		f = Fault{Status: http.StatusTooManyRequests}
		if s.cfg.RetryAfter != "none" {
			f.RetryAfter = s.cfg.RetryAfter
		}
		return f, "random", true
	case draw < s.cfg.DropRate+s.cfg.Rate429+s.cfg.Rate5xx:
		status := http.StatusInternalServerError
		if s.rng.IntN(2) == 1 {
			status = http.StatusServiceUnavailable
		}
		return Fault{Status: status}, "random", true
	}
	return Fault{}, "", false
}

// writeFault sends a response with f.Status.
func writeFault(w http.ResponseWriter, f Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	code := "server_error"
	switch {
	case f.Status == http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		code = "invalid_token"
	case f.Status == http.StatusTooManyRequests:
		code = "too_many_requests"
	case f.Status == http.StatusNotFound:
		code = "not_found"
	case f.Status < 500:
		code = "invalid_request"
	}
	writeError(w, f.Status, code, "injected fault")
}

// dropConnection closes the client connection without a response. It falls
// back to aborting the handler when the connection cannot be hijacked, as
// with HTTP/2.
func dropConnection(w http.ResponseWriter) {
	hijacker, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hijacker.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
