package postgres_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/postgres"
	"connector-dev/connectors/postgres/pgtest"
)

// runLoad runs the destination over frames into schema.table and returns
// the exit reason and message, as the harness would end it.
func runLoad(t *testing.T, url, object string, method int, frames ...*connectors.Frame) (connectors.ExitReason, string, *connectortest.Runtime) {
	t.Helper()
	rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "t", DestinationObjectID: object, UpdateMethodCD: method})
	rt.Creds[postgres.URLField] = url
	rt.Input = frames
	reason, msg := rt.RunDestination(context.Background(), &postgres.Destination{})
	return reason, msg, rt
}

// ids is a frame of one bigint column "id" holding from..to-1.
func ids(from, to int) *connectors.Frame {
	f := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64})
	for i := from; i < to; i++ {
		f.AppendRow(int64(i))
	}
	return f
}

func TestTypesRoundTrip(t *testing.T) {
	srv := shared.Get(t)
	schema := srv.Schema(t)
	f := connectors.NewFrame(
		connectors.Field{Name: "s", Type: connectors.String, Nullable: true},
		connectors.Field{Name: "i", Type: connectors.Int64, Nullable: true},
		connectors.Field{Name: "f", Type: connectors.Float64, Nullable: true},
		connectors.Field{Name: "b", Type: connectors.Bool, Nullable: true},
		connectors.Field{Name: "ts", Type: connectors.Timestamp, Nullable: true},
		connectors.Field{Name: "Mixed Case", Type: connectors.String},
	)
	zone := time.FixedZone("+05:30", 5*3600+1800)
	rows := [][]any{
		{"tab\there, \"quotes\", 'single', back\\slash\\N, new\nline\r\n", int64(math.MaxInt64), math.MaxFloat64, true,
			time.Date(2026, 1, 31, 8, 0, 0, 123456000, zone), "ünïcödé ✓ 日本語 🎉"},
		{nil, nil, nil, nil, nil, ""},
		{"", int64(math.MinInt64), -0.5, false, time.Date(1969, 7, 20, 20, 17, 40, 0, time.UTC), `\.`},
		{"NULL", int64(-1), math.Inf(-1), true, time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), "x"},
	}
	for _, r := range rows {
		if err := f.AppendRow(r...); err != nil {
			t.Fatal(err)
		}
	}
	reason, msg, _ := runLoad(t, srv.URL, schema+".types", connectors.Replace, f)
	if reason != connectors.Success {
		t.Fatalf("%s: %s", reason, msg)
	}
	got := srv.Query(t, `SELECT s, i, f, b, ts, "Mixed Case" FROM `+schema+`.types ORDER BY i NULLS FIRST`)
	want := []string{
		"NULL\tNULL\tNULL\tNULL\tNULL\t",
		"\t-9223372036854775808\t-0.5\tfalse\t1969-07-20T20:17:40Z\t\\.",
		"NULL\t-1\t-Inf\ttrue\t9999-12-31T23:59:59.999999Z\tx",
		"tab\there, \"quotes\", 'single', back\\slash\\N, new\nline\r\n\t9223372036854775807\t1.7976931348623157e+308\ttrue\t2026-01-31T02:30:00.123456Z\tünïcödé ✓ 日本語 🎉",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows read back:\n%q\nwant\n%q", got, want)
	}
	// The types the table was created with, nullability kept.
	cols := srv.Query(t, `SELECT column_name, data_type, is_nullable FROM information_schema.columns
		WHERE table_schema = $1 AND table_name = 'types' ORDER BY ordinal_position`, schema)
	wantCols := []string{"s\ttext\tYES", "i\tbigint\tYES", "f\tdouble precision\tYES", "b\tboolean\tYES",
		"ts\ttimestamp with time zone\tYES", "Mixed Case\ttext\tNO"}
	if strings.Join(cols, "\n") != strings.Join(wantCols, "\n") {
		t.Errorf("columns:\n%s\nwant\n%s", strings.Join(cols, "\n"), strings.Join(wantCols, "\n"))
	}
}

func count(t *testing.T, srv *pgtest.Server, table string) string {
	t.Helper()
	return srv.Query(t, "SELECT count(*) FROM "+table)[0]
}

