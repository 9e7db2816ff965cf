package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// setJobField rewrites one string field of the synthetic job to value (a
// JSON string literal's contents, escapes allowed).
func setJobField(t *testing.T, field, value string) {
	t.Helper()
	const path = "fixtures/synthetic/job.json"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, `"`+field+`": "`)
	if start < 0 {
		t.Fatalf("%s has no %s", path, field)
	}
	start += len(field) + 5
	end := start + strings.IndexByte(s[start:], '"')
	s = s[:start] + value + s[end:]
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantSetupLine asserts exit 3 and one line on stderr holding every want.
func wantSetupLine(t *testing.T, code int, out, errOut string, want ...string) {
	t.Helper()
	if code != 3 {
		t.Fatalf("exit %d, want 3\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if lines := strings.Split(strings.TrimSpace(errOut), "\n"); len(lines) != 1 {
		t.Errorf("want one line on stderr, got %d:\n%s", len(lines), errOut)
	}
	for _, w := range want {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q: %s", w, errOut)
		}
	}
	if strings.Contains(errOut, "goroutine ") {
		t.Errorf("stderr has a stack: %s", errOut)
	}
}

// check and run refuse a job or table name that S3 or a table cannot hold,
// and case-only duplicate columns, in one line naming file and field; a job
// name at the limit runs.
func TestNamesThatCannotBeKeysOrTables(t *testing.T) {
	tests := []struct {
		name, field, value string
		want               []string
	}{
		{"job name too long", "ETLJobNM", strings.Repeat("j", 129), []string{"fixtures/synthetic/job.json: ETLJobNM is 129 bytes long: shorten it to at most 128 bytes"}},
		{"NUL in job name", "ETLJobNM", `a\u0000b`, []string{"fixtures/synthetic/job.json: ETLJobNM has a control character (U+0000 at byte 1): remove it"}},
		{"C1 in job name", "ETLJobNM", `a\u0085b`, []string{"ETLJobNM has a control character (U+0085"}},
		{"DEL in job name", "ETLJobNM", `a\u007fb`, []string{"ETLJobNM has a control character (U+007F"}},
		{"dot dot job name", "ETLJobNM", "..", []string{`ETLJobNM ".." is a path segment`}},
		{"slash in job name", "ETLJobNM", "a/b", []string{`ETLJobNM "a/b" may not contain /`}},
		{"slash in table", "DestinationObjectID", "a/b", []string{`fixtures/synthetic/job.json: DestinationObjectID "a/b" may not contain /`}},
		{"newline in table", "DestinationObjectID", `a\nb`, []string{"DestinationObjectID has a control character (U+000A"}},
		{"table too long", "DestinationObjectID", strings.Repeat("t", 256), []string{"DestinationObjectID is 256 bytes long: shorten it to at most 255 bytes"}},
		{"case-only duplicate columns", "", "", []string{`fixtures/synthetic/job.json: JobDataJSON: destination columns "email" and "EMAIL" differ only in case`, "rename one"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project(t)
			if tt.field != "" {
				setJobField(t, tt.field, tt.value)
			} else {
				b, _ := os.ReadFile("fixtures/synthetic/job.json")
				os.WriteFile("fixtures/synthetic/job.json", []byte(strings.Replace(string(b), `"source": "updated_at", "destination": "updated_at"`, `"source": "updated_at", "destination": "EMAIL"`, 1)), 0o644)
			}
			for _, cmd := range []string{"check", "run"} {
				code, out, errOut := cli(t, cmd, "synthetic")
				wantSetupLine(t, code, out, errOut, tt.want...)
			}
			if _, err := os.Stat(".connector-dev"); err == nil {
				t.Errorf("a refused job wrote state")
			}
		})
	}
	t.Run("job name at the limit runs", func(t *testing.T) {
		project(t)
		t.Setenv("SYNTHETIC_ROWS", "100")
		setJobField(t, "ETLJobNM", strings.Repeat("j", 128))
		if code, out, errOut := cli(t, "run", "synthetic", "--ci"); code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		if n := countRows(t, ".connector-dev/warehouse.db", "accounts"); n != 100 {
			t.Errorf("warehouse has %d rows, want 100", n)
		}
	})
}

