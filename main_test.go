package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"connector-dev/harness"
	"connector-dev/harness/config"
)

// project copies the committed settings and fixtures into a temp folder and
// enters it, so each test sees a fresh clone and keeps its state apart.
func project(t *testing.T) string {
	t.Helper()
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range []string{"connectors.yaml", ".env.example", ".env.credentials.example"} {
		copyFile(t, filepath.Join(repo, f), filepath.Join(dir, f))
	}
	if err := os.CopyFS(filepath.Join(dir, "fixtures"), os.DirFS(filepath.Join(repo, "fixtures"))); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	return dir
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// cli runs connector-dev in-process, headless (CI=true in its Env, no
// terminal), and returns its code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, testEnv(&out, &errb, "CI=true"))
	return code, out.String(), errb.String()
}

func countRows(t *testing.T, db, table string) int {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow(`SELECT COUNT(*) FROM "` + table + `"`).Scan(&n); err != nil {
		return -1
	}
	return n
}

func lastReport(t *testing.T) *harness.Report {
	t.Helper()
	runs, err := harness.ListRuns(".connector-dev")
	if err != nil || len(runs) == 0 {
		t.Fatalf("no run report: %v", err)
	}
	return &runs[0]
}

func TestRunSyntheticHeadless(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "25000")
	t.Setenv("BATCH_ROWS", "10000")
	code, out, errOut := cli(t, "run", "synthetic", "--ci")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"no .env: using .env.example",
		"synthetic -> sqlite",
		"batch-000003.parquet: 5,000 rows",
		"EXIT", "success (code 0)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "accounts"); n != 25000 {
		t.Errorf("warehouse has %d rows, want 25000", n)
	}
	rep := lastReport(t)
	if rep.Exit.Reason != "success" || len(rep.Stages) != 2 || rep.Stages[0].Rows != 25000 || rep.Stages[1].Rows != 25000 || rep.Stages[0].Batches != 3 {
		t.Errorf("report: %+v", rep)
	}
	raw, _ := os.ReadFile(filepath.Join(".connector-dev", "runs", rep.RunID, "report.json"))
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"run_id", "connector", "job", "exit", "stages"} {
		if _, ok := m[k]; !ok {
			t.Errorf("report.json lacks %q", k)
		}
	}
	logText, err := os.ReadFile(filepath.Join(".connector-dev", "runs", rep.RunID, "run.log"))
	if err != nil || !strings.Contains(string(logText), "batch-000001.parquet") {
		t.Errorf("run.log missing or incomplete: %v", err)
	}
	// Replace: a second run leaves the same count, not double.
	if code, out, _ := cli(t, "run", "synthetic", "--ci"); code != 0 {
		t.Fatalf("second run exit %d:\n%s", code, out)
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "accounts"); n != 25000 {
		t.Errorf("after replace: %d rows, want 25000", n)
	}
}

func TestRunJSONLines(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "1000")
	code, out, _ := cli(t, "run", "synthetic", "--ci", "--json", "--s3-memory")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	kinds := map[harness.EventKind]int{}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		var ev harness.Event
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("not a JSON event: %q: %v", l, err)
		}
		kinds[ev.Kind]++
	}
	for _, k := range []harness.EventKind{harness.EventRunStarted, harness.EventStageStarted, harness.EventBatchWritten, harness.EventBatchRead, harness.EventStageFinished, harness.EventFinished} {
		if kinds[k] == 0 {
			t.Errorf("no %s event in:\n%s", k, out)
		}
	}
	var last harness.Event
	json.Unmarshal([]byte(lines[len(lines)-1]), &last)
	if last.Kind != harness.EventFinished || last.Exit.Reason != "success" || len(last.Summary) != 2 {
		t.Errorf("last event: %+v", last)
	}
}

