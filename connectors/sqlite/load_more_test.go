package sqlite_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/sqlite"
)

// A run cancelled after its first batch, while segment tables are being
// copied, ends cancelled: the table is as before and no folder is left.
// (From the independent review of the segment load.)
func TestCancelWhileCopying(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Append, "", people(0, 3)))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var frames []*connectors.Frame
	for i := range 40 {
		frames = append(frames, people(int64(i)*20_000, int64(i+1)*20_000))
	}
	d := &failing{Destination: sqlite.NewTestDestination(32<<10, 0), fail: func(context.Context) error { return nil }, cancel: cancel}
	rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "test", DestinationObjectID: "people", UpdateMethodCD: connectors.Append})
	rt.Creds[sqlite.DatabaseField] = path
	rt.Input = frames
	if reason, msg := rt.RunDestination(ctx, d); reason != connectors.Interrupted {
		t.Errorf("cancelled run ended %s: %s", reason, msg)
	}
	if n := count(t, path, "people"); n != 3 {
		t.Errorf("%d rows after a cancelled run, want 3", n)
	}
	if got := loadDirs(t, path); len(got) != 0 {
		t.Errorf("folders left: %v", got)
	}
}

// Append into tables the run did not make: another column order, other
// types, STRICT, an index, a unique constraint, an INTEGER PRIMARY KEY, a
// collation and default. Where SQLite's transfer does not apply it
// inserts the ordinary way, converting to the table's types. (From the
// independent review.)
func TestAppendIntoUsersTables(t *testing.T) {
	for _, ddl := range []string{
		`CREATE TABLE people (name TEXT, id INTEGER)`,
		`CREATE TABLE people (id TEXT, name TEXT)`,
		`CREATE TABLE people (id INTEGER, name TEXT) STRICT`,
		`CREATE TABLE people (id INTEGER, name TEXT); CREATE INDEX people_name ON people(name)`,
		`CREATE TABLE people (id INTEGER UNIQUE, name TEXT)`,
		`CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT)`,
		`CREATE TABLE people (id INTEGER, name TEXT COLLATE NOCASE DEFAULT 'x')`,
	} {
		path := filepath.Join(t.TempDir(), "w.db")
		db := openDB(t, path)
		if _, err := db.Exec(ddl); err != nil {
			t.Fatal(err)
		}
		db.Close()
		mustSucceed(t, run(t, t.Context(), sqlite.NewTestDestination(16<<10, 0), path, "people", connectors.Append, "", people(0, 5000), people(5000, 9000)))
		got := rows(t, path, `SELECT count(*), count(DISTINCT id), sum(CAST(id AS INTEGER)), min(name = 'name-' || id), typeof(id) FROM people`)
		want := "9000|9000|40495500|1|integer"
		if strings.HasPrefix(ddl, `CREATE TABLE people (id TEXT`) {
			want = "9000|9000|40495500|1|text"
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s: read back %v, want %s", ddl, got, want)
		}
		integrityOK(t, openDB(t, path))
	}
}

// A table the run creates is copied by SQLite's transfer optimisation
// (EXPLAIN shows RowData: records moved whole), the reason segments pay.
func TestSegmentCopyIsTransfer(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, filepath.Join(dir, "w.db"))
	db.SetMaxOpenConns(1)
	for _, q := range []string{`CREATE TABLE "x" ("id" INTEGER, "name" TEXT, "f" REAL)`, `ATTACH '` + filepath.Join(dir, "s.db") + `' AS seg`, `CREATE TABLE seg.t1 (c1 INT, c2 TEXT, c3 REAL)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := db.Query(`EXPLAIN INSERT INTO main."x" SELECT * FROM "seg".t1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var opcodes []string
	for rs.Next() {
		v := make([]any, len(cols))
		p := make([]any, len(cols))
		for i := range v {
			p[i] = &v[i]
		}
		if err := rs.Scan(p...); err != nil {
			t.Fatal(err)
		}
		opcodes = append(opcodes, v[1].(string))
	}
	if got := strings.Join(opcodes, " "); !strings.Contains(got, "RowData") || strings.Contains(got, "MakeRecord") {
		t.Errorf("the copy is not SQLite's transfer: %s", got)
	}
}

