package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// test --update creates the expectation file of a fixture that has none,
// from its run, and the file then holds; it creates none for a fixture
// whose run fails (that would make the failure pass), which still fails.
func TestSuiteUpdateCreates(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	dir := project(t)
	expect := filepath.Join(dir, "fixtures", "synthetic", "job.expect.yaml")
	if _, err := os.Stat(expect); err == nil {
		t.Fatal("the committed synthetic job has an expectation file: this test needs one without")
	}
	job, _ := os.ReadFile(filepath.Join(dir, "fixtures", "salesforce", "job.json"))
	if err := os.WriteFile(filepath.Join(dir, "fixtures", "salesforce", "nocassette.json"), job, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := suiteRun(t, bin, dir, []string{"POSTGRES_URL=", "SYNTHETIC_ROWS=200"}, "--update",
		"--job", "fixtures/synthetic/job.json", "--job", "fixtures/salesforce/nocassette.json")
	if code != 4 {
		t.Errorf("exit %d, want 4 (the fixture without a cassette still fails)\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"\ncreated  fixtures/synthetic/job.expect.yaml  exit: (none) -> success\n",
		"\ncreated  fixtures/synthetic/job.expect.yaml  rows: (none) -> 200\n",
		"\ncreated  fixtures/synthetic/job.expect.yaml  samples: (none) -> 3 rows\n",
		"\nnot updated  fixtures/salesforce/nocassette.json: the run ended error, not success: fixtures/salesforce/nocassette.expect.yaml is not created from a failing run",
		"\nupdated 1 expectation file;",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no line %q in\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "fixtures", "salesforce", "nocassette.expect.yaml")); err == nil {
		t.Error("an expectation file was created for the failing fixture")
	}
	b, err := os.ReadFile(expect)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^# Written by connector-dev test --update from a replay of fixtures/synthetic/job.json\. .*\n# .*\nexit: success\nrows: 200\nbatches: 1\nrows_checksum: [0-9a-f]{16}\n` + regexp.QuoteMeta(syntheticSchema) + `samples:\n(  - \{id: \d+, account_name: account-\d+, .*\}\n){3}$`).Match(b) {
		t.Errorf("created file:\n%s", b)
	}
	code, out, errOut = suiteRun(t, bin, dir, []string{"SYNTHETIC_ROWS=200"}, "synthetic")
	if code != 0 || !strings.Contains(out, "PASS  fixtures/synthetic/job.json  success  200 rows") {
		t.Errorf("after the file was created: exit %d\n%s%s", code, out, errOut)
	}
}

// --update keeps the samples that hold (as written by hand) and puts
// measured rows in place of those that miss; samples that all hold are
// left alone.
func TestSuiteUpdateSamples(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	dir := project(t)
	expect := filepath.Join(dir, "fixtures", "synthetic", "job.expect.yaml")
	src := "rows: 10000\nsamples:\n  - {id: 7} # mine\n  - {id: 123456}\n"
	if err := os.WriteFile(expect, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := suiteRun(t, bin, dir, []string{"POSTGRES_URL="}, "synthetic", "--update")
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "\nupdated  fixtures/synthetic/job.expect.yaml  samples: row 2 {id: 123456} removed\n") ||
		!regexp.MustCompile(`\nupdated  fixtures/synthetic/job.expect.yaml  samples: row \{id: \d+, account_name: account-\d+, .*\} added\n`).MatchString(out) {
		t.Errorf("no samples lines in\n%s", out)
	}
	b, _ := os.ReadFile(expect)
	if !regexp.MustCompile(`\nsamples:\n  - \{id: 7\} # mine\n  - \{id: \d+, account_name: account-\d+, [^\n]*\}\n`).Match(b) || strings.Contains(string(b), "123456") {
		t.Errorf("updated file:\n%s", b)
	}
	code, out, _ = suiteRun(t, bin, dir, []string{"POSTGRES_URL="}, "synthetic", "--update")
	if again, _ := os.ReadFile(expect); code != 0 || string(again) != string(b) || strings.Contains(out, "updated  ") {
		t.Errorf("second --update: exit %d, changed the file or printed a change\n%s\n%s", code, out, again)
	}
}