// Each bad input: the documented code, one line on stderr naming what to
// fix, no Go stack, and nothing written to the destination.
func TestBadInput(t *testing.T) {
	jobWith := func(edit func(string) string) func(t *testing.T) {
		return func(t *testing.T) {
			b, _ := os.ReadFile("fixtures/synthetic/job.json")
			os.WriteFile("fixtures/synthetic/job.json", []byte(edit(string(b))), 0o644)
		}
	}
	tests := []struct {
		name  string
		setup func(t *testing.T)
		args  []string
		code  int
		want  []string
	}{
		{"missing .env entries", func(t *testing.T) {
			os.WriteFile(".env", []byte("S3_REGION=us-east-1\nBATCH_ROWS=ten\n"), 0o644)
		}, []string{"run", "synthetic", "--ci"}, 3, []string{"S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "ENCRYPTION_KEY", "BATCH_ROWS"}},
		{"unknown connector", nil, []string{"run", "synthetc", "--ci"}, 3, []string{`"synthetc"`, `did you mean "synthetic"`}},
		{"malformed job.json", jobWith(func(s string) string {
			return strings.Replace(s, `"UpdateMethodCD": 2`, `"UpdateMethodCD": 2,`, 1)
		}), []string{"run", "synthetic", "--ci"}, 3, []string{"job.json:"}},
		{"unknown StartSelectionNM", jobWith(func(s string) string {
			return strings.Replace(s, `"StartSelectionNM": ""`, `"StartSelectionNM": "LastWeek"`, 1)
		}), []string{"run", "synthetic", "--ci"}, 3, []string{"StartSelectionNM", "LastWeek", "Today, Yesterday, Custom"}},
		{"bad TimezoneOffsetNBR", jobWith(func(s string) string {
			return strings.Replace(s, `"TimezoneOffsetNBR": 0`, `"TimezoneOffsetNBR": 99`, 1)
		}), []string{"run", "synthetic", "--ci"}, 3, []string{"TimezoneOffsetNBR", "99"}},
		{"credential token from another key", jobWith(func(s string) string {
			other, _ := config.GenerateKey()
			token, _ := config.EncryptCredentials(other, map[string]string{"token": "tampered-token"})
			return strings.Replace(s, `"EncryptionCredentialTXT": ""`, `"EncryptionCredentialTXT": "`+token+`"`, 1)
		}), []string{"run", "synthetic", "--ci"}, 3, []string{"EncryptionCredentialTXT", "does not decrypt with ENCRYPTION_KEY"}},
		{"credential token mangled", jobWith(func(s string) string {
			return strings.Replace(s, `"EncryptionCredentialTXT": ""`, `"EncryptionCredentialTXT": "gAAAAAB!tampered-token"`, 1)
		}), []string{"run", "synthetic", "--ci"}, 3, []string{"EncryptionCredentialTXT", "not a Fernet token"}},
		{"bad flag", nil, []string{"run", "synthetic", "--timeout", "soon"}, 3, []string{"--timeout"}},
		{"bad --now", nil, []string{"run", "synthetic", "--now", "yesterday"}, 3, []string{"--now", "RFC 3339"}},
		{"--from-run with --job", nil, []string{"run", "sqlite", "--from-run", "20260101-000000-abcdef", "--job", "x.json"}, 3, []string{"--from-run", "drop --job"}},
		{"negative --timeout", nil, []string{"run", "synthetic", "--timeout", "-1s"}, 3, []string{"--timeout", "negative"}},
		{"s3 on a public address", nil, []string{"s3", "--addr", "0.0.0.0:0"}, 3, []string{"--addr", "loopback"}},
		{"state dir under a file", nil, []string{"run", "synthetic", "--ci", "--state-dir", "connectors.yaml/st"}, 3,
			[]string{"--state-dir connectors.yaml/st: cannot make its S3 store connectors.yaml/st/s3 (not a directory): give a folder you can write"}},
		{"s3 on a bad port", nil, []string{"s3", "--addr", "127.0.0.1:99999"}, 3,
			[]string{"--addr 127.0.0.1:99999: cannot listen there", "give a free loopback port"}},
		{"job that is not JSON", nil, []string{"run", "synthetic", "--ci", "--job", "connectors.yaml"}, 3,
			[]string{"connectors.yaml: not a JSON job", "give a job file such as fixtures/NAME/job.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project(t)
			if tt.setup != nil {
				tt.setup(t)
			}
			code, out, errOut := cli(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) != 1 {
				t.Errorf("want one line on stderr, got %d:\n%s", len(lines), errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q: %s", w, errOut)
				}
			}
			if strings.Contains(errOut, "Options.") || strings.Contains(errOut, "invalid character") {
				t.Errorf("stderr names Go internals, not what the user gave: %s", errOut)
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "tampered-token") {
				t.Errorf("stderr leaks a stack or the token: %s", errOut)
			}
			if _, err := os.Stat(".connector-dev/warehouse.db"); err == nil {
				t.Errorf("the destination was written")
			}
		})
	}
}

func TestMappingNamesMissingColumn(t *testing.T) {
	project(t)
	b, _ := os.ReadFile("fixtures/synthetic/job.json")
	os.WriteFile("fixtures/synthetic/job.json", []byte(strings.Replace(string(b), `"source": "region"`, `"source": "territory"`, 1)), 0o644)
	code, out, _ := cli(t, "run", "synthetic", "--ci")
	if code != 3 {
		t.Fatalf("exit %d, want 3:\n%s", code, out)
	}
	if !strings.Contains(out, `no column "territory"`) {
		t.Errorf("output does not name the column:\n%s", out)
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "accounts"); n > 0 {
		t.Errorf("destination has %d rows; nothing should be written", n)
	}
}

func TestCorruptBatchNamesKeyAndKeepsTable(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "3000")
	t.Setenv("BATCH_ROWS", "1000")
	if code, out, _ := cli(t, "run", "synthetic", "--ci"); code != 0 {
		t.Fatalf("first run: %d\n%s", code, out)
	}
	rep := lastReport(t)
	// Corrupt batch 2 where the disk-backed S3 keeps it.
	var target string
	filepath.WalkDir(".connector-dev/s3", func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, "batch-000002.parquet") && strings.Contains(p, rep.RunID) {
			target = p
		}
		return nil
	})
	if target == "" {
		t.Fatal("batch 2 not found on disk")
	}
	os.WriteFile(target, []byte("PAR1 this is not parquet"), 0o644)
	code, out, _ := cli(t, "run", "sqlite", "--from-run", rep.RunID, "--ci")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	if !regexp.MustCompile(`batch s3://connector-dev/synthetic-accounts/` + rep.RunID + `/batch-000002.parquet: size mismatch \(manifest \d+ bytes, object 24 bytes\)`).MatchString(out) {
		t.Errorf("output does not name the corrupt key:\n%s", out)
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "accounts"); n != 3000 {
		t.Errorf("table has %d rows after a failed replace, want the previous 3000", n)
	}
}

