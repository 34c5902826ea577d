package mapping

// Decision is the routing data a rule produces for one Input.
type Decision struct {
	// Rule is the name of the rule that matched.
	Rule string

	// WrapUpCode is the CXone wrap-up code, such as "Sales Transfer".
	WrapUpCode string

	// Priority is the routing priority; 1 is the most urgent.
	Priority int

	// Skill is the CXone skill to route to, such as "Sales-Premium".
	Skill string

	// Fields are further routingData fields, such as "customField", with
	// entity values already substituted.
	Fields map[string]string

	// Actions lists what the incontact profile does, in order, from
	// ActionSignal and ActionDisposition. Empty means ActionSignal only.
	Actions []string

	// Disposition is set when Actions contains ActionDisposition.
	Disposition *Disposition
}

// Actions a rule can ask the incontact CXone profile to perform. The
// interactions-v2 profile ignores them and always sends one PATCH.
const (
	// ActionSignal signals the running Studio script with p1…p9.
	ActionSignal = "signal"

	// ActionDisposition sets the contact's disposition.
	ActionDisposition = "disposition"
)

// Disposition is the disposition the incontact profile sets on a contact.
type Disposition struct {
	// ID is the CXone disposition id.
	ID int

	// Notes is free text stored with the disposition, entity values substituted.
	Notes string
}
