package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"connector-dev/connectors"
)

// Expectations is what a fixture says a run must end with; the harness turns
// a mismatch into exit reason "expectation".
type Expectations struct {
	// Exit is the exit reason word the run must end with. LoadExpectations
	// fills in "success" when the file leaves it out.
	Exit string `yaml:"exit"`
	// Message is a substring the exit message must contain ("" = any).
	Message string `yaml:"message"`
	// Rows, when set, is the row count every stage that ran must have moved.
	Rows *int64 `yaml:"rows"`
	// Batches, when set, is the batch count every stage that ran must have moved.
	Batches *int64 `yaml:"batches"`
	// Env are settings the fixture runs with (SALESFORCE_RETRY_BASE: 1ms, so
	// a retry fixture does not wait out real backoff); a variable set in the
	// environment wins.
	Env map[string]string `yaml:"env"`
	// RowsChecksum, when set, is the order-independent checksum of the rows
	// the destination received (16 hex digits; see harness.RowsChecksum).
	RowsChecksum string `yaml:"rows_checksum"`
	// Schema, when set, is the destination's columns and types, in order.
	Schema []SchemaColumn `yaml:"schema"`
	// Samples, when set, are rows the destination must have received, each
	// matched on the columns it states.
	Samples []SampleRow `yaml:"samples"`
}

// SampleRow is one expected row: the columns it states, in order.
type SampleRow []SampleCell

// SampleCell is one column of a sample row; Null is a YAML null (~).
type SampleCell struct {
	Name, Value string
	Null        bool
}

// SchemaColumn is one column of an expected schema: name: type.
type SchemaColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// ExpectationsPath is where the expectations of the job in jobFile live:
// beside it, job.json's in job.expect.yaml. A run checks this file, and
// test --update creates it there; both ask here, so they cannot part.
func ExpectationsPath(jobFile string) string {
	return strings.TrimSuffix(jobFile, ".json") + ".expect.yaml"
}

// LoadExpectations reads an expectations file. A missing file is (nil, nil):
// a fixture need not have one. Unknown keys are errors with their line, so a
// misspelt "rwos" cannot silently check nothing.
func LoadExpectations(path string) (*Expectations, error) {
	src, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, readError(path, "expectations file", err)
	}
	return parseExpectations(path, src)
}

// expectKeys are the keys an expectations file may hold.
func expectKeys() []string {
	return []string{"exit", "message", "rows", "batches", "env", "rows_checksum", "schema", "samples"}
}

func parseExpectations(file string, src []byte) (*Expectations, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, yamlSyntaxError(file, err)
	}
	e := &Expectations{}
	if len(doc.Content) > 0 {
		root := doc.Content[0]
		if root.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s:%d: want keys %s (for example exit: success)", file, root.Line, strings.Join(expectKeys(), ", "))
		}
		p := &yamlProblems{file: file}
		seen := map[string]bool{}
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			if seen[k.Value] {
				p.addf(k, "%s is set twice", k.Value)
				continue
			}
			seen[k.Value] = true
			switch k.Value {
			case "exit":
				e.Exit = expectExit(p, v)
			case "message":
				if v.Kind != yaml.ScalarNode {
					p.addf(v, "message: want text, the part of the exit message to look for")
					continue
				}
				e.Message = v.Value
			case "rows":
				e.Rows = expectCount(p, v, "rows")
			case "batches":
				e.Batches = expectCount(p, v, "batches")
			case "env":
				e.Env = expectEnv(p, v)
			case "rows_checksum":
				e.RowsChecksum = expectChecksum(p, v)
			case "schema":
				e.Schema = expectSchema(p, v)
			case "samples":
				e.Samples = expectSamples(p, v)
			default:
				hint := ""
				if n := Nearest(k.Value, expectKeys()); n != "" {
					hint = fmt.Sprintf(": did you mean %s?", n)
				}
				p.addf(k, "unknown key %q%s (want %s)", k.Value, hint, strings.Join(expectKeys(), ", "))
			}
		}
		if len(p.list) > 0 {
			return nil, errors.New(strings.Join(p.list, "; "))
		}
	}
	if e.Exit == "" {
		e.Exit = string(connectors.Success)
	}
	return e, nil
}

func expectExit(p *yamlProblems, v *yaml.Node) string {
	// A stopped run (timeout, interrupted) is never checked, and
	// expectation is what a miss becomes: neither can be expected.
	var words []string
	for _, r := range connectors.ExitReasons {
		switch r {
		case connectors.Expectation, connectors.Timeout, connectors.Interrupted:
			if v.Kind == yaml.ScalarNode && v.Value == string(r) {
				p.addf(v, "exit %q cannot be expected: a stopped run is not checked, and expectation is what a miss becomes", v.Value)
				return ""
			}
		default:
			words = append(words, string(r))
		}
	}
	if v.Kind == yaml.ScalarNode {
		for _, w := range words {
			if v.Value == w {
				return w
			}
		}
	}
	hint := ""
	if n := Nearest(v.Value, words); n != "" {
		hint = fmt.Sprintf(": did you mean %s?", n)
	}
	p.addf(v, "exit %q is not an exit reason%s (want one of %s)", v.Value, hint, strings.Join(words, ", "))
	return ""
}

func expectCount(p *yamlProblems, v *yaml.Node, key string) *int64 {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil // "rows:" with nothing: no check, as if left out
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if v.Kind != yaml.ScalarNode || err != nil || n < 0 {
		p.addf(v, "%s %q is not a whole number >= 0", key, v.Value)
		return nil
	}
	return &n
}

// expectEnv reads env: a mapping of variable names to text values.
func expectEnv(p *yamlProblems, v *yaml.Node) map[string]string {
	if v.Kind != yaml.MappingNode {
		p.addf(v, "env: want NAME: value lines, such as SALESFORCE_RETRY_BASE: 1ms")
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		if val.Kind != yaml.ScalarNode || k.Value == "" {
			p.addf(val, "env: %s: want a text value", k.Value)
			continue
		}
		out[k.Value] = val.Value
	}
	return out
}

// CassettePath is where a job's recorded HTTP session lives: beside the
// job, job.json -> job.cassette.yaml.
func CassettePath(jobFile string) string {
	return strings.TrimSuffix(jobFile, ".json") + ".cassette.yaml"
}
