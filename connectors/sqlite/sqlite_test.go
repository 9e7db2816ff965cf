package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/sqlite"
)

// people makes a frame of ids from..to-1 with a name per id.
func people(from, to int64) *connectors.Frame {
	f := connectors.NewFrame(
		connectors.Field{Name: "id", Type: connectors.Int64},
		connectors.Field{Name: "name", Type: connectors.String},
	)
	for i := from; i < to; i++ {
		if err := f.AppendRow(i, fmt.Sprintf("name-%d", i)); err != nil {
			panic(err)
		}
	}
	return f
}

// run loads frames into table of the database at path and returns the runtime.
func run(t *testing.T, ctx context.Context, d connectors.Destination, path, table string, method int, mapping string, frames ...*connectors.Frame) *connectortest.Runtime {
	t.Helper()
	rt := connectortest.New(&connectors.JobDetails{
		ETLJobNM: "test", DestinationObjectID: table, UpdateMethodCD: method,
		JobDataJSON: connectors.JSONText(mapping),
	})
	rt.Creds[sqlite.DatabaseField] = path
	rt.Input = frames
	rt.RunDestination(ctx, d)
	return rt
}

func mustSucceed(t *testing.T, rt *connectortest.Runtime) {
	t.Helper()
	if e := rt.Exit(); e != nil {
		t.Fatalf("run ended %s: %s", e.Reason, e.Message)
	}
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	// A file: URI, as the destination uses, so '?' in a path is no query.
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: abs}).String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// rows reads a whole query as strings, NULL as "NULL", one row per entry.
func rows(t *testing.T, path, query string) []string {
	t.Helper()
	rs, err := openDB(t, path).Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out []string
	for rs.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = "NULL"
			if v.Valid {
				parts[i] = v.String
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func count(t *testing.T, path, table string) int {
	t.Helper()
	var n int
	if err := openDB(t, path).QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func tables(t *testing.T, path string) []string {
	t.Helper()
	return rows(t, path, `SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
}

func TestAppendTwiceDoublesRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	for range 2 {
		rt := run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Append, "", people(0, 3), people(3, 5))
		mustSucceed(t, rt)
		logs := rt.Logs()
		last := logs[len(logs)-1].Message
		for _, want := range []string{`"people"`, "append", "5 rows"} {
			if !strings.Contains(last, want) {
				t.Errorf("log %q lacks %q", last, want)
			}
		}
	}
	if n := count(t, path, "people"); n != 10 {
		t.Errorf("%d rows after appending 5 twice, want 10", n)
	}
	got := rows(t, path, `SELECT id, count(*) FROM people GROUP BY id ORDER BY id`)
	want := []string{"0|2", "1|2", "2|2", "3|2", "4|2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows by id %v, want %v", got, want)
	}
}

func TestReplaceReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Append, "", people(0, 5)))
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Replace, "", people(100, 102)))
	if got, want := rows(t, path, `SELECT * FROM people ORDER BY id`), []string{"100|name-100", "101|name-101"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after replace %v, want %v", got, want)
	}
	// Replace may change the columns, as the Python template's to_sql(if_exists="replace") does.
	other := connectors.NewFrame(connectors.Field{Name: "x", Type: connectors.Float64})
	_ = other.AppendRow(1.5)
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Replace, "", other))
	if got, want := rows(t, path, `SELECT * FROM people`), []string{"1.5"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after replace with other columns %v, want %v", got, want)
	}
	if got, want := tables(t, path), []string{"people"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tables %v, want %v (no leftover)", got, want)
	}
}

func TestReplaceWithoutBatchesKeepsTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Append, "", people(0, 3)))
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Replace, ""))
	if n := count(t, path, "people"); n != 3 {
		t.Errorf("%d rows, want the 3 kept", n)
	}
}

// failing wraps the destination to go wrong at its second batch.
type failing struct {
	*sqlite.Destination
	fail   func(ctx context.Context) error
	cancel context.CancelFunc
	n      int
}

func (f *failing) Batch(ctx context.Context, rt connectors.Runtime, fr *connectors.Frame) error {
	f.n++
	if f.n == 2 {
		if err := f.fail(ctx); err != nil {
			return err
		}
	}
	if err := f.Destination.Batch(ctx, rt, fr); err != nil {
		return err
	}
	if f.n == 1 && f.cancel != nil {
		f.cancel()
	}
	return nil
}

func TestFailedRunKeepsPreviousTable(t *testing.T) {
	badFrame := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64}, connectors.Field{Name: "nickname", Type: connectors.String})
	_ = badFrame.AppendRow(int64(9), "nine")
	tests := []struct {
		name   string
		method int
		fail   func(ctx context.Context) error
		cancel bool
		second *connectors.Frame
		reason connectors.ExitReason
	}{
		{"batch error replace", connectors.Replace, func(context.Context) error { return errors.New("boom") }, false, people(20, 30), connectors.Unhandled},
		{"batch error append", connectors.Append, func(context.Context) error { return errors.New("boom") }, false, people(20, 30), connectors.Unhandled},
		{"frame the table cannot take", connectors.Replace, func(context.Context) error { return nil }, false, badFrame, connectors.Error},
		{"frame the table cannot take append", connectors.Append, func(context.Context) error { return nil }, false, badFrame, connectors.Error},
		{"cancelled", connectors.Replace, func(context.Context) error { return nil }, true, people(20, 30), connectors.Unhandled},
		{"panic", connectors.Replace, func(context.Context) error { panic("batch 2 panics") }, false, people(20, 30), connectors.Unhandled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "w.db")
			mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Append, "", people(0, 3)))
			before := rows(t, path, `SELECT * FROM people ORDER BY id`)

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			d := &failing{Destination: &sqlite.Destination{}, fail: tc.fail}
			if tc.cancel {
				d.cancel = cancel
			}
			rt := run(t, ctx, d, path, "people", tc.method, "", people(10, 15), tc.second, people(30, 35))
			if e := rt.Exit(); tc.reason == connectors.Error && (e == nil || e.Reason != connectors.Error) {
				t.Errorf("exit %+v, want reason error", e)
			}
			if got := rows(t, path, `SELECT * FROM people ORDER BY id`); !reflect.DeepEqual(got, before) {
				t.Errorf("table after the failed run %v, want %v", got, before)
			}
			if got, want := tables(t, path), []string{"people"}; !reflect.DeepEqual(got, want) {
				t.Errorf("tables %v, want %v", got, want)
			}
			// The file is not left locked: the next run works.
			mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Append, "", people(3, 4)))
		})
	}
}

func TestFailedRunReasons(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	d := &failing{Destination: &sqlite.Destination{}, fail: func(context.Context) error { panic("at batch 2") }}
	rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "t", DestinationObjectID: "p", UpdateMethodCD: connectors.Replace})
	rt.Creds[sqlite.DatabaseField] = path
	rt.Input = []*connectors.Frame{people(0, 1), people(1, 2)}
	if reason, msg := rt.RunDestination(t.Context(), d); reason != connectors.Unhandled || !strings.Contains(msg, "at batch 2") {
		t.Errorf("panic ended the run %s %q", reason, msg)
	}
}

func TestAppendColumnMismatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Append, "", people(0, 3)))
	other := connectors.NewFrame(connectors.Field{Name: "ID", Type: connectors.Int64}, connectors.Field{Name: "email", Type: connectors.String})
	_ = other.AppendRow(int64(1), "a@b")
	rt := run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Append, "", other)
	e := rt.Exit()
	if e == nil || e.Reason != connectors.Error {
		t.Fatalf("exit %+v, want reason error", e)
	}
	// "ID" matches "id": SQLite names are case-blind.
	for _, want := range []string{`"people"`, `"email"`, `"name"`} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("message %q does not name %s", e.Message, want)
		}
	}
	if strings.Contains(e.Message, `"ID"`) {
		t.Errorf("message %q names ID, which matches id", e.Message)
	}
}

func TestMappingRenamesReachTheTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	mapping := `{"columns":[{"source":"name","destination":"full name"},{"source":"id","destination":"account_id"}]}`
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "accounts", connectors.Replace, mapping, people(0, 2)))
	got := rows(t, path, `SELECT name FROM pragma_table_info('accounts') ORDER BY cid`)
	if want := []string{"full name", "account_id"}; !reflect.DeepEqual(got, want) {
		t.Errorf("columns %v, want %v", got, want)
	}
	if got, want := rows(t, path, `SELECT account_id, "full name" FROM accounts ORDER BY 1`), []string{"0|name-0", "1|name-1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
}

func TestTypesAndNullsReadBack(t *testing.T) {
	f := connectors.NewFrame(
		connectors.Field{Name: "i", Type: connectors.Int64, Nullable: true},
		connectors.Field{Name: "f", Type: connectors.Float64, Nullable: true},
		connectors.Field{Name: "b", Type: connectors.Bool, Nullable: true},
		connectors.Field{Name: "s", Type: connectors.String, Nullable: true},
		connectors.Field{Name: "t", Type: connectors.Timestamp, Nullable: true},
	)
	east := time.FixedZone("UTC+2", 2*3600)
	for _, r := range [][]any{
		{int64(-9_223_372_036_854_775_808), 0.1, true, "héllo, \"world\"", time.Date(2026, 3, 4, 5, 6, 7, 123_456_789, time.UTC)},
		{int64(42), -2.5e300, false, "", time.Date(2026, 3, 4, 7, 0, 0, 0, east)},
		{nil, nil, nil, nil, nil},
		{int64(7), 3.0, true, "nul\x00inside", time.Date(1999, 12, 31, 23, 59, 59, 500_000_000, time.UTC)},
	} {
		if err := f.AppendRow(r...); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "w.db")
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "types", connectors.Replace, "", f))

	got := rows(t, path, `SELECT typeof(i), i, typeof(f), f, typeof(b), b, typeof(s), s, length(CAST(s AS BLOB)), typeof(t), t FROM types ORDER BY rowid`)
	want := []string{
		"integer|-9223372036854775808|real|0.1|integer|1|text|héllo, \"world\"|15|text|2026-03-04 05:06:07.123456",
		"integer|42|real|-2.5e+300|integer|0|text||0|text|2026-03-04 05:00:00",
		"null|NULL|null|NULL|null|NULL|null|NULL|NULL|null|NULL",
		"integer|7|real|3|integer|1|text|nul\x00inside|10|text|1999-12-31 23:59:59.5",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n got %q\nwant %q", got, want)
	}
	// Floats survive exactly, and the declared types are pandas'.
	var fv float64
	if err := openDB(t, path).QueryRow(`SELECT f FROM types WHERE i = 42`).Scan(&fv); err != nil || fv != -2.5e300 {
		t.Errorf("float read back %v, %v", fv, err)
	}
	if got, want := rows(t, path, `SELECT type FROM pragma_table_info('types') ORDER BY cid`), []string{"INTEGER", "REAL", "INTEGER", "TEXT", "TEXT"}; !reflect.DeepEqual(got, want) {
		t.Errorf("declared types %v, want %v", got, want)
	}
}

func TestWeirdNames(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?#x", "new")
	path := filepath.Join(dir, "ware house?.db")
	table := `we"ird; DROP TABLE x; --`
	f := connectors.NewFrame(
		connectors.Field{Name: "select", Type: connectors.Int64},
		connectors.Field{Name: `a "quoted" col`, Type: connectors.String},
		connectors.Field{Name: "ünï cödé", Type: connectors.Bool},
		connectors.Field{Name: "1starts", Type: connectors.Float64},
	)
	_ = f.AppendRow(int64(1), "x", true, 2.5)
	for range 2 { // the second run takes the append path through the existing table
		mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, table, connectors.Append, "", f))
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at %s: %v", path, err)
	}
	got := rows(t, path, `SELECT "select", "a ""quoted"" col", "ünï cödé", "1starts" FROM "we""ird; DROP TABLE x; --"`)
	if want := []string{"1|x|1|2.5", "1|x|1|2.5"}; !reflect.DeepEqual(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
}

func TestDefaultDatabase(t *testing.T) {
	t.Chdir(t.TempDir())
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, "", "people", connectors.Append, "", people(0, 2)))
	if n := count(t, sqlite.DefaultDatabase, "people"); n != 2 {
		t.Errorf("%d rows in %s, want 2", n, sqlite.DefaultDatabase)
	}
}

func TestJobErrors(t *testing.T) {
	tests := []struct {
		name, table string
		method      int
		want        string
	}{
		{"no table", "", connectors.Append, "DestinationObjectID"},
		{"blank table", "  ", connectors.Replace, "DestinationObjectID"},
		{"bad method", "t", 3, "UpdateMethodCD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "w.db")
			e := run(t, t.Context(), &sqlite.Destination{}, path, tc.table, tc.method, "", people(0, 1)).Exit()
			if e == nil || e.Reason != connectors.Error || !strings.Contains(e.Message, tc.want) {
				t.Errorf("exit %+v, want an error naming %s", e, tc.want)
			}
		})
	}
}

