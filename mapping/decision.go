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
}
