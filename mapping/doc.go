// Package mapping turns a Cognigy webhook into CXone routing data.
//
// ParseWebhook validates a webhook body and returns an Input. A Rules value,
// loaded from YAML with Parse or LoadFile or built in with Default, maps that
// Input to a Decision: wrap-up code, priority, skill, further routingData
// fields and, for the incontact CXone profile, actions and a disposition.
// Everything here is a pure function except LoadFile, which reads one file.
// Nothing logs.
//
// # Webhook bodies
//
// ParseWebhook reads two shapes of JSON object. The documented shape is
//
//	{"cxoneInteractionId": "c-1001", "sessionId": "s-1",
//	 "intent": {"name": "TransferToSales", "confidence": 0.93},
//	 "entities": [{"name": "ProductInterest", "value": "PremiumPackage"}]}
//
// and Cognigy's input object, as a flow posts it, is
//
//	{"sessionId": "s-1", "inputId": "i-1", "channel": "webchat3",
//	 "intent": "TransferToSales", "intentScore": 0.93,
//	 "slots": {"ProductInterest": [{"keyphrase": "PremiumPackage"}]},
//	 "data": {"contactId": "c-1001"}}
//
// Both give the same Input for rules to match. Slot values become entities
// with the slot name, one per value, after the entities of an "entities"
// list. InputFormat sets the JSON paths each field is read from.
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
//	    actions: [signal, disposition]   # optional, incontact profile only; default [signal]
//	    disposition:                     # required exactly when actions lists disposition
//	      id: 12                         # required, integer >= 1, the CXone disposition id
//	      notes: "Bot: ${intent}"        # optional template
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
// it, and evaluation continues with the next rule. ParseWebhook reads the
// confidence from intent.confidence, else from Cognigy's intentScore, and
// sets it to 0 when the bot sent neither, so such an input fails every
// minConfidence above 0.
//
// Several values of one slot, like several entities with one name, become
// several entities with the same name, and the first one counts for "when"
// and for templates.
//
// # Actions
//
// "actions" lists what the incontact CXone profile does for the rule, in
// order: "signal" signals the running Studio script, and "disposition" sets
// the contact's disposition from the "disposition" key. Without "actions"
// the profile only signals. The interactions-v2 profile ignores both keys.
// Parse rejects an unknown or repeated action, an empty list, and a rule
// where only one of "actions: [..., disposition]" and "disposition" is set.
//
// A rule without conditions matches every input, so Parse rejects any rule
// after it as unreachable.
//
// # Field templates
//
// Each value under "fields", and disposition.notes, is a template. Parse
// checks every template and reports unknown placeholders, unclosed braces
// and stray "$":
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
