package main

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors/salesforce/salesforcetest"
	"connector-dev/fakes3"
)

func TestFaultsBadSpec(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "synthetic", "--ci", "--faults", "s3:5o3=0.1"},
			`connector-dev run: --faults "s3:5o3=0.1": unknown kind "5o3" for s3 (kinds: 503, reset, slow, truncate)`},
		{[]string{"run", "synthetic", "--ci", "--faults", "s3=0.2,dns=0.1"}, `unknown target "dns" in "dns=0.1"`},
		{[]string{"run", "synthetic", "--ci", "--faults", "s3=2"}, `rate "2" of s3 is not a fraction from 0 to 1`},
		{[]string{"run", "synthetic", "--ci", "--faults", "http:429=0.2,seed=-1"}, `seed "-1" is not a whole number`},
		{[]string{"run", "synthetic", "--ci", "--faults", "http:slow=0.5"}, `unknown kind "slow" for http (kinds: 429, 503, reset, timeout)`},
		{[]string{"s3", "--faults", "s3:reset"}, `connector-dev s3: --faults "s3:reset": "s3:reset" is not TARGET[:KIND]=RATE`},
		{[]string{"s3", "--faults", "s3=0.1,http:429=0.5"}, `connector-dev s3: --faults "s3=0.1,http:429=0.5": connector-dev s3 serves S3 only`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			project(t)
			code, out, errOut := cli(t, tt.args...)
			if code != 3 {
				t.Fatalf("exit %d, want 3\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			if lines := strings.Split(strings.TrimSpace(errOut), "\n"); len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Errorf("stderr = %q, want one line containing %q", errOut, tt.want)
			}
			if _, err := os.Stat(".connector-dev"); err == nil {
				t.Errorf("a bad --faults left a state folder: nothing should have started")
			}
		})
	}
}

// faultLines are the run log's fault lines without their timestamps: which
// requests failed and how.
func faultLines(t *testing.T, runID string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(".connector-dev", "runs", runID, "run.log"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if i := strings.Index(l, "faults: injected "); i >= 0 {
			out = append(out, strings.ReplaceAll(l[i:], runID, "RUN"))
		}
	}
	slices.Sort(out)
	return out
}

func sumCounts(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// s3=1 fails every S3 request: the run ends in error naming the operation
// and the key, the table a previous run loaded is untouched, and the log and
// report.json count the same faults.
func TestFaultsEveryS3RequestFails(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "2000")
	t.Setenv("BATCH_ROWS", "1000")
	if code, out, errOut := cli(t, "run", "synthetic", "--ci"); code != 0 {
		t.Fatalf("first run: exit %d\n%s\n%s", code, out, errOut)
	}
	t.Setenv("SYNTHETIC_ROWS", "3000")
	code, out, errOut := cli(t, "run", "synthetic", "--ci", "--faults", "s3=1,seed=11")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	if !regexp.MustCompile(`EXIT +error \(code 1\): .*(put|get|head|list) s3://connector-dev/synthetic-accounts/`).MatchString(out) {
		t.Errorf("the exit line does not name the S3 operation and key:\n%s", out)
	}
	if !strings.Contains(out, "faults: s3=1, seed=11 (pass seed=11 to repeat)") {
		t.Errorf("the run does not say which faults it injects:\n%s", out)
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "accounts"); n != 2000 {
		t.Errorf("warehouse has %d rows, want the first run's 2000 untouched", n)
	}
	rep := lastReport(t)
	lines := faultLines(t, rep.RunID)
	if sumCounts(rep.Faults) == 0 || sumCounts(rep.Faults) != int64(len(lines)) {
		t.Errorf("report.json counts %v faults, run.log has %d fault lines:\n%s", rep.Faults, len(lines), strings.Join(lines, "\n"))
	}
	for k := range rep.Faults {
		if k != "s3:503" && k != "s3:reset" && k != "s3:truncate" {
			t.Errorf("report counts a fault of kind %q under s3=1", k)
		}
	}
}