// Append adds; Replace leaves only the new rows and keeps the table's
// index, grant and dependent view.
func TestAppendThenReplaceKeepsIndexGrantsViews(t *testing.T) {
	srv := shared.Get(t)
	schema := srv.Schema(t)
	table := schema + ".items"
	for i := 0; i < 2; i++ {
		if reason, msg, _ := runLoad(t, srv.URL, table, connectors.Append, ids(0, 100), ids(100, 150)); reason != connectors.Success {
			t.Fatalf("append %d: %s: %s", i, reason, msg)
		}
	}
	if n := count(t, srv, table); n != "300" {
		t.Fatalf("after two appends of 150: %s rows", n)
	}
	role := "reader_" + schema
	srv.Exec(t, "CREATE INDEX items_id ON "+table+" (id)", "CREATE VIEW "+schema+".big AS SELECT id FROM "+table+" WHERE id >= 10",
		"CREATE ROLE "+role, "GRANT SELECT ON "+table+" TO "+role)
	t.Cleanup(func() { srv.Exec(t, "DROP OWNED BY "+role, "DROP ROLE "+role) })
	reason, msg, rt := runLoad(t, srv.URL, table, connectors.Replace, ids(0, 20))
	if reason != connectors.Success {
		t.Fatalf("replace: %s: %s", reason, msg)
	}
	if n := count(t, srv, table); n != "20" {
		t.Errorf("after the replace: %s rows, want 20", n)
	}
	if n := count(t, srv, schema+".big"); n != "10" {
		t.Errorf("the view shows %s rows, want 10", n)
	}
	if got := srv.Query(t, "SELECT indexname FROM pg_indexes WHERE schemaname = $1", schema); len(got) != 1 || got[0] != "items_id" {
		t.Errorf("indexes after the replace: %v", got)
	}
	if got := srv.Query(t, "SELECT has_table_privilege($1, $2, 'SELECT')", role, table); got[0] != "true" {
		t.Errorf("the grant is gone after the replace")
	}
	logs := rt.Logs()
	if want := fmt.Sprintf(`postgres: loaded 20 rows into "%s"."items" on 127.0.0.1:%d/postgres (replace)`, schema, srv.Port); len(logs) == 0 || logs[len(logs)-1].Message != want {
		t.Errorf("logs: %+v\nwant last %q", logs, want)
	}
}

// An Append into a table whose columns differ names each difference and
// loads nothing.
func TestAppendMismatchNamesEachColumn(t *testing.T) {
	srv := shared.Get(t)
	schema := srv.Schema(t)
	table := schema + ".m"
	srv.Exec(t, "CREATE TABLE "+table+" (id integer, name text NOT NULL, extra text, loaded_at timestamptz DEFAULT now())",
		"INSERT INTO "+table+" VALUES (1, 'a', 'x')")
	f := connectors.NewFrame(
		connectors.Field{Name: "id", Type: connectors.Int64},
		connectors.Field{Name: "name", Type: connectors.String, Nullable: true},
		connectors.Field{Name: "score", Type: connectors.Float64},
	)
	f.AppendRow(int64(2), "b", 1.5)
	reason, msg, _ := runLoad(t, srv.URL, table, connectors.Append, f)
	if reason != connectors.Error {
		t.Fatalf("%s: %s, want error", reason, msg)
	}
	for _, want := range []string{
		`column "id" is integer in the table but bigint in the batch`,
		`column "name" is NOT NULL in the table but may be null in the batch`,
		`column "score" is in the batch (double precision) but not in the table`,
		`column "extra" (text) is in the table but not in the batch, and has no default`,
		"nothing loaded",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "loaded_at") || strings.Contains(msg, "\n") {
		t.Errorf("a column with a default is no mismatch, and the message is one line:\n%s", msg)
	}
	if n := count(t, srv, table); n != "1" {
		t.Errorf("table has %s rows, want the 1 it had", n)
	}
}

