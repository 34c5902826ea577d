package mapping

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ErrInvalidRules is wrapped by every error Parse returns.
var ErrInvalidRules = errors.New("invalid rules")

// RuleError is a problem in a rules file, with its position when known.
// Error formats it as
//
//	rules.yaml:12: rule "sales": priority must be an integer >= 1, got "high"
type RuleError struct {
	File    string // file name given to Parse
	Line    int    // 1-based line, 0 when unknown
	Column  int    // 1-based column, 0 when unknown
	Rule    string // name of the rule, "" when unknown or when the problem is outside a rule
	Index   int    // 1-based position of the rule in the list, 0 when the problem is outside a rule
	Problem string // what is wrong and how to fix it
}

func (e *RuleError) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}

	switch {
	case e.Rule != "":
		fmt.Fprintf(&b, "rule %q: ", e.Rule)
	case e.Index > 0:
		fmt.Fprintf(&b, "rule %d: ", e.Index)
	}
	b.WriteString(e.Problem)
	return b.String()
}

func (e *RuleError) Unwrap() error { return ErrInvalidRules }

// yamlLinePattern matches the position prefix of yaml.v3 syntax errors, as in
// "yaml: line 3: did not find expected key".
var yamlLinePattern = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are the messages of yaml.v3 parser errors, as opposed to
// scanner errors. yaml.v3 v3.0.1 reports the line of a parser error 0-based
// (the 1-based line of the construct that failed, minus one), and omits it
// when it is 0.
var parserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"found undefined tag handle",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

// syntaxError turns a yaml.v3 parse error into a RuleError.
//
// NOTE: for parser errors yaml.v3 gives the line where the enclosing block
// or flow collection starts, which can be above the offending line. Errors
// from its reader, such as "control characters are not allowed", have no line.
func syntaxError(file string, err error) *RuleError {
	message := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLinePattern.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		message = m[2]
	}
	if slices.Contains(parserProblems, message) {
		line++
	}
	return &RuleError{File: file, Line: line, Problem: "invalid YAML: " + message}
}
