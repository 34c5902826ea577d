package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/cxrouter/router/cxone"
	"github.com/cxrouter/router/mapping"
	"github.com/cxrouter/router/queue"
)

// stdin is the source of the webhook payload for `router mapping test`.
// Tests replace it.
var stdin io.Reader = os.Stdin

// maxPayloadBytes is the largest payload `router mapping test` reads, the
// same as the default body limit of ingest.
const maxPayloadBytes = 1 << 20

// inputPathVars are the environment variables that set the JSON paths of
// mapping.InputFormat, each a comma-separated list tried in order.
var inputPathVars = []struct {
	name  string
	field func(*mapping.InputFormat) *[]string
}{
	{"ROUTER_INTERACTION_ID_PATHS", func(f *mapping.InputFormat) *[]string { return &f.InteractionID }},
	{"ROUTER_INTENT_PATHS", func(f *mapping.InputFormat) *[]string { return &f.Intent }},
	{"ROUTER_CONFIDENCE_PATHS", func(f *mapping.InputFormat) *[]string { return &f.Confidence }},
	{"ROUTER_ENTITIES_PATHS", func(f *mapping.InputFormat) *[]string { return &f.Entities }},
	{"ROUTER_SLOTS_PATHS", func(f *mapping.InputFormat) *[]string { return &f.Slots }},
}

// inputFormatFromEnv returns mapping.DefaultInputFormat with the paths
// that the ROUTER_*_PATHS variables set, such as
// ROUTER_INTERACTION_ID_PATHS=cxoneInteractionId,data.contactId. An invalid
// path is recorded in e, naming the variable.
func inputFormatFromEnv(e *env) mapping.InputFormat {
	format := mapping.DefaultInputFormat()
	for _, v := range inputPathVars {
		value := e.str(v.name, "")
		if value == "" {
			continue
		}

		paths := strings.Split(value, ",")
		for i := range paths {
			paths[i] = strings.TrimSpace(paths[i])
		}
		*v.field(&format) = paths
		if err := format.Validate(); err != nil {
			e.fail(fmt.Errorf("%s=%q is invalid: %w", v.name, value, err))
			return mapping.DefaultInputFormat()
		}
	}
	return format
}

func printMappingUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  router mapping check [FILE]     validate a rules file
  router mapping test [FILE]      read a webhook payload on stdin and print the
                                  rule it matches and the CXone request it gives

FILE is a YAML rules file. Without FILE, both use ROUTER_MAPPING_FILE when it
is set, else the built-in rules, as the worker does.

check prints "FILE: N rules OK (names)" and exits 0, or prints FILE:LINE: and
the problem and exits 1.

test sends nothing. It prints the request of the interactions-v2 CXone
profile, PATCH /api/v2/interactions/{id} with its JSON body, and the rule's
actions and disposition, which only the incontact profile uses. It exits 1
when the payload is invalid or no rule matches; the worker dead-letters such
a message. It reads the payload with the JSON paths set by:
`)
	defaults := mapping.DefaultInputFormat()
	for _, v := range inputPathVars {
		fmt.Fprintf(w, "  %-29s default %s\n", v.name, strings.Join(*v.field(&defaults), ","))
	}
	fmt.Fprint(w, `
Example:
  router mapping test rules.yaml < payload.json