func TestFromRunReloadsDestination(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "2500")
	t.Setenv("BATCH_ROWS", "1000")
	cli(t, "run", "synthetic", "--ci")
	rep := lastReport(t)
	os.Remove(".connector-dev/warehouse.db")
	code, out, _ := cli(t, "run", "sqlite", "--from-run", rep.RunID, "--ci")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "accounts"); n != 2500 {
		t.Errorf("from-run loaded %d rows, want 2500", n)
	}
	if !strings.Contains(out, "3 batches under") {
		t.Errorf("output:\n%s", out)
	}
}

func TestExpectations(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "1500")
	os.WriteFile("fixtures/synthetic/job.expect.yaml", []byte("exit: success\nrows: 1500\nbatches: 1\n"), 0o644)
	if code, out, _ := cli(t, "run", "synthetic", "--ci"); code != 0 || !strings.Contains(out, "expectations of") {
		t.Fatalf("held: exit %d:\n%s", code, out)
	}
	os.WriteFile("fixtures/synthetic/job.expect.yaml", []byte("exit: no_fail\nrows: 7\n"), 0o644)
	code, out, _ := cli(t, "run", "synthetic", "--ci")
	if code != 4 {
		t.Fatalf("missed: exit %d, want 4:\n%s", code, out)
	}
	for _, w := range []string{"exit: want no_fail, got success", "rows: want 7, source moved 1500"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestTimeout(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "50000000")
	code, out, _ := cli(t, "run", "synthetic", "--ci", "--timeout", "300ms", "--s3-memory")
	if code != 124 {
		t.Fatalf("exit %d, want 124:\n%s", code, out)
	}
	if !strings.Contains(out, "timeout (code 124)") {
		t.Errorf("output:\n%s", out)
	}
}

func TestListAndCheck(t *testing.T) {
	project(t)
	code, out, errOut := cli(t, "list")
	if code != 0 {
		t.Fatalf("list: %d %s", code, errOut)
	}
	for _, w := range []string{"synthetic", "source", "SYNTHETIC_ROWS", "sqlite", "destination", "database (SQLITE_DATABASE, not secret)"} {
		if !strings.Contains(out, w) {
			t.Errorf("list lacks %q:\n%s", w, out)
		}
	}
	code, out, errOut = cli(t, "check", "synthetic")
	if code != 0 || !strings.Contains(out, "check: ok") {
		t.Fatalf("check: %d\n%s\n%s", code, out, errOut)
	}
	if _, err := os.Stat(".connector-dev"); err == nil {
		t.Errorf("check wrote state; it must run nothing")
	}
}

// Every fixture with expectations is a regression test: its run must end as
// its .expect.yaml says (exit code 0), offline, through the real harness.
func TestFixturesMeetExpectations(t *testing.T) {
	jobs, _ := filepath.Glob("fixtures/*/*.json")
	ran := 0
	for _, job := range jobs {
		expect := strings.TrimSuffix(job, ".json") + ".expect.yaml"
		if _, err := os.Stat(expect); err != nil {
			continue
		}
		ran++
		t.Run(job, func(t *testing.T) {
			var j struct{ SourceConnectorNM string }
			b, _ := os.ReadFile(job)
			json.Unmarshal(b, &j)
			project(t)
			code, out, errOut := cli(t, "run", j.SourceConnectorNM, "--job", job, "--ci")
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			if !strings.Contains(out, "expectations of "+expect+" held") {
				t.Errorf("no expectations line:\n%s", out)
			}
		})
	}
	if ran < 6 {
		t.Errorf("only %d fixtures with expectations; the salesforce failure paths should all be here", ran)
	}
}