// Against an S3 the harness did not start, faults are injected in the
// client's transport.
func TestFaultsExternalS3(t *testing.T) {
	project(t)
	srv, err := fakes3.Start(fakes3.Options{AccessKey: "connector-dev", SecretKey: "connector-dev-secret", Buckets: []string{"connector-dev"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	t.Setenv("SYNTHETIC_ROWS", "1000")
	code, out, errOut := cli(t, "run", "synthetic", "--ci", "--s3-endpoint", srv.URL(), "--faults", "s3:503=1,seed=2")
	if code != 1 || !strings.Contains(out, "SlowDown") {
		t.Fatalf("exit %d, want 1 with the injected SlowDown named\n%s\n%s", code, out, errOut)
	}
	if rep := lastReport(t); rep.Faults["s3:503"] == 0 || len(rep.Faults) != 1 {
		t.Errorf("report faults = %v, want only s3:503", rep.Faults)
	}
}

// HTTP faults reach the connector (the Salesforce source retries a 503),
// never the cassette, and the same seed fails the same requests.
func TestFaultsHTTPSalesforceReplay(t *testing.T) {
	project(t)
	t.Setenv("SALESFORCE_RETRY_BASE", "1ms")
	t.Setenv("LOG_LEVEL", "debug")
	cassette, err := os.ReadFile("fixtures/salesforce/job.cassette.yaml")
	if err != nil {
		t.Fatal(err)
	}
	runOnce := func(spec string) (string, []string, map[string]int64) {
		t.Helper()
		code, out, errOut := cli(t, "run", "salesforce", "--ci", "--faults", spec)
		if code != 0 {
			t.Fatalf("--faults %s: exit %d\n%s\n%s", spec, code, out, errOut)
		}
		if n := countRows(t, ".connector-dev/warehouse.db", "sf_account"); n != 5000 {
			t.Errorf("--faults %s: sf_account has %d rows, want 5000", spec, n)
		}
		rep := lastReport(t)
		return out, faultLines(t, rep.RunID), rep.Faults
	}
	out, first, counts := runOnce("http:503=0.3,seed=5")
	if counts["http:503"] == 0 || counts["http:503"] != int64(len(first)) {
		t.Errorf("report counts %v, run.log has %d fault lines", counts, len(first))
	}
	if !strings.Contains(out, "Salesforce answered HTTP 503") || !strings.Contains(out, "DEBUG             faults: injected http:503 into ") {
		t.Errorf("the output does not show the injected 503s and the retries:\n%s", out)
	}
	_, again, _ := runOnce("http:503=0.3,seed=5")
	if !slices.Equal(first, again) {
		t.Errorf("seed 5 failed different requests in two runs:\n%s\n--\n%s", strings.Join(first, "\n"), strings.Join(again, "\n"))
	}
	_, other, _ := runOnce("http:503=0.3,seed=6")
	if slices.Equal(first, other) {
		t.Errorf("seeds 5 and 6 failed the same requests")
	}
	// Without seed= one is chosen and printed; passing it repeats the run.
	// (A lower rate: a random seed must not fail one request past the
	// source's 4 retries, 0.1^5 per request.)
	out, chosen, _ := runOnce("http:503=0.1")
	m := regexp.MustCompile(`faults: http:503=0.1, seed=(\d+) \(pass seed=(\d+) to repeat\)`).FindStringSubmatch(out)
	if m == nil || m[1] != m[2] {
		t.Fatalf("no chosen seed printed:\n%s", out)
	}
	if _, repeated, _ := runOnce("http:503=0.1,seed=" + m[1]); !slices.Equal(chosen, repeated) {
		t.Errorf("seed=%s did not repeat the run it was printed by", m[1])
	}
	if after, _ := os.ReadFile("fixtures/salesforce/job.cassette.yaml"); !bytes.Equal(after, cassette) {
		t.Errorf("the cassette changed under --faults")
	}
}

// Recording under HTTP faults: the connector meets them (and retries), the
// cassette keeps only what the service answered, and replays clean.
func TestFaultsNeverReachACassette(t *testing.T) {
	project(t)
	// The fixture's expectations describe its committed cassette (5,000
	// rows); against this org a recording would be kept beside it, not in
	// its place. Without them, a successful recording replaces it.
	if err := os.Remove("fixtures/salesforce/job.expect.yaml"); err != nil {
		t.Fatal(err)
	}
	jan1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	org := &salesforcetest.Org{
		Object: "Account", Fields: salesforcetest.AccountFields(), PageSize: 100,
		Records:  salesforcetest.Accounts(450, 3, jan1, jan1.AddDate(0, 0, 30)),
		ClientID: "fault-client", ClientSecret: "fault-secret", RefreshToken: "fault-refresh-token",
	}
	srv := httptest.NewServer(org)
	defer srv.Close()
	t.Setenv("SALESFORCE_LOGIN_URL", srv.URL)
	t.Setenv("SALESFORCE_CLIENT_ID", org.ClientID)
	t.Setenv("SALESFORCE_CLIENT_SECRET", org.ClientSecret)
	t.Setenv("SALESFORCE_TOKEN", org.RefreshToken)
	t.Setenv("SALESFORCE_RETRY_BASE", "1ms")
	code, out, errOut := cli(t, "run", "salesforce", "--ci", "--record", "--faults", "http:503=0.3,http:429=0.2,seed=9")
	if code != 0 {
		t.Fatalf("record: exit %d\n%s\n%s", code, out, errOut)
	}
	rep := lastReport(t)
	if rep.Faults["http:503"] == 0 || rep.Faults["http:429"] == 0 || rep.Rows() != 450 {
		t.Fatalf("record: faults %v, rows %d; want both kinds injected and 450 rows", rep.Faults, rep.Rows())
	}
	if got, want := len(org.Requests()), 2+5; got != want { // token, describe, 5 pages of 100
		t.Errorf("the org served %d requests, want %d: a faulted request reached it", got, want)
	}
	cassette, err := os.ReadFile("fixtures/salesforce/job.cassette.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"fault injected", "code: 503", "code: 429"} {
		if bytes.Contains(cassette, []byte(bad)) {
			t.Errorf("the cassette holds %q", bad)
		}
	}
	srv.Close()
	code, out, errOut = cli(t, "run", "salesforce", "--ci", "--replay")
	if rep := lastReport(t); code != 0 || rep.Rows() != 450 {
		t.Errorf("replay of the recording: exit %d, %d rows\n%s\n%s", code, rep.Rows(), out, errOut)
	}
}

// Every HTTP kind, mixed: the Salesforce source retries 429s and 503s and
// the requests that got no answer (reset, timeout), and loads every row.
func TestFaultsHTTPMixedKinds(t *testing.T) {
	project(t)
	t.Setenv("SALESFORCE_RETRY_BASE", "1ms")
	code, out, errOut := cli(t, "run", "salesforce", "--ci", "--faults", "http=0.4,seed=5")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "sf_account"); n != 5000 {
		t.Errorf("sf_account has %d rows, want 5000", n)
	}
	rep := lastReport(t)
	for _, k := range []string{"http:429", "http:503", "http:reset", "http:timeout"} {
		if rep.Faults[k] == 0 {
			t.Errorf("seed 5 at http=0.4 injected no %s: %v", k, rep.Faults)
		}
	}
	if !strings.Contains(out, "no answer from Salesforce") || !strings.Contains(out, fmt.Sprintf("faults: %d injected (", sumCounts(rep.Faults))) {
		t.Errorf("the output does not show the retried resets and the fault count:\n%s", out)
	}
}