`)
}

// runMapping runs `router mapping check` and `router mapping test`.
func runMapping(_ context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("mapping", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { printMappingUsage(stderr) }
	if err := parseFlags(flags, args, 3); err != nil {
		return err
	}

	sub, rest := flags.Arg(0), flags.Args()
	if len(rest) > 0 {
		rest = rest[1:]
	}
	if sub != "check" && sub != "test" {
		printMappingUsage(stderr)
		if sub == "" {
			return fmt.Errorf("%w: mapping needs a subcommand, check or test", errUsage)
		}
		return fmt.Errorf("%w: unknown mapping subcommand %q; use check or test", errUsage, sub)
	}
	if len(rest) > 1 {
		return fmt.Errorf("%w: mapping %s takes at most one rules file, got %d arguments", errUsage, sub, len(rest))
	}
	if len(rest) == 1 && rest[0] == "-" {
		return fmt.Errorf(`%w: mapping %s does not read rules from stdin; give a file name, or no FILE for ROUTER_MAPPING_FILE or the built-in rules`, errUsage, sub)
	}

	e := newEnv()
	path := e.str("ROUTER_MAPPING_FILE", "")
	if len(rest) == 1 {
		path = rest[0]
	}
	format := inputFormatFromEnv(e)
	if e.err != nil {
		return e.err
	}

	rules, name, err := loadRulesFile(path)
	if err != nil {
		return err
	}
	if sub == "check" {
		fmt.Fprintf(stdout, "%s: %s OK (%s)\n", name, plural(rules.Len(), "rule"), strings.Join(rules.Names(), ", "))
		return nil
	}
	return mappingTest(rules, name, format, stdout)
}

// loadRulesFile loads the rules at path, or the built-in rules for "", and
// returns them with the name to print.
func loadRulesFile(path string) (*mapping.Rules, string, error) {
	if path == "" {
		return mapping.Default(), "built-in rules", nil
	}
	rules, err := mapping.LoadFile(path)
	if err != nil {
		return nil, "", err
	}
	return rules, path, nil
}

// mappingTest reads one payload from stdin and prints what the worker
// would do with it.
func mappingTest(rules *mapping.Rules, rulesName string, format mapping.InputFormat, stdout io.Writer) error {
	body, err := io.ReadAll(io.LimitReader(stdin, maxPayloadBytes+1))
	if err != nil {
		return fmt.Errorf("read the payload from stdin: %w", err)
	}
	if len(body) > maxPayloadBytes {
		return fmt.Errorf("the payload on stdin is over %d bytes, the webhook body limit", maxPayloadBytes)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("stdin is empty; pipe a webhook payload in, as in: router mapping test rules.yaml < payload.json")
	}

	in, err := format.Parse(body)
	if err != nil {
		return fmt.Errorf("%w; ingest responds 400, and the worker dead-letters a stored message with reason %s", err, queue.ReasonInvalidPayload)
	}
	printInput(stdout, rulesName, in)

	decision, err := rules.Decide(in)
	if err != nil {
		return fmt.Errorf("%w; the worker dead-letters such a message with reason %s", err, queue.ReasonNoRule)
	}
	return printDecision(stdout, in, decision)
}

func printInput(w io.Writer, rulesName string, in mapping.Input) {
	fmt.Fprintf(w, "rules:       %s\n", rulesName)
	fmt.Fprintf(w, "interaction: %s\n", in.InteractionID)
	if in.Intent == "" {
		fmt.Fprintf(w, "intent:      none (confidence %g)\n", in.Confidence)
	} else {
		fmt.Fprintf(w, "intent:      %s (confidence %g)\n", in.Intent, in.Confidence)
	}

	entities := make([]string, len(in.Entities))
	for i, e := range in.Entities {
		entities[i] = e.Name + "=" + strconv.Quote(e.Value)
	}
	if len(entities) == 0 {
		entities = []string{"none"}
	}
	fmt.Fprintf(w, "entities:    %s\n", strings.Join(entities, ", "))
}

// printDecision prints the matched rule and the request the interactions-v2
// profile sends, with the body marshalled as the cxone package sends it.
func printDecision(w io.Writer, in mapping.Input, d mapping.Decision) error {
	fmt.Fprintf(w, "rule:        %s\n", d.Rule)
	if len(d.Actions) > 0 {
		fmt.Fprintf(w, "actions:     %s (incontact profile only)\n", strings.Join(d.Actions, ", "))
	}
	if d.Disposition != nil {
		fmt.Fprintf(w, "disposition: id %d, notes %q (incontact profile only)\n", d.Disposition.ID, d.Disposition.Notes)
	}

	body, err := json.Marshal(cxone.Update{
		WrapUpCode: d.WrapUpCode,
		RoutingData: cxone.RoutingData{
			Priority: d.Priority,
			Skill:    d.Skill,
			Fields:   d.Fields,
		},
	})
	if err != nil {
		return fmt.Errorf("encode the CXone request body: %w", err)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "PATCH /api/v2/interactions/%s\n", url.PathEscape(in.InteractionID))
	fmt.Fprintf(w, "%s\n", body)
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