func TestBadDatabasePath(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := run(t, t.Context(), &sqlite.Destination{}, filepath.Join(file, "w.db"), "t", connectors.Append, "", people(0, 1)).Exit()
	if e == nil || e.Reason != connectors.Error || !strings.Contains(e.Message, `"database"`) {
		t.Errorf("exit %+v, want an error naming the credentials field", e)
	}
}

func TestBatchOutsideRun(t *testing.T) {
	if err := (&sqlite.Destination{}).Batch(t.Context(), connectortest.New(nil), people(0, 1)); err == nil {
		t.Error("Batch outside Run returned nil")
	}
}

func TestRegistered(t *testing.T) {
	r, ok := connectors.Lookup(sqlite.Name)
	if !ok || r.Kind != connectors.KindDestination {
		t.Fatalf("sqlite not registered as a destination: %+v", r)
	}
	if _, ok := r.NewDestination().(connectors.Runner); !ok {
		t.Error("the registered destination does not implement Runner")
	}
}

// TestLongTextAndExtremeTimestamps loads text far larger than one
// statement's usual share and timestamps of every length a Timestamp
// column can hold (microseconds in an int64: years -290308 to 294247), and
// reads them back as time.Format and the input have them.
func TestLongTextAndExtremeTimestamps(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 3, 4, 5, 6, 7, 123_456_000, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 1_000, time.UTC),
		time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
		time.UnixMicro(math.MaxInt64),
		time.UnixMicro(math.MinInt64),
	}
	f := connectors.NewFrame(
		connectors.Field{Name: "s", Type: connectors.String, Nullable: true},
		connectors.Field{Name: "t", Type: connectors.Timestamp, Nullable: true},
	)
	var want []string
	// 250 rows make two full statements and a shorter one; every fifth
	// string alone is larger than the first arena.
	for i := range 250 {
		var s any = strings.Repeat(string(rune('a'+i%26)), i) + "|" + fmt.Sprint(i)
		switch i % 5 {
		case 0:
			s = strings.Repeat("x", 100_000+i)
		case 1:
			s = ""
		case 2:
			s = nil
		}
		var tm any = times[i%len(times)]
		if i%7 == 3 {
			tm = nil
		}
		if err := f.AppendRow(s, tm); err != nil {
			t.Fatal(err)
		}
		ws, wt := "NULL", "NULL"
		if s != nil {
			ws = s.(string)
		}
		if tm != nil {
			wt = tm.(time.Time).UTC().Format(sqlite.TimeLayout)
		}
		want = append(want, ws+"|"+wt)
	}
	path := filepath.Join(t.TempDir(), "w.db")
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "big", connectors.Replace, "", f))
	got := rows(t, path, `SELECT s, t FROM big ORDER BY rowid`)
	if len(got) != len(want) {
		t.Fatalf("%d rows read back, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: read back %d bytes %.40q, want %d bytes %.40q", i, len(got[i]), got[i], len(want[i]), want[i])
		}
	}
}

// A warehouse left in WAL mode (by an older connector-dev, or a user) with
// a reader open still loads: the switch to a rollback journal is skipped.
func TestLoadsBesideAReaderOfAWALDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal.db")
	db := openDB(t, path)
	for _, q := range []string{"PRAGMA journal_mode=WAL", "CREATE TABLE other(x)", "INSERT INTO other VALUES (1)"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var x int
	if err := tx.QueryRow("SELECT x FROM other").Scan(&x); err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "p", connectors.Replace, "", people(0, 10)))
	if n := count(t, path, "p"); n != 10 {
		t.Errorf("loaded %d rows, want 10", n)
	}
}
