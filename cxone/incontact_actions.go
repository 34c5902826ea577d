package cxone

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// plannedAction is one inContact API request of an UpdateInteraction call.
type plannedAction struct {
	name        string // ActionSignal or ActionDisposition
	op          string // Error.Op when it fails
	path        string // after /inContactAPI/services/{version}, query included
	body        []byte // nil sends no body
	contentType string
}

// setDispositionBody is the body of POST contacts/{contactId}/set-disposition.
type setDispositionBody struct {
	DispositionInfo dispositionInfo `json:"dispositionInfo"`
}

type dispositionInfo struct {
	Skill           string `json:"skill"`
	DispositionCode string `json:"dispositionCode"`
	Notes           string `json:"notes,omitempty"`
}

// plan checks u and returns the requests of its actions, in order.
func (c *InContactClient) plan(contactID string, u Update) ([]plannedAction, error) {
	names := u.Actions
	if len(names) == 0 {
		names = []string{ActionSignal}
	}

	actions := make([]plannedAction, 0, len(names))
	for _, name := range names {
		switch name {
		case ActionSignal:
			actions = append(actions, c.signalAction(contactID, u))
		case ActionDisposition:
			act, err := dispositionAction(contactID, u)
			if err != nil {
				return nil, err
			}
			actions = append(actions, act)
		default:
			return nil, fmt.Errorf("unknown action %q; use %q or %q", name, ActionSignal, ActionDisposition)
		}
	}
	return actions, nil
}

// signalAction returns the signal request: the values named by
// SignalParams as p1, p2 and so on, every one sent even when empty.
func (c *InContactClient) signalAction(contactID string, u Update) plannedAction {
	query := url.Values{}
	for i, name := range c.cfg.SignalParams {
		query.Set("p"+strconv.Itoa(i+1), signalValue(name, u))
	}
	return plannedAction{
		name: ActionSignal,
		op:   "signal",
		path: "/interactions/" + url.PathEscape(contactID) + "/signal?" + query.Encode(),
	}
}

// signalValue returns the value of u that a SignalParams name selects.
func signalValue(name string, u Update) string {
	switch name {
	case SignalParamSkill:
		return u.RoutingData.Skill
	case SignalParamPriority:
		return strconv.Itoa(u.RoutingData.Priority)
	case SignalParamWrapUpCode:
		return u.WrapUpCode
	}
	return u.RoutingData.Fields[name]
}

// dispositionAction returns the set-disposition request.
//
// NOTE: the documented body has skill and dispositionCode as strings. This
// package sends RoutingData.Skill as it is, so rules that set dispositions
// for a real tenant must name the skill as CXone expects it there.
func dispositionAction(contactID string, u Update) (plannedAction, error) {
	switch {
	case u.Disposition == nil:
		return plannedAction{}, errors.New("action \"disposition\" needs Update.Disposition; set a disposition id in the rule")
	case u.Disposition.ID <= 0:
		return plannedAction{}, fmt.Errorf("disposition id %d is not positive; set the CXone disposition id in the rule", u.Disposition.ID)
	case u.RoutingData.Skill == "":
		return plannedAction{}, errors.New("action \"disposition\" needs a skill, which set-disposition requires; set one in the rule")
	}

	body, err := json.Marshal(setDispositionBody{DispositionInfo: dispositionInfo{
		Skill:           u.RoutingData.Skill,
		DispositionCode: strconv.Itoa(u.Disposition.ID),
		Notes:           u.Disposition.Notes,
	}})
	if err != nil {
		return plannedAction{}, err
	}
	return plannedAction{
		name:        ActionDisposition,
		op:          "set-disposition",
		path:        "/contacts/" + url.PathEscape(contactID) + "/set-disposition",
		body:        body,
		contentType: "application/json",
	}, nil
}
