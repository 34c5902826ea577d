package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cxrouter/router/mapping"
)

// cognigyChatPayload is what a Cognigy flow posts for a CXone chat: the
// contact id under data, intent and intentScore, and lexicon slots.
const cognigyChatPayload = `{
	"intent": "TransferToSales",
	"intentScore": 0.91,
	"slots": {"ProductInterest": [{"keyphrase": "PremiumPackage", "synonym": "premium plan"}], "NUMBER": [2]},
	"sessionId": "6a1f4c1e-0b7d-4c3a-9a51-2f3f0c6e9b10",
	"inputId": "0e9d8b55-5d3c-43a4-a3ce-7b1bd7b0f2aa",
	"channel": "webchat3",
	"data": {"contactId": "584930121"}
}`

const actionRules = `rules:
  - name: sales-dispose
    when:
      intent: TransferToSales
      minConfidence: 0.9
    wrapUpCode: Sales Transfer
    priority: 1
    skill: Sales-Premium
    fields:
      customField: "Interest: ${entity.ProductInterest:-General}"
    actions: [signal, disposition]
    disposition:
      id: 12
      notes: "Bot: ${intent}"
  - name: support
    when:
      intent: TransferToSupport
    wrapUpCode: Support Transfer
    priority: 2
    skill: Support-Tier2
`

// runMappingCommand runs `router mapping args...` with payload on stdin and
// no ROUTER_* variables that change the result.
func runMappingCommand(t *testing.T, env map[string]string, payload string, args ...string) (string, error) {
	t.Helper()
	for _, name := range []string{"ROUTER_MAPPING_FILE", "ROUTER_INTERACTION_ID_PATHS", "ROUTER_INTENT_PATHS",
		"ROUTER_CONFIDENCE_PATHS", "ROUTER_ENTITIES_PATHS", "ROUTER_SLOTS_PATHS"} {
		t.Setenv(name, env[name])
	}
	previous := stdin
	stdin = strings.NewReader(payload)
	t.Cleanup(func() { stdin = previous })

	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"mapping"}, args...), &stdout, &stderr)
	return stdout.String(), err
}

