package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"connector-dev/connectors/salesforce/salesforcetest"
)

// An offline --record must not destroy the committed cassette: the run is
// the error it is (exit 1, expectations only reported), the recording goes
// beside the cassette, and the headline command still replays.
func TestRecordOfflineKeepsCassette(t *testing.T) {
	project(t)
	t.Setenv("SALESFORCE_LOGIN_URL", "http://127.0.0.1:"+strconv.Itoa(freePort(t))) // nothing listens: offline
	cassette := filepath.Join("fixtures", "salesforce", "job.cassette.yaml")
	before, err := os.ReadFile(cassette)
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := cli(t, "run", "salesforce", "--record", "--ci")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the error it is):\n%s", code, out)
	}
	if after, _ := os.ReadFile(cassette); string(after) != string(before) {
		t.Fatalf("--record offline changed %s:\n%s", cassette, after)
	}
	beside := filepath.Join("fixtures", "salesforce", "job.cassette.new.yaml")
	if _, err := os.Stat(beside); err != nil {
		t.Errorf("no recording beside the cassette: %v", err)
	}
	exits := exitLines(out)
	if len(exits) == 0 || !strings.Contains(exits[0], "error: exit 1; expectations of fixtures/salesforce/job.expect.yaml reported, not applied under --record") {
		t.Errorf("the first EXIT line does not say the expectations were not applied:\n%s", strings.Join(exits, "\n"))
	}
	if !strings.Contains(out, "written beside the cassette, to "+beside) || !strings.Contains(out, cassette+" is as it was") {
		t.Errorf("the output does not say where the recording went:\n%s", out)
	}
	if !strings.Contains(out, "do not commit "+filepath.Base(beside)+" unless you mean to") {
		t.Errorf("the output does not say the recording beside the cassette is not for committing:\n%s", out)
	}
	// The headline command still works.
	os.Unsetenv("SALESFORCE_LOGIN_URL")
	if code, out, _ := cli(t, "run", "salesforce", "--ci"); code != 0 {
		t.Fatalf("replay after the offline --record: exit %d\n%s", code, out)
	}
}

// --live offline is the error it is: exit 1, and the first closing line
// says the expectations were only reported.
func TestLiveIgnoresExpectationsForExitCode(t *testing.T) {
	project(t)
	t.Setenv("SALESFORCE_LOGIN_URL", "http://127.0.0.1:"+strconv.Itoa(freePort(t)))
	code, out, _ := cli(t, "run", "salesforce", "--live", "--ci", "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	fin := finishedEvent(t, out)
	if !strings.HasPrefix(fin.Message, "error: exit 1; expectations of fixtures/salesforce/job.expect.yaml reported, not applied under --live\n") {
		t.Errorf("closing message %q", fin.Message)
	}
	if fin.ExitCode == nil || *fin.ExitCode != 1 {
		t.Errorf("exit_code %v, want 1", fin.ExitCode)
	}
}

// When expectations decide the code (replay), the first line shows both
// the run's own code and the one expectations made of it.
func TestReplayExpectationShowsBothCodes(t *testing.T) {
	project(t)
	os.WriteFile("fixtures/salesforce/job.expect.yaml", []byte("exit: no_fail\n"), 0o644)
	code, out, _ := cli(t, "run", "salesforce", "--ci")
	if code != 4 {
		t.Fatalf("exit %d, want 4:\n%s", code, out)
	}
	if exits := exitLines(out); len(exits) == 0 || !strings.HasSuffix(exits[0], "success (would be exit 0); expected no_fail: exit 4") {
		t.Errorf("first EXIT line:\n%s", strings.Join(exits, "\n"))
	}
	rep := lastReport(t)
	if got := strings.SplitN(rep.Closing, "\n", 2)[0]; got != "success (would be exit 0); expected no_fail: exit 4" {
		t.Errorf("report closing %q", got)
	}
}

// Re-recording a failure path against a service that fails as the
// fixture expects replaces its cassette, and the new cassette replays.
func TestRecordReplacesCassetteWhenAsExpected(t *testing.T) {
	project(t)
	org := &salesforcetest.Org{Object: "Account", Fields: salesforcetest.AccountFields(), RefreshToken: "not-the-one-presented"}
	srv := httptest.NewServer(org)
	defer srv.Close()
	t.Setenv("SALESFORCE_LOGIN_URL", srv.URL)
	job := filepath.Join("fixtures", "salesforce", "invalid_grant.json")
	cassette := strings.TrimSuffix(job, ".json") + ".cassette.yaml"
	code, out, _ := cli(t, "run", "salesforce", "--job", job, "--record", "--ci")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (invalid_grant is an error; expectations only reported):\n%s", code, out)
	}
	if !strings.Contains(out, "expectations of "+strings.TrimSuffix(job, ".json")+".expect.yaml held (reported only)") ||
		!strings.Contains(out, "recording: 1 interaction written to "+cassette) {
		t.Errorf("output:\n%s", out)
	}
	if b, _ := os.ReadFile(cassette); !strings.Contains(string(b), srv.URL) {
		t.Errorf("%s was not replaced by the recording:\n%s", cassette, b)
	}
	if left, _ := filepath.Glob("fixtures/salesforce/*.new.yaml"); len(left) != 0 {
		t.Errorf("a replacing recording left %v", left)
	}
	if code, out, _ := cli(t, "run", "salesforce", "--job", job, "--ci"); code != 0 {
		t.Errorf("the new cassette does not replay as expected: exit %d\n%s", code, out)
	}
}

func exitLines(out string) []string {
	var l []string
	for _, line := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(line, " EXIT  "); ok {
			l = append(l, strings.TrimSpace(rest))
		}
	}
	return l
}

type finished struct {
	Kind     string `json:"kind"`
	Message  string `json:"message"`
	ExitCode *int   `json:"exit_code"`
	RunID    string `json:"run_id"`
	Report   string `json:"report"`
}

func finishedEvent(t *testing.T, out string) finished {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var f finished
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &f); err != nil || f.Kind != "finished" {
		t.Fatalf("last line is not the finished event (%v):\n%s", err, out)
	}
	return f
}

// The --json finished event names the run and its report at top level: a
// script needs nothing else to find the report.
func TestFinishedEventNamesRunAndReport(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "10")
	code, out, _ := cli(t, "run", "synthetic", "--ci", "--json")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	fin := finishedEvent(t, out)
	rep := lastReport(t)
	if fin.RunID != rep.RunID {
		t.Errorf("run_id %q, want %q", fin.RunID, rep.RunID)
	}
	if !filepath.IsAbs(fin.Report) || filepath.Base(filepath.Dir(fin.Report)) != rep.RunID {
		t.Errorf("report %q is not the absolute path of run %s's report", fin.Report, rep.RunID)
	}
	if b, err := os.ReadFile(fin.Report); err != nil || !strings.Contains(string(b), rep.RunID) {
		t.Errorf("report %s: %v", fin.Report, err)
	}
}
