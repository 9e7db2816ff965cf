package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connector-dev/connectors/postgres/pgtest"
)

const postgresJob = "fixtures/synthetic/postgres.json"

// The committed PostgreSQL job loads the synthetic rows into the server of
// POSTGRES_URL; a second run (Replace) leaves the same count.
func TestSyntheticIntoPostgres(t *testing.T) {
	srv := pgtest.New(t)
	project(t)
	t.Setenv("POSTGRES_URL", srv.URL)
	t.Setenv("SYNTHETIC_ROWS", "25000")
	t.Setenv("BATCH_ROWS", "10000")
	for i := 0; i < 2; i++ {
		code, out, errOut := cli(t, "run", "synthetic", "--ci", "--job", postgresJob)
		if code != 0 {
			t.Fatalf("run %d: exit %d\n%s\n%s", i+1, code, out, errOut)
		}
		if !strings.Contains(out, `postgres: loaded 25,000 rows into "public"."accounts" on 127.0.0.1:`) {
			t.Errorf("output lacks the load line:\n%s", out)
		}
		if n := srv.Query(t, "SELECT count(*), count(DISTINCT id) FROM public.accounts")[0]; n != "25000\t25000" {
			t.Errorf("run %d: table holds (rows, ids) %s, want 25000 of each", i+1, n)
		}
	}
	srv.Exec(t, "DROP TABLE public.accounts")
}

// A name PostgreSQL would cut is refused by check, before anything runs.
func TestPostgresCheckRefusesLongName(t *testing.T) {
	project(t)
	b, err := os.ReadFile(postgresJob)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 64)
	os.WriteFile(postgresJob, []byte(strings.Replace(string(b), `"public.accounts"`, `"public.`+long+`"`, 1)), 0o644)
	code, out, errOut := cli(t, "check", "synthetic", "--job", postgresJob)
	wantSetupLine(t, code, out, errOut, "postgres: DestinationObjectID's table", "is 64 bytes long", "at most 63 bytes")
}

// A server that cannot be reached is one error line naming host and port;
// the URL's password is in no output, log or report, its host is.
func TestPostgresUnreachableKeepsPassword(t *testing.T) {
	project(t)
	const password = "pg-pass-Zq81x"
	t.Setenv("POSTGRES_URL", "postgres://loader:"+password+"@127.0.0.1:1/warehouse")
	t.Setenv("SYNTHETIC_ROWS", "100")
	code, out, errOut := cli(t, "run", "synthetic", "--ci", "--job", postgresJob)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "error (code 1): postgres: cannot reach the PostgreSQL server at 127.0.0.1:1: connection refused") {
		t.Errorf("output lacks the error line:\n%s", out)
	}
	rep := lastReport(t)
	texts := map[string]string{"stdout": out, "stderr": errOut}
	for _, f := range []string{"run.log", "report.json", "job.json"} {
		b, _ := os.ReadFile(filepath.Join(".connector-dev", "runs", rep.RunID, f))
		texts[f] = string(b)
	}
	for name, text := range texts {
		if strings.Contains(text, password) {
			t.Errorf("%s holds the password:\n%s", name, text)
		}
	}
	if !strings.Contains(texts["run.log"], "127.0.0.1:1") {
		t.Errorf("run.log does not name the server")
	}
}