func writeRules(t *testing.T, source string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, []byte(source), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMappingCheck(t *testing.T) {
	good := writeRules(t, actionRules)
	single := writeRules(t, "rules:\n  - {name: only, wrapUpCode: W, priority: 1, skill: S}\n")

	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"file", nil, []string{"check", good}, good + ": 2 rules OK (sales-dispose, support)\n"},
		{"one rule", nil, []string{"check", single}, single + ": 1 rule OK (only)\n"},
		{"built-in rules", nil, []string{"check"}, "built-in rules: 4 rules OK (sales-premium, sales-standard, support, general)\n"},
		{"ROUTER_MAPPING_FILE", map[string]string{"ROUTER_MAPPING_FILE": good}, []string{"check"}, good + ": 2 rules OK (sales-dispose, support)\n"},
		{"FILE wins over ROUTER_MAPPING_FILE", map[string]string{"ROUTER_MAPPING_FILE": good}, []string{"check", single}, single + ": 1 rule OK (only)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := runMappingCommand(t, tt.env, "", tt.args...)
			if err != nil {
				t.Fatalf("mapping %v: %v", tt.args, err)
			}
			if got != tt.want {
				t.Errorf("output = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMappingCheckRejectsBadFile(t *testing.T) {
	bad := writeRules(t, "rules:\n  - name: sales\n    actions: [signal, disposition]\n    wrapUpCode: W\n    priority: 1\n    skill: S\n")

	got, err := runMappingCommand(t, nil, "", "check", bad)
	if err == nil {
		t.Fatalf("mapping check succeeded with output %q, want an error", got)
	}
	var ruleErr *mapping.RuleError
	if !errors.As(err, &ruleErr) {
		t.Fatalf("error %v (%T) is not a *mapping.RuleError", err, err)
	}
	if errors.Is(err, errUsage) {
		t.Errorf("error %v is a usage error, want exit status 1", err)
	}
	if want := bad + `:3: rule "sales": actions lists "disposition", but the rule has no "disposition" key`; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want it to start with %q", err, want)
	}
	if got != "" {
		t.Errorf("output = %q, want none", got)
	}

	_, err = runMappingCommand(t, nil, "", "check", filepath.Join(t.TempDir(), "missing.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("mapping check of a missing file: error = %v, want os.ErrNotExist", err)
	}
}

func TestMappingTestCognigyPayload(t *testing.T) {
	got, err := runMappingCommand(t, nil, cognigyChatPayload, "test", writeRules(t, actionRules))
	if err != nil {
		t.Fatalf("mapping test: %v", err)
	}

	lines := strings.Split(got, "\n")
	for _, want := range []string{
		"interaction: 584930121",
		"intent:      TransferToSales (confidence 0.91)",
		`entities:    NUMBER="2", ProductInterest="PremiumPackage"`,
		"rule:        sales-dispose",
		"actions:     signal, disposition (incontact profile only)",
		`disposition: id 12, notes "Bot: TransferToSales" (incontact profile only)`,
		"PATCH /api/v2/interactions/584930121",
		`{"wrapUpCode":"Sales Transfer","routingData":{"priority":1,"skill":"Sales-Premium","customField":"Interest: PremiumPackage"}}`,
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("output lacks the line %q:\n%s", want, got)
		}
	}
}

func TestMappingTestDefaultRules(t *testing.T) {
	payload := `{"cxoneInteractionId":"interaction_7-B","intent":{"name":"TransferToSupport","confidence":0.5}}`

	got, err := runMappingCommand(t, nil, payload, "test")
	if err != nil {
		t.Fatalf("mapping test: %v", err)
	}
	want := "rules:       built-in rules\n" +
		"interaction: interaction_7-B\n" +
		"intent:      TransferToSupport (confidence 0.5)\n" +
		"entities:    none\n" +
		"rule:        support\n" +
		"\n" +
		"PATCH /api/v2/interactions/interaction_7-B\n" +
		`{"wrapUpCode":"Support Transfer","routingData":{"priority":2,"skill":"Support-Tier2"}}` + "\n"
	if got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

func TestMappingTestLowScoreFallsThrough(t *testing.T) {
	payload := strings.Replace(cognigyChatPayload, `"intentScore": 0.91`, `"intentScore": 0.42`, 1)

	got, err := runMappingCommand(t, nil, payload, "test", writeRules(t, actionRules))
	if !errors.Is(err, mapping.ErrNoRuleMatched) {
		t.Fatalf("mapping test: error = %v, want ErrNoRuleMatched", err)
	}
	if !strings.Contains(err.Error(), "no-rule") {
		t.Errorf("error = %q, want it to name the dead-letter reason no-rule", err)
	}
	if !strings.Contains(got, "intent:      TransferToSales (confidence 0.42)") {
		t.Errorf("output lacks the parsed input:\n%s", got)
	}
	if strings.Contains(got, "PATCH") {
		t.Errorf("output shows a request although no rule matched:\n%s", got)
	}
}

func TestMappingTestInvalidPayload(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{"missing id", `{"intent":"TransferToSales"}`, `field "cxoneInteractionId" is missing`},
		{"numeric contact id", `{"data":{"contactId":584930121}}`, `field "data.contactId" must be a string`},
		{"bad score", `{"cxoneInteractionId":"c","intentScore":7}`, `field "intentScore" must be a number from 0 to 1`},
		{"not JSON", `intent=TransferToSales`, "body must be a JSON object"},
		{"empty stdin", " \n", "stdin is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := runMappingCommand(t, nil, tt.payload, "test")
			if err == nil {
				t.Fatalf("mapping test succeeded with output %q, want an error containing %q", got, tt.want)
			}
			if errors.Is(err, errUsage) {
				t.Errorf("error %v is a usage error, want exit status 1", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(got, "PATCH") {
				t.Errorf("output shows a request for an invalid payload:\n%s", got)
			}
		})
	}
}

func TestMappingTestPayloadTooLarge(t *testing.T) {
	payload := `{"cxoneInteractionId":"c","pad":"` + strings.Repeat("x", maxPayloadBytes) + `"}`

	_, err := runMappingCommand(t, nil, payload, "test")
	if err == nil || !strings.Contains(err.Error(), "over 1048576 bytes") {
		t.Errorf("mapping test of an oversized payload: error = %v, want one about the size limit", err)
	}
}

func TestMappingTestInputPathVariables(t *testing.T) {
	env := map[string]string{
		"ROUTER_INTERACTION_ID_PATHS": "routing.contact , cxoneInteractionId",
		"ROUTER_INTENT_PATHS":         "nlu.intent",
		"ROUTER_CONFIDENCE_PATHS":     "nlu.score",
		"ROUTER_SLOTS_PATHS":          "nlu.slots",
	}
	payload := `{"cxoneInteractionId":"ignored","routing":{"contact":"c-77"},"intent":"TransferToSupport",
		"nlu":{"intent":"TransferToSales","score":0.95,"slots":{"ProductInterest":["BasicPackage"]}}}`

	got, err := runMappingCommand(t, env, payload, "test")
	if err != nil {
		t.Fatalf("mapping test: %v", err)
	}
	lines := strings.Split(got, "\n")
	for _, want := range []string{
		"interaction: c-77",
		"intent:      TransferToSales (confidence 0.95)",
		`entities:    ProductInterest="BasicPackage"`,
		"rule:        sales-standard",
		`{"wrapUpCode":"Sales Transfer","routingData":{"priority":1,"skill":"Sales-Standard","customField":"Interest: BasicPackage"}}`,
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("output lacks the line %q:\n%s", want, got)
		}
	}
}

func TestInputFormatFromEnvRejectsBadPath(t *testing.T) {
	e := &env{lookup: func(name string) (string, bool) {
		if name == "ROUTER_INTENT_PATHS" {
			return "intent.name,,intent", true
		}
		return "", false
	}}

	format := inputFormatFromEnv(e)
	if e.err == nil {
		t.Fatal("inputFormatFromEnv recorded no error for an empty path")
	}
	for _, want := range []string{`ROUTER_INTENT_PATHS="intent.name,,intent" is invalid`, `Intent[1] "" is invalid: the path is empty`} {
		if !strings.Contains(e.err.Error(), want) {
			t.Errorf("error = %q, want it to contain %q", e.err, want)
		}
	}
	if err := format.Validate(); err != nil {
		t.Errorf("returned format is invalid: %v", err)
	}
}

func TestMappingHelpIsNotAnError(t *testing.T) {
	_, err := runMappingCommand(t, nil, "", "-h")
	if !errors.Is(err, errHelp) {
		t.Errorf("mapping -h: error = %v, want errHelp so the exit status is 0", err)
	}
}

func TestMappingUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "mapping needs a subcommand, check or test"},
		{"unknown subcommand", []string{"lint"}, `unknown mapping subcommand "lint"`},
		{"two files", []string{"check", "a.yaml", "b.yaml"}, "at most one rules file, got 2 arguments"},
		{"dash", []string{"test", "-"}, "does not read rules from stdin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runMappingCommand(t, nil, "", tt.args...)
			if !errors.Is(err, errUsage) {
				t.Fatalf("mapping %v: error = %v, want a usage error", tt.args, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
		})
	}

	_, err := runMappingCommand(t, map[string]string{"ROUTER_SLOTS_PATHS": "slots..x"}, "{}", "test")
	if err == nil || !strings.Contains(err.Error(), "ROUTER_SLOTS_PATHS") {
		t.Errorf("mapping test with a bad ROUTER_SLOTS_PATHS: error = %v, want one naming the variable", err)
	}
}

