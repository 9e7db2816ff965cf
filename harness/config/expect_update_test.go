package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUpdateExpectations(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	s := func(v string) *string { return &v }
	src := "# Written by a generator: keep this line.\nexit: success\nmessage: \"\"\nrows: 450 # the window\nbatches: 3\n# settings\nenv:\n  SALESFORCE_RETRY_BASE: \"1ms\"\nschema: {id: string, n: int64}\n"
	got, changes, err := UpdateExpectations("x.expect.yaml", []byte(src), ExpectUpdate{Exit: s("success"), Rows: n(500), Batches: n(3),
		RowsChecksum: s("00000000000000ff"), Schema: []SchemaColumn{{"id", "string"}, {"n", "float64"}, {"at", "timestamp"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "# Written by a generator: keep this line.\nexit: success\nmessage: \"\"\nrows: 500 # the window\nbatches: 3\n# settings\nenv:\n  SALESFORCE_RETRY_BASE: \"1ms\"\nschema: {id: string, n: float64, at: timestamp}\nrows_checksum: 00000000000000ff\n"
	if string(got) != want {
		t.Errorf("updated file\n got: %q\nwant: %q", got, want)
	}
	if strings.Join(changes, "; ") != "rows: 450 -> 500; rows_checksum: (none) -> 00000000000000ff; schema: column n: int64 -> float64; schema: column at (timestamp) added" {
		t.Errorf("changes: %q", changes)
	}
	e, err := parseExpectations("x", got)
	if err != nil || *e.Rows != 500 || e.RowsChecksum != "00000000000000ff" || len(e.Schema) != 3 || e.Env["SALESFORCE_RETRY_BASE"] != "1ms" {
		t.Errorf("the updated file reads back as %+v, %v", e, err)
	}
}

// Nothing changed: the bytes stay the file's own, for every committed file.
func TestUpdateExpectationsNoChange(t *testing.T) {
	files, _ := filepath.Glob("../../fixtures/*/*.expect.yaml")
	if len(files) == 0 {
		t.Fatal("no committed expectations")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		e, err := parseExpectations(f, src)
		if err != nil {
			t.Fatal(err)
		}
		got, changes, err := UpdateExpectations(f, src, ExpectUpdate{Exit: &e.Exit, Rows: e.Rows, Batches: e.Batches})
		if err != nil || len(changes) > 0 || string(got) != string(src) {
			t.Errorf("%s: unchanged update gave %q, %v", f, changes, err)
		}
		// A real change re-encodes: everything else must come out as it was.
		one := int64(1)
		got, _, err = UpdateExpectations(f, src, ExpectUpdate{Rows: &one})
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, l := range strings.Split(string(src), "\n") {
			if !strings.HasPrefix(l, "rows:") {
				kept = append(kept, l)
			}
		}
		for _, l := range kept {
			if !strings.Contains(string(got), l) {
				t.Errorf("%s: line %q lost in\n%s", f, l, got)
			}
		}
	}
}

func TestUpdateExpectationsEmpty(t *testing.T) {
	for _, src := range []string{"", "# nothing yet\n"} {
		n := int64(7)
		got, _, err := UpdateExpectations("x", []byte(src), ExpectUpdate{Rows: &n})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(got), src) || !strings.Contains(string(got), "rows: 7\n") {
			t.Errorf("from %q: %q", src, got)
		}
	}
}

// FuzzUpdateExpectations: never panics; what it writes parses back with
// the values set, and a file it rejects is rejected by the loader too.
func FuzzUpdateExpectations(f *testing.F) {
	for _, s := range []string{"exit: success\nrows: 10\n", "", "# c\n", "schema: {a: bool}\nrows: 1 # x\n", "env:\n  A: \"1\"\n", "rows:\n", "{rows: 3}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		n, sum := int64(42), "0123456789abcdef"
		got, _, err := UpdateExpectations("x", src, ExpectUpdate{Rows: &n, RowsChecksum: &sum, Schema: []SchemaColumn{{"id", "int64"}}})
		if err != nil {
			if _, perr := parseExpectations("x", src); perr == nil {
				t.Fatalf("update failed on a valid file: %v", err)
			}
			return
		}
		e, err := parseExpectations("x", got)
		if err != nil {
			t.Fatalf("wrote a file that does not load: %v\n%q", err, got)
		}
		if e.Rows == nil || *e.Rows != 42 || e.RowsChecksum != sum || len(e.Schema) != 1 {
			t.Fatalf("wrote %+v from %q", e, got)
		}
	})
}