func TestSalesforceReplayLoadsWarehouse(t *testing.T) {
	project(t)
	code, out, _ := cli(t, "run", "salesforce", "--ci")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "sf_account"); n != 5000 {
		t.Errorf("sf_account has %d rows, want 5000", n)
	}
	if strings.Contains(out, "example-refresh-token") {
		t.Errorf("the refresh token reached the output")
	}
}

// freePort asks the kernel for a free loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// --s3-endpoint runs the same S3 code against an S3 we did not write:
// moto_server, with the aws CLI reading back what the run stored.
func TestS3EndpointAgainstMoto(t *testing.T) {
	moto, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto_server is not on PATH: the --s3-endpoint proof needs it")
	}
	project(t)
	port := freePort(t)
	srv := exec.Command(moto, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("moto_server did not listen within 30s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Setenv("SYNTHETIC_ROWS", "12000")
	t.Setenv("BATCH_ROWS", "5000")
	code, out, errOut := cli(t, "run", "synthetic", "--ci", "--s3-endpoint", url)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "S3 "+url+" (external)") {
		t.Errorf("the run does not say it used %s:\n%s", url, out)
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "accounts"); n != 12000 {
		t.Errorf("warehouse has %d rows, want 12000", n)
	}
	rep := lastReport(t)
	if aws, err := exec.LookPath("aws"); err == nil {
		ls := exec.Command(aws, "--endpoint-url", url, "s3", "ls", "--recursive", "s3://connector-dev/synthetic-accounts/"+rep.RunID+"/")
		ls.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=connector-dev", "AWS_SECRET_ACCESS_KEY=connector-dev-secret", "AWS_DEFAULT_REGION=us-east-1")
		listing, err := ls.CombinedOutput()
		if err != nil {
			t.Fatalf("aws s3 ls: %v\n%s", err, listing)
		}
		if got := strings.Count(string(listing), ".parquet"); got != 3 {
			t.Errorf("moto holds %d batch objects, want 3:\n%s", got, listing)
		}
	}
	// inspect reads the batches back from the S3 the run stored them in.
	code, out, errOut = cli(t, "inspect", rep.RunID, "--batch", "3", "--format", "jsonl")
	if code != 0 {
		t.Fatalf("inspect: %d %s", code, errOut)
	}
	if lines := strings.Count(out, "\n"); lines != 2000 {
		t.Errorf("batch 3 printed %d rows, want 2000", lines)
	}
}

// buildBinary builds connector-dev once per test that needs a real process.
func buildBinary(t *testing.T) string {
	t.Helper()
	repo, _ := os.Getwd()
	bin := filepath.Join(t.TempDir(), "connector-dev")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = repo
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Ctrl-C (SIGINT) to the real process mid-run: exit 130 and the report says
// interrupted.
func TestSIGINTExits130(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	project(t)
	cmd := exec.Command(bin, "run", "synthetic", "--ci")
	cmd.Env = append(os.Environ(), "SYNTHETIC_ROWS=200000000")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no exit 30s after SIGINT:\n%s", out.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d, want 130:\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "interrupted (code 130)") {
		t.Errorf("output:\n%s", out.String())
	}
	if rep := lastReport(t); rep.Exit.Reason != "interrupted" {
		t.Errorf("report exit %s, want interrupted", rep.Exit.Reason)
	}
	// The signal lands while the source runs; an interrupt during the load
	// itself, and the rollback it must cause, is
	// harness.TestInterruptDuringDestinationKeepsTable.
}

func TestHelp(t *testing.T) {
	for _, cmd := range []string{"list", "check", "run", "inspect", "s3", "prune"} {
		code, out, errOut := cli(t, cmd, "--help")
		if code != 0 || !strings.HasPrefix(out, "Usage: connector-dev "+cmd) || !strings.Contains(out, "--dir") || errOut != "" {
			t.Errorf("%s --help: exit %d, stderr %q, stdout:\n%s", cmd, code, errOut, out)
		}
		// A flag a command ignores must not be offered.
		ignored := map[string][]string{"list": {"--state-dir", "--s3-endpoint"}, "check": {"--record", "--s3-endpoint"}, "s3": {"--s3-endpoint"}}
		for _, flag := range ignored[cmd] {
			if strings.Contains(out, flag) {
				t.Errorf("%s --help offers %s, which it ignores", cmd, flag)
			}
		}
	}
	code, out, _ := cli(t)
	if code != 0 || !strings.Contains(out, "Exit codes: 0 success/no_fail, 1 error, 2 unhandled, 3 setup, 4 expectation") {
		t.Errorf("usage: %d\n%s", code, out)
	}
	code, _, errOut := cli(t, "rnu")
	if code != 3 || !strings.Contains(errOut, `did you mean "run"`) {
		t.Errorf("unknown command: %d %s", code, errOut)
	}
}