// The built binary exits 0 and 1 and reads the payload from its real stdin.
func TestMappingExitStatus(t *testing.T) {
	good := writeRules(t, actionRules)
	bad := writeRules(t, "rules:\n  - name: sales\n    priority: high\n")

	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantStatus int
		wantStdout string
		wantStderr string
	}{
		{"check good", []string{"check", good}, "", 0, "2 rules OK", ""},
		{"check bad", []string{"check", bad}, "", 1, "", bad + `:3: rule "sales": priority must be an integer >= 1, got "high"`},
		{"test payload", []string{"test", good}, cognigyChatPayload, 0, "PATCH /api/v2/interactions/584930121", ""},
		{"test bad payload", []string{"test", good}, `{"intent":"TransferToSales"}`, 1, "", `field "cxoneInteractionId" is missing`},
		{"no subcommand", nil, "", 2, "", "mapping needs a subcommand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(routerBinary, append([]string{"mapping"}, tt.args...)...)
			cmd.Env = append(os.Environ(), "ROUTER_MAPPING_FILE=")
			cmd.Stdin = strings.NewReader(tt.stdin)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr

			err := cmd.Run()
			status := 0
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				status = exitErr.ExitCode()
			} else if err != nil {
				t.Fatalf("run router: %v", err)
			}

			if status != tt.wantStatus {
				t.Errorf("exit status = %d, want %d; stderr: %s", status, tt.wantStatus, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}
