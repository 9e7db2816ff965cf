package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"

	"connector-dev/harness"
)

// summary counts a suite's results.
type summary struct {
	passed, failed, skipped int
	seconds                 float64 // the fixtures' own times, added up
}

func summarize(rs []result) summary {
	var s summary
	for _, r := range rs {
		switch r.Status {
		case "pass":
			s.passed++
		case "fail":
			s.failed++
		default:
			s.skipped++
		}
		s.seconds += r.Seconds
	}
	return s
}

// fixtureEvent is test --json's line per fixture.
type fixtureEvent struct {
	Kind      string   `json:"kind"` // "fixture"
	Status    string   `json:"status"`
	File      string   `json:"file"`
	Connector string   `json:"connector"`
	Reason    string   `json:"reason,omitempty"`
	ExitCode  int      `json:"exit_code"`
	Rows      int64    `json:"rows"`
	Seconds   float64  `json:"seconds"`
	Misses    []string `json:"misses,omitempty"`
	RunID     string   `json:"run_id,omitempty"`
}

// printResult writes r's line (and, on a failure, a line per miss; under
// GITHUB_ACTIONS, an annotation).
func (s *suite) printResult(r result) {
	w := s.env.Stdout
	if s.opts.json {
		b, _ := json.Marshal(fixtureEvent{Kind: "fixture", Status: r.Status, File: r.Path, Connector: r.Connector,
			Reason: r.Reason, ExitCode: r.Code, Rows: r.Rows, Seconds: round3(r.Seconds), Misses: safeLines(r.Misses), RunID: r.RunID})
		fmt.Fprintf(w, "%s\n", b)
	} else {
		switch r.Status {
		case "skip":
			fmt.Fprintf(w, "SKIP  %s  %s\n", r.Path, harness.SafeText(strings.Join(r.Misses, "; ")))
		default:
			fmt.Fprintf(w, "%s  %s  %s  %d rows  %.2fs\n", strings.ToUpper(r.Status), r.Path, r.Reason, r.Rows, r.Seconds)
			if r.Status == "fail" {
				for _, m := range r.Misses {
					fmt.Fprintf(w, "      %s\n", harness.SafeText(m))
				}
			}
		}
	}
	if r.Status == "fail" && s.env.Getenv("GITHUB_ACTIONS") == "true" {
		// An annotation must start its line; with --json, stdout is for
		// JSON only, and the runner reads workflow commands on stderr too.
		aw := w
		if s.opts.json {
			aw = s.env.Stderr
		}
		writeAnnotation(aw, r)
	}
}

// writeAnnotation is a GitHub Actions ::error line for a failed fixture,
// on its expectation file when the misses are expectations', else its job.
func writeAnnotation(w io.Writer, r result) {
	file := r.Path
	if r.Expect != "" && r.Reason != "setup" {
		file = r.Expect
	}
	title := fmt.Sprintf("connector-dev test: %s failed", r.Path)
	fmt.Fprintf(w, "::error file=%s,title=%s::%s\n", ghProperty(file), ghProperty(title), ghData(strings.Join(safeLines(r.Misses), "\n")))
}

// ghData escapes a workflow command's message, as the runner unescapes it.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

func (s *suite) printSummary(sum summary) {
	if s.opts.json {
		b, _ := json.Marshal(map[string]any{"kind": "summary", "passed": sum.passed, "failed": sum.failed,
			"skipped": sum.skipped, "seconds": round3(sum.seconds)})
		fmt.Fprintf(s.env.Stdout, "%s\n", b)
		return
	}
	verdict := "ok"
	if sum.failed > 0 {
		verdict = "FAIL"
	}
	fmt.Fprintf(s.env.Stdout, "%s: %d passed, %d failed, %d skipped\n", verdict, sum.passed, sum.failed, sum.skipped)
}

// JUnit XML, as CI systems (Jenkins, GitLab, GitHub test reporters) read it.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Body    string `xml:",chardata"`
}

// writeJUnit writes one testcase per fixture: classname the connector, name
// the job file, a failure carrying the miss lines.
func writeJUnit(path string, rs []result, sum summary) error {
	js := junitSuite{Name: "connector-dev test", Tests: len(rs), Failures: sum.failed, Skipped: sum.skipped,
		Time: fmt.Sprintf("%.3f", sum.seconds)}
	for _, r := range rs {
		c := junitCase{Classname: r.Connector, Name: r.Path, Time: fmt.Sprintf("%.3f", r.Seconds)}
		misses := safeLines(r.Misses)
		first := ""
		if len(misses) > 0 {
			first = misses[0]
		}
		switch r.Status {
		case "fail":
			c.Failure = &junitMessage{Message: first, Body: strings.Join(misses, "\n")}
		case "skip":
			c.Skipped = &junitMessage{Message: first}
		}
		js.Cases = append(js.Cases, c)
	}
	b, err := xml.MarshalIndent(junitSuites{Suites: []junitSuite{js}}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(b, '\n')...), 0o644)
}

func safeLines(ls []string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = harness.SafeText(l)
	}
	return out
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
