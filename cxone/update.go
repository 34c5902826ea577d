package cxone

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Update is the change that UpdateInteraction applies to an interaction.
// Client encodes WrapUpCode and RoutingData as the body of
// PATCH /api/v2/interactions/{interactionId}. InContactClient performs
// Actions with values taken from all fields.
type Update struct {
	// WrapUpCode is the CXone wrap-up code, such as "Sales Transfer".
	WrapUpCode string `json:"wrapUpCode"`

	// RoutingData is the routing information for the interaction.
	RoutingData RoutingData `json:"routingData"`

	// Actions lists what InContactClient does, in order: ActionSignal and
	// ActionDisposition. Empty means ActionSignal only. Client ignores it.
	Actions []string `json:"-"`

	// Disposition is the disposition that ActionDisposition sets. Client
	// ignores it.
	Disposition *Disposition `json:"-"`
}

// Actions of InContactClient.
const (
	// ActionSignal signals the running Studio script of the contact, which
	// receives the signal parameters as SP1 to SP9 in its OnSignal event.
	ActionSignal = "signal"

	// ActionDisposition sets the disposition of the contact.
	ActionDisposition = "disposition"
)

// Disposition is a CXone disposition to set on a contact.
type Disposition struct {
	// ID is the CXone disposition id, sent as dispositionCode. It must be
	// positive.
	ID int

	// Notes is free text stored with the disposition. Empty sends no notes.
	Notes string
}

// RoutingData is the routingData object of an Update. It encodes as one
// flat JSON object: priority and skill first, then Fields sorted by name,
// for example {"priority":1,"skill":"Sales-Premium","customField":"Interest: PremiumPackage"}.
// Priority and Skill are always sent, even when zero or empty.
type RoutingData struct {
	// Priority is the routing priority; 1 is the most urgent.
	Priority int

	// Skill is the CXone skill to route to, such as "Sales-Premium".
	Skill string

	// Fields are further routingData members, such as "customField". A
	// name that equals "priority" or "skill" in any letter case, or an
	// empty name, is rejected by MarshalJSON, so Fields can never override
	// Priority or Skill.
	Fields map[string]string
}

// MarshalJSON encodes r as a flat JSON object. It returns an error for a
// reserved or empty field name in Fields.
func (r RoutingData) MarshalJSON() ([]byte, error) {
	names := make([]string, 0, len(r.Fields))
	for name := range r.Fields {
		if err := checkFieldName(name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	slices.Sort(names)

	var buf bytes.Buffer
	buf.WriteString(`{"priority":`)
	buf.WriteString(strconv.Itoa(r.Priority))
	buf.WriteString(`,"skill":`)
	if err := writeJSONString(&buf, r.Skill); err != nil {
		return nil, err
	}

	for _, name := range names {
		buf.WriteByte(',')
		if err := writeJSONString(&buf, name); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := writeJSONString(&buf, r.Fields[name]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func checkFieldName(name string) error {
	switch strings.ToLower(name) {
	case "":
		return fmt.Errorf("cxone: RoutingData.Fields has an empty field name; give every field a name")
	case "priority", "skill":
		return fmt.Errorf("cxone: RoutingData.Fields contains reserved name %q; set RoutingData.Priority or RoutingData.Skill instead", name)
	}
	return nil
}

func writeJSONString(buf *bytes.Buffer, s string) error {
	encoded, err := json.Marshal(s)
	if err != nil {
		return err
	}
	buf.Write(encoded)
	return nil
}
