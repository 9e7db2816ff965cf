package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"connector-dev/connectors"
)

func TestLoadExpectations(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		name, src string
		want      Expectations
	}{
		{"all keys", "exit: no_fail\nmessage: No rows returned\nrows: 0\nbatches: 3\n", Expectations{Exit: "no_fail", Message: "No rows returned", Rows: n(0), Batches: n(3)}},
		{"exit defaults to success", "rows: 1000\n", Expectations{Exit: "success", Rows: n(1000)}},
		{"empty file", "", Expectations{Exit: "success"}},
		{"comments only", "# nothing yet\n", Expectations{Exit: "success"}},
		{"null count is no check", "exit: error\nrows:\n", Expectations{Exit: "error"}},
		{"checksum and schema", "rows_checksum: 00ff00ff00ff00ff\nschema:\n  id: string\n  amount: float64\n", Expectations{Exit: "success", RowsChecksum: "00ff00ff00ff00ff",
			Schema: []SchemaColumn{{"id", "string"}, {"amount", "float64"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "expect.yaml")
			if err := os.WriteFile(path, []byte(tt.src), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := LoadExpectations(path)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Schema, tt.want.Schema) || got.RowsChecksum != tt.want.RowsChecksum {
				t.Errorf("got checksum %q schema %v, want %q %v", got.RowsChecksum, got.Schema, tt.want.RowsChecksum, tt.want.Schema)
			}
			if got.Exit != tt.want.Exit || got.Message != tt.want.Message || !sameCount(got.Rows, tt.want.Rows) || !sameCount(got.Batches, tt.want.Batches) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func sameCount(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func TestLoadExpectationsMissing(t *testing.T) {
	got, err := LoadExpectations(filepath.Join(t.TempDir(), "expect.yaml"))
	if got != nil || err != nil {
		t.Errorf("missing file: got %v, %v; want nil, nil", got, err)
	}
}

func TestLoadExpectationsErrors(t *testing.T) {
	const file = "fixtures/x/expect.yaml"
	tests := []struct {
		name, src, want string
	}{
		{"unknown key with line", "exit: success\nrwos: 10\n", file + `:2: unknown key "rwos": did you mean rows? (want exit, message, rows, batches, env, rows_checksum, schema, samples)`},
		{"bad exit word", "exit: sucess\n", file + `:1: exit "sucess" is not an exit reason: did you mean success? (want one of success, no_fail, error, unhandled, setup)`},
		{"negative rows", "rows: -1\n", file + `:1: rows "-1" is not a whole number >= 0`},
		{"a stop cannot be expected", "exit: timeout\n", file + `:1: exit "timeout" cannot be expected: a stopped run is not checked, and expectation is what a miss becomes`},
		{"not a number", "batches: many\n", file + `:1: batches "many" is not a whole number >= 0`},
		{"all problems at once", "exit: 3\nrows: x\nextra: 1\n", file + `:1: exit "3" is not an exit reason (want one of success, no_fail, error, unhandled, setup); ` +
			file + `:2: rows "x" is not a whole number >= 0; ` + file + `:3: unknown key "extra" (want exit, message, rows, batches, env, rows_checksum, schema, samples)`},
		{"duplicate", "rows: 1\nrows: 2\n", file + `:2: rows is set twice`},
		{"not a mapping", "- exit: success\n", file + `:1: want keys exit, message, rows, batches, env, rows_checksum, schema, samples (for example exit: success)`},
		{"message not text", "message: [a]\n", file + `:1: message: want text, the part of the exit message to look for`},
		{"short checksum", "rows_checksum: abc\n", file + `:1: rows_checksum "abc" is not 16 hex digits (run connector-dev test --update to write it)`},
		{"schema not a mapping", "schema: [id]\n", file + `:1: schema: want COLUMN: TYPE lines, such as id: string`},
		{"schema bad type", "schema:\n  id: string\n  amount: money\n", file + `:3: schema: column amount: type "money": want string, int64, float64, bool or timestamp`},
		{"schema twice", "schema:\n  id: string\n  id: int64\n", file + `:3: schema: column id is listed twice`},
		{"samples not a list", "samples: {id: 1}\n", file + `:1: samples: want a list of rows, such as - {id: 1, name: Acme}`},
		{"sample not a row", "samples:\n  - 1\n", file + `:2: samples: row 1: want COLUMN: value pairs, such as {id: 1, name: Acme}`},
		{"yaml syntax", "exit: success\n  rows: 1\n", file + `:2: mapping values are not allowed in this context`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseExpectations(file, []byte(tt.src))
			if err == nil {
				t.Fatal("parseExpectations succeeded, want an error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

// FuzzLoadExpectations: never panics; errors are one line naming the file;
// a success always carries a valid exit word and non-negative counts.
func FuzzLoadExpectations(f *testing.F) {
	for _, s := range []string{"exit: success\nrows: 10\n", "", "rows: -1", "exit: [x]", "a: &x 1\nb: *x", "exit: success\nexit: error", "- 1", "{exit: timeout, batches: 2}", "message: |\n  multi\n  line\n", "rows_checksum: 0123456789abcdef\nschema:\n  id: string\n  n: int64\n", "schema: {a: bool, a: x}", "schema:\n  ? [k]\n  : string\n", "rows_checksum: 0x12", "samples:\n  - {id: 1, n: ~}\n  - [x]\n"} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte) {
		path := filepath.Join(dir, "expect.yaml")
		if err := os.WriteFile(path, src, 0o600); err != nil {
			t.Fatal(err)
		}
		e, err := LoadExpectations(path)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, path+":") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not one line starting with the path: %q", msg)
			}
			return
		}
		if e == nil {
			t.Fatal("an existing file gave no expectations")
		}
		valid := false
		for _, w := range []string{"success", "no_fail", "error", "unhandled", "setup", "expectation", "timeout", "interrupted"} {
			valid = valid || e.Exit == w
		}
		if e.RowsChecksum != "" && len(e.RowsChecksum) != 16 {
			t.Fatalf("accepted rows_checksum %q", e.RowsChecksum)
		}
		names := map[string]bool{}
		for _, c := range e.Schema {
			if _, err := connectors.ParseType(c.Type); err != nil || c.Name == "" || names[c.Name] {
				t.Fatalf("accepted schema column %+v", c)
			}
			names[c.Name] = true
		}
		if !valid || (e.Rows != nil && *e.Rows < 0) || (e.Batches != nil && *e.Batches < 0) {
			t.Fatalf("accepted invalid expectations %+v", e)
		}
	})
}
