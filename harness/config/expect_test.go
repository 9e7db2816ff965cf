package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		{"unknown key with line", "exit: success\nrwos: 10\n", file + `:2: unknown key "rwos": did you mean rows? (want exit, message, rows, batches, env)`},
		{"bad exit word", "exit: sucess\n", file + `:1: exit "sucess" is not an exit reason: did you mean success? (want one of success, no_fail, error, unhandled, setup)`},
		{"negative rows", "rows: -1\n", file + `:1: rows "-1" is not a whole number >= 0`},
		{"a stop cannot be expected", "exit: timeout\n", file + `:1: exit "timeout" cannot be expected: a stopped run is not checked, and expectation is what a miss becomes`},
		{"not a number", "batches: many\n", file + `:1: batches "many" is not a whole number >= 0`},
		{"all problems at once", "exit: 3\nrows: x\nextra: 1\n", file + `:1: exit "3" is not an exit reason (want one of success, no_fail, error, unhandled, setup); ` +
			file + `:2: rows "x" is not a whole number >= 0; ` + file + `:3: unknown key "extra" (want exit, message, rows, batches, env)`},
		{"duplicate", "rows: 1\nrows: 2\n", file + `:2: rows is set twice`},
		{"not a mapping", "- exit: success\n", file + `:1: want keys exit, message, rows, batches, env (for example exit: success)`},
		{"message not text", "message: [a]\n", file + `:1: message: want text, the part of the exit message to look for`},
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
	for _, s := range []string{"exit: success\nrows: 10\n", "", "rows: -1", "exit: [x]", "a: &x 1\nb: *x", "exit: success\nexit: error", "- 1", "{exit: timeout, batches: 2}", "message: |\n  multi\n  line\n"} {
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
		if !valid || (e.Rows != nil && *e.Rows < 0) || (e.Batches != nil && *e.Batches < 0) {
			t.Fatalf("accepted invalid expectations %+v", e)
		}
	})
}
