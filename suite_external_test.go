package main

import (
	"strings"
	"testing"

	"connector-dev/connectors/postgres/pgtest"
)

// With --external and the server's settings, the PostgreSQL fixture runs
// (and passes) instead of being skipped.
func TestSuiteExternalPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	srv := pgtest.New(t)
	bin := buildBinary(t)
	dir := project(t)
	code, out, errOut := suiteRun(t, bin, dir, []string{"POSTGRES_URL=" + srv.URL, "SYNTHETIC_ROWS=2000"}, "synthetic", "--external")
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "PASS  fixtures/synthetic/postgres.json  success  2000 rows") || strings.Contains(out, "SKIP") {
		t.Errorf("postgres fixture did not run and pass:\n%s", out)
	}
	if n := srv.Query(t, "SELECT count(*) FROM public.accounts")[0]; n != "2000" {
		t.Errorf("the server's table holds %s rows, want 2000", n)
	}
}
