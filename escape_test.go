package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connector-dev/connectors"
)

// evilText is what an API error body could hold: a forged exit line after a
// newline, a screen clear, a window title (OSC), a C1 CSI and a bidi override.
const evilText = "api said: \x1b[2J\x1b]0;PWNED\x07 line1\nEXIT  success (code 0)\u009b31m\u202eevil"

// evil logs evilText every way a connector shows text, then fails with it.
type evil struct{}

func init() { connectors.RegisterSource("evil", func() connectors.Source { return evil{} }) }

func (evil) Run(ctx context.Context, rt connectors.Runtime) error {
	rt.LogInfo("%s", evilText)
	fmt.Println(evilText)
	return rt.LogErr("%s", evilText)
}

func evilProject(t *testing.T, jobName string) {
	t.Helper()
	project(t)
	f, err := os.OpenFile("connectors.yaml", os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "\nevil:\n  kind: source\n  credentials: []\n")
	f.Close()
	os.MkdirAll(filepath.Join("fixtures", "evil"), 0o755)
	job := fmt.Sprintf(`{"ETLJobNM": %q, "SourceObjectID": "x", "SourceConnectorNM": "evil",
	  "DestinationConnectorNM": "sqlite", "DestinationObjectID": "x", "UpdateMethodCD": 2}`, jobName)
	job = strings.ReplaceAll(job, `\x1b`, `\u001b`) // JSON spells ESC so
	job = strings.ReplaceAll(job, `\a`, `\u0007`)
	if err := os.WriteFile(filepath.Join("fixtures", "evil", "job.json"), []byte(job), 0o644); err != nil {
		t.Fatal(err)
	}
}

// assertTerminalSafe fails for a raw control byte (but the newlines ending
// lines) or a bidi override in text.
func assertTerminalSafe(t *testing.T, where, text string) {
	t.Helper()
	for i, r := range text {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Errorf("%s holds raw %U at byte %d: %q", where, r, i, text[max(0, i-20):min(len(text), i+20)])
			return
		}
	}
}

// A connector's log line, its printed output and its exit message carrying
// a newline and escape sequences come out escaped, each on one line, in
// --ci output and run.log; --json keeps the exact text.
func TestEscapesInLogMessages(t *testing.T) {
	evilProject(t, "evil-job")
	code, out, errOut := cli(t, "run", "evil", "--ci")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	assertTerminalSafe(t, "--ci stdout", out)
	assertTerminalSafe(t, "--ci stderr", errOut)
	const shown = `api said: \x1b[2J\x1b]0;PWNED\x07 line1\nEXIT  success (code 0)\u009b31m\u202eevil`
	for _, want := range []string{
		"INFO  source      " + shown,
		// Printed text is split where the connector ended its lines.
		`INFO  source      stdout: api said: \x1b[2J\x1b]0;PWNED\x07 line1`,
		`INFO  source      stdout: EXIT  success (code 0)\u009b31m\u202eevil`,
		"ERROR source      " + shown,
		"EXIT              error (code 1): " + shown,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("--ci output lacks the line %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "EXIT") {
			t.Errorf("a forged line starts the output: %q", l)
		}
	}
	rep := lastReport(t)
	log, err := os.ReadFile(filepath.Join(".connector-dev", "runs", rep.RunID, "run.log"))
	if err != nil {
		t.Fatal(err)
	}
	assertTerminalSafe(t, "run.log", string(log))
	if !strings.Contains(string(log), "ERROR source      "+shown+"\n") {
		t.Errorf("run.log lacks the escaped line:\n%s", log)
	}

	code, out, _ = cli(t, "run", "evil", "--json")
	if code != 1 || !strings.Contains(out, `"message":"api said: \u001b[2J\u001b]0;PWNED\u0007 line1\nEXIT  success (code 0)`+"\u009b31m\u202eevil\"") {
		t.Errorf("--json does not keep the exact text (exit %d):\n%s", code, out)
	}
}

// An ETLJobNM with a newline and escape sequences cannot forge a line or
// drive the terminal in --ci output: the run shows it escaped, or refuses
// the job with one line that names it escaped.
func TestEscapesInJobName(t *testing.T) {
	evilProject(t, "job\nEXIT  success (code 0)\x1b]0;PWNED\x07\x1b[2J")
	code, out, errOut := cli(t, "run", "evil", "--ci")
	assertTerminalSafe(t, "--ci stdout", out)
	assertTerminalSafe(t, "--ci stderr", errOut)
	if code == connectors.Setup.Code() {
		// (check refuses control characters in job names.)
		if n := strings.Count(strings.TrimSuffix(errOut, "\n"), "\n"); n != 0 || !(strings.Contains(errOut, `\x1b]0;PWNED`) || strings.Contains(errOut, "ETLJobNM")) {
			t.Errorf("the refusal is not one line naming the job name: %q", errOut)
		}
		return
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "EXIT") {
			t.Errorf("the job name forged a line: %q", l)
		}
	}
	if !strings.Contains(out, `job "job\nEXIT  success (code 0)\x1b]0;PWNED\x07\x1b[2J": evil -> sqlite`) {
		t.Errorf("--ci output does not show the job name escaped:\n%s", out)
	}
	code, out, errOut = cli(t, "inspect", "--ci")
	if code != 0 || !strings.Contains(out, `job\nEXIT`) {
		t.Errorf("inspect --ci (exit %d) does not list the run with its name escaped:\n%s%s", code, out, errOut)
	}
	assertTerminalSafe(t, "inspect --ci", out+errOut)
}

// A setup error naming something with control characters in it (here the
// --job path) is one line on stderr with them escaped.
func TestEscapesInSetupErrors(t *testing.T) {
	project(t)
	code, out, errOut := cli(t, "run", "synthetic", "--ci", "--job", "fixtures/\x1b]0;PWNED\x07\n.json")
	if code != connectors.Setup.Code() {
		t.Fatalf("exit %d, want 3\n%s%s", code, out, errOut)
	}
	assertTerminalSafe(t, "stderr", errOut)
	assertTerminalSafe(t, "stdout", out)
	if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `\x1b]0;PWNED\x07\n.json`) {
		t.Errorf("want one line naming the escaped path, got %q", errOut)
	}
}
