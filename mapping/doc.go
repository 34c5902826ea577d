// Package mapping turns a Cognigy webhook into CXone routing data.
//
// ParseWebhook validates a webhook body and returns an Input. A Rules value,
// loaded from YAML with Parse or LoadFile or built in with Default, maps that
// Input to a Decision: wrap-up code, priority, skill and further routingData
// fields. Everything here is a pure function except LoadFile, which reads one
// file. Nothing logs.
//
// # Rules file
//
// A rules file is one YAML document with a single top-level key, "rules",
// holding a non-empty list. Rules are tried in order and the first rule whose
// conditions all hold decides:
//
//	rules:
//	  - name: sales-premium              # required, unique
//	    when:                            # optional; absent or {} matches any input
//	      intent: TransferToSales        # one name, or a list: [TransferToSales, Buy]
//	      minConfidence: 0.6             # optional, 0 to 1
//	      entities:
//	        ProductInterest: PremiumPackage        # this value
//	        Region: [EMEA, APAC]                   # one of these values
//	        AccountId: {present: true}             # any value, even ""
//	        Escalated: {present: false}            # no such entity
//	    wrapUpCode: Sales Transfer       # required
//	    priority: 1                      # required, integer >= 1, 1 is the most urgent
//	    skill: Sales-Premium             # required
//	    fields:                          # optional routingData fields
//	      customField: "Interest: ${entity.ProductInterest:-General} via ${intent}"
//	      note: "costs $$5"              # renders as "costs $5"
//
//	  - name: general                    # no "when": matches every input
//	    wrapUpCode: General Inquiry
//	    priority: 3
//	    skill: General
//
// The file default_rules.yaml, returned by DefaultYAML, is a commented
// example of this format.
//
// # Names and matching
//
// A rule name is required, so that Decision.Rule stays the same when rules
// are reordered. It must match RuleNamePattern.
//
// Intent names, entity names and entity values are compared exactly, so
// "transfertosales" does not match TransferToSales. A rule without an
// intent condition also matches an input with no intent. Entity values are
// compared as text, exactly as written in YAML, so "Count: 5" matches the
// JSON value 5 but "Count: 5.0" does not. When the input has several
// entities with the same name, the first one counts.
//
// A rule with minConfidence does not match when Input.Confidence is below
// it, and evaluation continues with the next rule. ParseWebhook sets
// Confidence to 0 when the bot sent none, so such an input fails every
// minConfidence above 0.
//
// A rule without conditions matches every input, so Parse rejects any rule
// after it as unreachable.
//
// # Field templates
//
// Each value under "fields" is a template. Parse checks every template and
// reports unknown placeholders, unclosed braces and stray "$":
//
//	${intent}               the intent name, "" when there is none
//	${entity.NAME}          the value of entity NAME, "" when it is missing
//	${intent:-TEXT}         the intent, or TEXT when there is none
//	${entity.NAME:-TEXT}    the entity value, or TEXT when it is missing or ""
//	$$                      a literal "$"
//
// TEXT is literal up to the closing "}" and cannot contain "}" or a
// placeholder; write "$$" in it for a "$". NAME cannot contain ":", "$",
// "{", "}" or white space. The fields "priority" and "skill" are rejected,
// because the rule's own keys set them.
//
// wrapUpCode, skill and name are plain text, never templates.
//
// # Errors
//
// Every Parse error is a *RuleError with the file name, the line when known
// and the problem, such as
//
//	rules.yaml:12: rule "sales": priority must be an integer >= 1, got "high"
//
// Parse rejects invalid YAML, more than one YAML document, unknown keys and
// duplicate keys. An unknown key error suggests the closest known key. Parse
// also rejects missing or empty required keys, values of the wrong type,
// duplicate rule names, an empty rules list and invalid templates. Further
// errors are a minConfidence outside 0 to 1, an empty intent or entity name,
// an unreachable rule, and YAML aliases and merge keys, which the format does
// not support.
package mapping