// A value PostgreSQL cannot store, in the middle of a Replace, names its
// batch, row and column, and the old table stays whole.
func TestBadValueMidReplaceKeepsOldTable(t *testing.T) {
	srv := shared.Get(t)
	for _, tt := range []struct {
		name, value, want string
	}{
		{"nul", "a\x00b", `batch 2, row 3, column "s": a NUL byte (at byte 1)`},
		{"utf8", "ok\xff", `batch 2, row 3, column "s": invalid UTF-8 (byte 0xff at byte 2)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			schema := srv.Schema(t)
			table := schema + ".r"
			frame := func(bad string) *connectors.Frame {
				f := connectors.NewFrame(connectors.Field{Name: "s", Type: connectors.String})
				for i := 0; i < 5; i++ {
					v := fmt.Sprint(i)
					if i == 2 {
						v = bad
					}
					f.AppendRow(v)
				}
				return f
			}
			if reason, msg, _ := runLoad(t, srv.URL, table, connectors.Replace, frame("old"), frame("old")); reason != connectors.Success {
				t.Fatalf("first load: %s: %s", reason, msg)
			}
			reason, msg, _ := runLoad(t, srv.URL, table, connectors.Replace, frame("new"), frame(tt.value), frame("new"))
			if reason != connectors.Error || !strings.Contains(msg, tt.want) {
				t.Fatalf("%s: %s\nwant error with %q", reason, msg, tt.want)
			}
			if got := srv.Query(t, "SELECT count(*), count(*) FILTER (WHERE s = 'old') FROM "+table); got[0] != "10\t2" {
				t.Errorf("after the failed replace (count, old rows): %v, want the old 10 rows", got)
			}
		})
	}
}

// A value the server refuses (too long for a varchar column) names batch,
// row and column from the server's own report.
func TestServerRefusalNamesRow(t *testing.T) {
	srv := shared.Get(t)
	schema := srv.Schema(t)
	table := schema + ".v"
	srv.Exec(t, "CREATE TABLE "+table+" (code varchar(3) NOT NULL)")
	f := connectors.NewFrame(connectors.Field{Name: "code", Type: connectors.String})
	for _, v := range []string{"abc", "de", "toolong"} {
		f.AppendRow(v)
	}
	reason, msg, _ := runLoad(t, srv.URL, table, connectors.Append, f)
	want := fmt.Sprintf(`batch 1, row 3, column "code": value too long for type character varying(3) (table "%s"."v", SQLSTATE 22001)`, schema)
	if reason != connectors.Error || !strings.Contains(msg, want) {
		t.Fatalf("%s: %s\nwant %q", reason, msg, want)
	}
}

// Each failure to reach or use the server is one line naming where, and
// never the password.
func TestErrorLines(t *testing.T) {
	srv := shared.Get(t)
	schema := srv.Schema(t)
	user := "u_" + schema
	const password = "not-the-password-9"
	srv.Exec(t, "CREATE ROLE "+user+" LOGIN PASSWORD '"+password+"'", "CREATE TABLE "+schema+".locked (id bigint NOT NULL)")
	t.Cleanup(func() { srv.Exec(t, "DROP OWNED BY "+user, "DROP ROLE "+user) })
	closed := fmt.Sprintf("postgres://%s:%s@127.0.0.1:1/postgres?sslmode=disable", user, password)
	for _, tt := range []struct {
		name, url, object, want string
	}{
		{"unreachable", closed, "t", "cannot reach the PostgreSQL server at 127.0.0.1:1: connection refused"},
		{"auth", srv.UserURL(user, "wrong-password-1"), "t", fmt.Sprintf(`authentication failed for user %q at 127.0.0.1:%d/postgres`, user, srv.Port)},
		{"database", srv.DatabaseURL("no_such_db"), "t", fmt.Sprintf(`database "no_such_db" does not exist on 127.0.0.1:%d`, srv.Port)},
		{"permission", srv.UserURL(user, password), schema + ".locked", fmt.Sprintf(`permission denied for user %q on 127.0.0.1:%d/postgres`, user, srv.Port)},
		{"schema", srv.URL, "nosuchschema.t", `schema "nosuchschema" does not exist`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reason, msg, rt := runLoad(t, tt.url, tt.object, connectors.Append, ids(0, 3))
			if reason != connectors.Error || !strings.Contains(msg, tt.want) {
				t.Fatalf("%s: %s\nwant error with %q", reason, msg, tt.want)
			}
			for _, l := range rt.Logs() {
				if strings.Contains(l.Message, password) || strings.Contains(l.Message, "wrong-password-1") || strings.Contains(l.Message, "\n") {
					t.Errorf("log line holds a password or a newline: %q", l.Message)
				}
			}
		})
	}
}