// A Replace keeps a user's table that has the name the staging table used
// to have.
func TestReplaceKeepsUsersStagingNamedTable(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "500")
	os.MkdirAll(".connector-dev", 0o755)
	db, err := sql.Open("sqlite", ".connector-dev/warehouse.db")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`CREATE TABLE accounts__connector_dev_replace (mine TEXT)`, `INSERT INTO accounts__connector_dev_replace VALUES ('keep me')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	for range 2 {
		if code, out, errOut := cli(t, "run", "synthetic", "--ci"); code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "accounts__connector_dev_replace"); n != 1 {
		t.Errorf("the user's table has %d rows, want its 1", n)
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "accounts"); n != 500 {
		t.Errorf("accounts has %d rows, want 500", n)
	}
}

// A connector's own bad setting is a setup error before any stage: one
// line naming the variable, exit 3, nothing run or written.
func TestConnectorCheckIsSetup(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"synthetic rows", map[string]string{"SYNTHETIC_ROWS": "abc"},
			[]string{`synthetic: SYNTHETIC_ROWS="abc" is not a whole number: it must be 0 or more, a row count such as 1000000`}},
		{"synthetic rows negative", map[string]string{"SYNTHETIC_ROWS": "-5"},
			[]string{`synthetic: SYNTHETIC_ROWS="-5" is negative: it must be 0 or more, a row count such as 1000000`}},
		{"synthetic log lines", map[string]string{"SYNTHETIC_LOG_LINES": "-1"}, []string{`SYNTHETIC_LOG_LINES="-1" is negative: it must be 0 or more`}},
		{"sqlite path under a file", map[string]string{"SQLITE_DATABASE": "connectors.yaml/w.db"},
			[]string{"sqlite: the database file in SQLITE_DATABASE", "lies under a file, not a folder"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			for _, cmd := range []string{"check", "run"} {
				code, out, errOut := cli(t, cmd, "synthetic")
				wantSetupLine(t, code, out, errOut, tt.want...)
				if strings.Contains(out, "Generating") {
					t.Errorf("%s ran the source:\n%s", cmd, out)
				}
			}
			if _, err := os.Stat(".connector-dev"); err == nil {
				t.Errorf("a failed check wrote state")
			}
		})
	}
	t.Run("salesforce login URL", func(t *testing.T) {
		project(t)
		t.Setenv("SALESFORCE_LOGIN_URL", "login.example.com")
		code, out, errOut := cli(t, "run", "salesforce", "--ci")
		wantSetupLine(t, code, out, errOut, `salesforce: SALESFORCE_LOGIN_URL "login.example.com" is not a URL`)
	})
	t.Run("a credential is never echoed", func(t *testing.T) {
		project(t)
		// The database path is a credential: a check naming it is scrubbed.
		secret := filepath.Join("connectors.yaml", "secret-path-1234.db")
		t.Setenv("SQLITE_DATABASE", secret)
		code, out, errOut := cli(t, "check", "synthetic")
		wantSetupLine(t, code, out, errOut, "sqlite:")
		if strings.Contains(errOut, "secret-path-1234") {
			t.Errorf("the credential's value reached the screen: %s", errOut)
		}
	})
	t.Run("check lists the connectors' own checks", func(t *testing.T) {
		project(t)
		code, out, errOut := cli(t, "check", "synthetic")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		for _, w := range []string{"source: synthetic's own check ok", "destination: sqlite's own check ok"} {
			if !strings.Contains(out, w) {
				t.Errorf("check output lacks %q:\n%s", w, out)
			}
		}
	})
}

// A job of 200,000 comment keys checks; one of 200,000 unknown keys is one
// line listing the first problems (see BenchmarkLoadJobKeys for the speed).
func TestCheckJobOfManyKeys(t *testing.T) {
	project(t)
	b, _ := os.ReadFile("fixtures/synthetic/job.json")
	for _, tc := range []struct {
		key  string
		code int
	}{{"_note%d", 0}, {"Unknown%d", 3}} {
		var extra strings.Builder
		for i := range 200_000 {
			fmt.Fprintf(&extra, ",\n  %q: %d", fmt.Sprintf(tc.key, i), i)
		}
		job := strings.Replace(string(b), `"UpdateMethodCD": 2`, `"UpdateMethodCD": 2`+extra.String(), 1)
		os.WriteFile("big.json", []byte(job), 0o644)
		code, out, errOut := cli(t, "check", "synthetic", "--job", "big.json")
		if code != tc.code {
			t.Fatalf("%s: exit %d, want %d\n%s\n%.500s", tc.key, code, tc.code, out, errOut)
		}
		if tc.code == 3 {
			wantSetupLine(t, code, out, errOut, `big.json:31:3: unknown key "Unknown0"`, "and 199980 more problems")
		}
	}
}

// .env.credentials through godotenv: a single-quoted value survives exactly
// (here a database path with quotes, <, & and spaces, which the run then
// creates), $VAR expansion is noted once naming the variable but not the
// value, and a broken line is exit 3 naming file:line and no value.
func TestDotenvThroughGodotenv(t *testing.T) {
	t.Run("single quotes keep the value", func(t *testing.T) {
		project(t)
		t.Setenv("SYNTHETIC_ROWS", "10")
		os.WriteFile(".env.credentials", []byte("SQLITE_DATABASE='my \"db\" <x>&y $Z.db'\nSALESFORCE_TOKEN=tok\n"), 0o600)
		code, out, errOut := cli(t, "run", "synthetic", "--ci")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		if n := countRows(t, `my "db" <x>&y $Z.db`, "accounts"); n != 10 {
			t.Errorf("the database named by the quoted value has %d rows, want 10", n)
		}
		if strings.Contains(out, "expanded") {
			t.Errorf("a single-quoted value was noted as expanded:\n%s", out)
		}
	})
	t.Run("expansion is noted by name", func(t *testing.T) {
		project(t)
		t.Setenv("SYNTHETIC_ROWS", "10")
		os.WriteFile(".env.credentials", []byte("SQLITE_DATABASE=w.db\nSALESFORCE_TOKEN=sEcr3t$PART-tail\n"), 0o600)
		code, out, errOut := cli(t, "run", "synthetic", "--ci")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		want := ".env.credentials:2: SALESFORCE_TOKEN: godotenv expanded a $NAME in the value, as a shell does"
		if strings.Count(out, want) != 1 {
			t.Errorf("want the note once, naming the variable:\n%s", out)
		}
		if strings.Contains(out, "sEcr3t") || strings.Contains(out, "PART") {
			t.Errorf("the value reached the output:\n%s", out)
		}
	})
	t.Run("a broken line names file and line, not the value", func(t *testing.T) {
		project(t)
		os.WriteFile(".env.credentials", []byte("SQLITE_DATABASE=w.db\n\nSALESFORCE_TOKEN=\"sEcr3t-never-closed\n"), 0o600)
		for _, cmd := range []string{"check", "run"} {
			code, out, errOut := cli(t, cmd, "synthetic")
			wantSetupLine(t, code, out, errOut, `.env.credentials:3: SALESFORCE_TOKEN: the value's opening " is never closed`)
			if strings.Contains(errOut+out, "sEcr3t") {
				t.Errorf("the value reached the output: %s", errOut)
			}
		}
	})
}
