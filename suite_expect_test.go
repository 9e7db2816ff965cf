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
