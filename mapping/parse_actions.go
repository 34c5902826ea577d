package mapping

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
)

// knownActions are the values "actions" accepts, in the order messages list them.
var knownActions = []string{ActionSignal, ActionDisposition}

// actions parses the "actions" list and rejects unknown and repeated actions.
func (p *parser) actions(n *yaml.Node) ([]string, error) {
	items, err := p.sequence(n, "actions")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, p.errorf(n, "actions is an empty list; list %s, %s or both, or remove the key to signal only", ActionSignal, ActionDisposition)
	}

	actions := make([]string, 0, len(items))
	for _, item := range items {
		action, err := p.nonEmptyText(item, "actions", "actions: [signal, disposition]")
		if err != nil {
			return nil, err
		}
		if !slices.Contains(knownActions, action) {
			hint := ""
			if s := closest(action, knownActions); s != "" {
				hint = fmt.Sprintf("did you mean %q? ", s)
			}
			return nil, p.errorf(item, "actions lists %q, which is not an action; %sthe actions are %s and %s", truncate(action, 40), hint, ActionSignal, ActionDisposition)
		}
		if slices.Contains(actions, action) {
			return nil, p.errorf(item, "actions lists %q twice; remove one", action)
		}
		actions = append(actions, action)
	}
	return actions, nil
}

// disposition parses the "disposition" mapping: a required id and an
// optional notes template.
func (p *parser) disposition(n *yaml.Node) (*disposition, error) {
	entries, err := p.entries(n, "disposition")
	if err != nil {
		return nil, err
	}
	if err := p.checkKeys(entries, "disposition", "id", "notes"); err != nil {
		return nil, err
	}

	d := &disposition{}
	for _, e := range entries {
		switch e.key {
		case "id":
			d.id, err = p.positiveInt(e.value, "disposition.id")
		case "notes":
			d.notes, err = p.templateValue(e.value, "disposition.notes")
		}
		if err != nil {
			return nil, err
		}
	}
	if d.id == 0 {
		return nil, p.errorf(n, `disposition.id is missing; add the CXone disposition id, as in "disposition: {id: 5}"`)
	}
	return d, nil
}

// checkDisposition rejects a rule whose "actions" and "disposition" keys
// disagree: the disposition action needs a disposition, and a disposition
// is only used by the disposition action.
func (p *parser) checkDisposition(r rule, entries []keyValue) error {
	listed := slices.Contains(r.actions, ActionDisposition)
	switch {
	case listed && r.disposition == nil:
		at := entries[slices.IndexFunc(entries, func(e keyValue) bool { return e.key == "actions" })].value
		for _, item := range at.Content {
			if item.Value == ActionDisposition {
				at = item
			}
		}
		return p.errorf(at, `actions lists %q, but the rule has no "disposition" key; add one, as in "disposition: {id: 5}"`, ActionDisposition)
	case !listed && r.disposition != nil:
		at := entries[slices.IndexFunc(entries, func(e keyValue) bool { return e.key == "disposition" })].keyAt
		return p.errorf(at, `disposition is set, but actions does not list %q, so it would never be sent; add it, as in "actions: [signal, disposition]"`, ActionDisposition)
	}
	return nil
}