// One segment table past 1 GiB, so its pages and overflow chains step
// over the lock-byte page at 1 GiB; every row reads back. (From the
// independent review; writes about 2.5 GB, so not under -short.)
func TestSegmentPastLockByte(t *testing.T) {
	if testing.Short() {
		t.Skip("writes about 2.5 GB")
	}
	f := connectors.NewFrame(connectors.Field{Name: "i", Type: connectors.Int64}, connectors.Field{Name: "s", Type: connectors.String})
	big := strings.Repeat("z", 100_003)
	for i := range 12_000 {
		if err := f.AppendRow(int64(i), big); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "w.db")
	mustSucceed(t, run(t, t.Context(), sqlite.NewTestDestination(4<<30, 0), path, "big", connectors.Replace, "", f))
	got := rows(t, path, `SELECT count(*), sum(i), sum(length(s)), count(DISTINCT s) FROM big`)
	if len(got) != 1 || got[0] != "12000|71994000|1200036000|1" {
		t.Errorf("read back %v", got)
	}
	integrityOK(t, openDB(t, path))
}

// A reader holding a transaction open on the warehouse keeps a load from
// committing: after SQLite's busy timeout the run fails with one line that
// says who can hold the lock, and the table keeps its rows.
func TestHeldReaderNamedInTheError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Replace, "", people(0, 3)))
	db := openDB(t, path)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM people`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("reader: %d, %v", n, err)
	}
	rt := run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Replace, "", people(0, 10))
	e := rt.Exit()
	if e == nil || e.Reason != connectors.Error || !strings.Contains(e.Message, "database is locked: another connection holds the database (a second load, or a reader with a transaction open") {
		t.Fatalf("exit %+v, want the lock named", e)
	}
	tx.Rollback()
	if n := count(t, path, "people"); n != 3 {
		t.Errorf("%d rows after the locked run, want 3", n)
	}
}

// A full disk under the database (a small tmpfs) ends the load with one
// line that says so and the way out; the table keeps its rows and no
// segment folder is left.
func TestFullDiskUnderTheDatabase(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	path := filepath.Join(mnt, "w.db")
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Replace, "", people(0, 1000)))
	rt := run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Replace, "", people(0, 100_000), people(100_000, 200_000))
	e := rt.Exit()
	if e == nil || e.Reason != connectors.Error || !strings.Contains(e.Message, "no space left on device: free space on the database's disk or point SQLITE_DATABASE at another") && !strings.Contains(e.Message, "database or disk is full: free space") {
		t.Fatalf("exit %+v, want the full disk said with the way out", e)
	}
	if n := count(t, path, "people"); n != 1000 {
		t.Errorf("%d rows after the failed load, want the 1,000 before", n)
	}
	if got := loadDirs(t, path); len(got) != 0 {
		t.Errorf("segments left: %v", got)
	}
}

// Append into a table with columns the batch lacks: those with a DEFAULT
// take it (as the postgres destination does); one without is refused by
// name before anything loads.
func TestAppendLeavesDefaultedColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	db := openDB(t, path)
	if _, err := db.Exec(`CREATE TABLE people (note TEXT DEFAULT 'x', id INTEGER, added INTEGER DEFAULT 7, name TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	mustSucceed(t, run(t, t.Context(), sqlite.NewTestDestination(16<<10, 0), path, "people", connectors.Append, "", people(0, 3000), people(3000, 5000)))
	got := rows(t, path, `SELECT count(*), sum(id), min(note = 'x'), min(added = 7), min(name = 'name-' || id) FROM people`)
	if want := "5000|12497500|1|1|1"; len(got) != 1 || got[0] != want {
		t.Errorf("read back %v, want %s", got, want)
	}
	integrityOK(t, openDB(t, path))

	path2 := filepath.Join(t.TempDir(), "w.db")
	db = openDB(t, path2)
	if _, err := db.Exec(`CREATE TABLE people (id INTEGER, name TEXT, plain TEXT, kept TEXT DEFAULT 'k')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	rt := run(t, t.Context(), &sqlite.Destination{}, path2, "people", connectors.Append, "", people(0, 10))
	e := rt.Exit()
	if e == nil || !strings.Contains(e.Message, `the table has "plain" that the batch lacks (a column with a DEFAULT may be left out)`) || strings.Contains(e.Message, `"kept"`) {
		t.Errorf("exit %+v, want \"plain\" named alone", e)
	}
	if n := count(t, path2, "people"); n != 0 {
		t.Errorf("%d rows loaded by a refused run", n)
	}
}
