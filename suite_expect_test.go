package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// syntheticSchema is the synthetic source's columns, as its destination
// receives them (job.json maps none).
const syntheticSchema = "schema:\n  id: int64\n  account_name: string\n  amount: float64\n  is_active: bool\n  created_at: timestamp\n  region: string\n  quantity: int64\n  score: float64\n  email: string\n  updated_at: timestamp\n"

// A fixture pinning rows_checksum and schema fails on drift with a line
// naming it, and passes once they match: the checksum another process
// measured is the one this one measures (stable, order-independent).
func TestSuiteChecksumAndSchema(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	dir := project(t)
	expect := filepath.Join(dir, "fixtures", "synthetic", "job.expect.yaml")
	drifted := strings.Replace(syntheticSchema, "amount: float64", "amount: int64", 1)
	drifted = strings.Replace(drifted, "  email: string\n", "", 1)
	if err := os.WriteFile(expect, []byte("rows_checksum: 0000000000000001\n"+drifted+"  extra: string\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := suiteRun(t, bin, dir, []string{"POSTGRES_URL="}, "synthetic")
	if code != 4 {
		t.Fatalf("exit %d, want 4\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"\n      schema: column amount is float64, expected int64\n",
		"\n      schema: column extra is missing, expected string\n",
		"\n      schema: column email (string) is not expected\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no miss line %q in\n%s", want, out)
		}
	}
	m := regexp.MustCompile(`\n      rows_checksum: want 0000000000000001, got ([0-9a-f]{16})\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no rows_checksum miss line in\n%s", out)
	}
	if err := os.WriteFile(expect, []byte("rows_checksum: "+m[1]+"\n"+syntheticSchema), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = suiteRun(t, bin, dir, []string{"POSTGRES_URL="}, "synthetic")
	if code != 0 || !strings.Contains(out, "PASS  fixtures/synthetic/job.json  ") {
		t.Fatalf("with the measured checksum and the true schema: exit %d, want 0 and a PASS\n%s%s", code, out, errOut)
	}
	// Reordered columns are drift too, named as such.
	reordered := strings.Replace(syntheticSchema, "  id: int64\n  account_name: string\n", "  account_name: string\n  id: int64\n", 1)
	if err := os.WriteFile(expect, []byte(reordered), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = suiteRun(t, bin, dir, []string{"POSTGRES_URL="}, "synthetic")
	if code != 4 || !strings.Contains(out, "\n      schema: columns are id, account_name, amount,") || !strings.Contains(out, "; expected account_name, id, amount,") {
		t.Errorf("reordered: exit %d, want 4 and a line naming both orders\n%s", code, out)
	}
}

// test --update rewrites a fixture's expectations from its run, printing
// each change, keeping the file's comments, env: and order; the file it
// writes then holds, and a second --update changes nothing.
func TestSuiteUpdate(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	dir := project(t)
	expect := filepath.Join(dir, "fixtures", "synthetic", "job.expect.yaml")
	src := "# pinned by hand\nexit: success\nrows: 7 # the whole table\nenv:\n  SYNTHETIC_UNUSED: \"1\"\n" + strings.Replace(syntheticSchema, "amount: float64", "amount: int64", 1)
	if err := os.WriteFile(expect, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := suiteRun(t, bin, dir, []string{"POSTGRES_URL="}, "synthetic", "--update")
	if code != 0 {
		t.Fatalf("exit %d, want 0 (every miss answered by the update)\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"\nupdated  fixtures/synthetic/job.expect.yaml  rows: 7 -> 10000\n",
		"\nupdated  fixtures/synthetic/job.expect.yaml  batches: (none) -> 1\n",
		"\nupdated  fixtures/synthetic/job.expect.yaml  schema: column amount: int64 -> float64\n",
		"\nupdated 1 expectation file; review them with git diff\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no line %q in\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`\nupdated  fixtures/synthetic/job\.expect\.yaml  rows_checksum: \(none\) -> [0-9a-f]{16}\n`).MatchString(out) {
		t.Errorf("no rows_checksum line in\n%s", out)
	}
	b, err := os.ReadFile(expect)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{"# pinned by hand\nexit: success\nrows: 10000 # the whole table\nenv:\n  SYNTHETIC_UNUSED: \"1\"\nschema:\n  id: int64\n", "  amount: float64\n", "\nbatches: 1\nrows_checksum: "} {
		if !strings.Contains(got, want) {
			t.Errorf("updated file lacks %q:\n%s", want, got)
		}
	}
	code, out, errOut = suiteRun(t, bin, dir, []string{"POSTGRES_URL="}, "synthetic")
	if code != 0 || !strings.Contains(out, "PASS  fixtures/synthetic/job.json  ") {
		t.Fatalf("after --update: exit %d, want 0 and a PASS\n%s%s", code, out, errOut)
	}
	code, out, _ = suiteRun(t, bin, dir, []string{"POSTGRES_URL="}, "synthetic", "--update")
	if code != 0 || !strings.Contains(out, "\nupdated 0 expectation files;") || strings.Contains(out, "updated  ") {
		t.Errorf("second --update: exit %d, want 0 and no change\n%s", code, out)
	}
	if again, _ := os.ReadFile(expect); string(again) != got {
		t.Errorf("second --update rewrote the file:\n%s", again)
	}
}

// Sample rows must be among the loaded rows, matched on the columns they
// state; each one missing is a line naming it.
func TestSuiteSamples(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	dir := project(t)
	expect := filepath.Join(dir, "fixtures", "synthetic", "job.expect.yaml")
	if err := os.WriteFile(expect, []byte("samples:\n  - {id: 0}\n  - {id: 9999}\n  - {id: 10000}\n  - {id: 2, nope: x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := suiteRun(t, bin, dir, []string{"POSTGRES_URL="}, "synthetic")
	if code != 4 {
		t.Fatalf("exit %d, want 4\n%s%s", code, out, errOut)
	}
	want := "      samples: row 3 {id: 10000} is not among the loaded rows\n      samples: row 4 {id: 2, nope: x} is not among the loaded rows\n"
	if !strings.Contains(out, want) || strings.Contains(out, "row 1 ") || strings.Contains(out, "row 2 ") {
		t.Errorf("want exactly the misses\n%s\nin\n%s", want, out)
	}
	if err := os.WriteFile(expect, []byte("samples:\n  - {id: 0}\n  - {id: 9999}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut = suiteRun(t, bin, dir, []string{"POSTGRES_URL="}, "synthetic"); code != 0 {
		t.Errorf("samples that are there: exit %d, want 0\n%s%s", code, out, errOut)
	}
}

// --update cannot answer a message: that fixture still fails (exit 4),
// and the message it states is kept, not rewritten.
func TestSuiteUpdateKeepsMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	dir := project(t)
	expect := filepath.Join(dir, "fixtures", "synthetic", "job.expect.yaml")
	if err := os.WriteFile(expect, []byte("message: nothing like this\nrows: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := suiteRun(t, bin, dir, []string{"POSTGRES_URL="}, "synthetic", "--update")
	if code != 4 || !strings.Contains(out, "updated  fixtures/synthetic/job.expect.yaml  rows: 1 -> 10000\n") {
		t.Fatalf("exit %d, want 4 with the rows updated\n%s%s", code, out, errOut)
	}
	b, _ := os.ReadFile(expect)
	if !strings.HasPrefix(string(b), "message: nothing like this\nrows: 10000\n") {
		t.Errorf("message not kept in place:\n%s", b)
	}
}
