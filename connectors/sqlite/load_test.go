package sqlite_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connector-dev/connectors"
	"connector-dev/connectors/sqlite"
)

// loadDirs lists the load folders beside the database at path.
func loadDirs(t *testing.T, path string) []string {
	t.Helper()
	got, err := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+"-load-*"))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A load's segments are gone after it, whether it succeeded or failed, and
// those a killed load left are removed by the next one.
func TestLoadFoldersRemoved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	mustSucceed(t, run(t, t.Context(), sqlite.NewTestDestination(64<<10, 0), path, "people", connectors.Replace, "", people(0, 50_000)))
	if got := loadDirs(t, path); len(got) != 0 {
		t.Fatalf("after a load: %v", got)
	}
	left := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+"-load-123")
	if err := os.MkdirAll(left, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(left, "segment-01.db"), make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	rt := run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Append, "", people(0, 10), wrongColumns())
	if e := rt.Exit(); e == nil || e.Reason != connectors.Error {
		t.Fatalf("a batch of other columns: %+v, want an error", e)
	}
	if got := loadDirs(t, path); len(got) != 0 {
		t.Errorf("after a failed load that found one left: %v", got)
	}
	if n := count(t, path, "people"); n != 50_000 {
		t.Errorf("the failed Append left %d rows, want the 50,000 before it", n)
	}
}

// wrongColumns is a batch whose columns are not people's.
func wrongColumns() *connectors.Frame {
	f := connectors.NewFrame(connectors.Field{Name: "other", Type: connectors.Int64})
	if err := f.AppendRow(int64(1)); err != nil {
		panic(err)
	}
	return f
}

// A row the table refuses while a segment is copied (here a NULL into a
// NOT NULL column the user declared) fails the run with SQLite's reason,
// and the table keeps the rows it had.
func TestCopyRefusedRollsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	db := openDB(t, path)
	if _, err := db.Exec(`CREATE TABLE people (id INTEGER, name TEXT NOT NULL); INSERT INTO people VALUES (-1, 'before')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	f := connectors.NewFrame(
		connectors.Field{Name: "id", Type: connectors.Int64},
		connectors.Field{Name: "name", Type: connectors.String, Nullable: true},
	)
	for i := range 5000 {
		var name any = "n"
		if i == 4321 {
			name = nil
		}
		if err := f.AppendRow(int64(i), name); err != nil {
			t.Fatal(err)
		}
	}
	rt := run(t, t.Context(), sqlite.NewTestDestination(4<<10, 0), path, "people", connectors.Append, "", f)
	e := rt.Exit()
	if e == nil || e.Reason != connectors.Error || !strings.Contains(e.Message, "NOT NULL constraint failed: people.name") {
		t.Fatalf("exit %+v, want SQLite's NOT NULL refusal", e)
	}
	// The message names the rows of the run the refused one is among.
	var from, to int
	msg := strings.ReplaceAll(e.Message[strings.Index(e.Message, "rows "):], ",", "")
	if _, err := fmt.Sscanf(msg, "rows %d to %d of the run", &from, &to); err != nil || from > 4322 || to < 4322 {
		t.Errorf("message %q does not place row 4,322 (%d to %d, %v)", e.Message, from, to, err)
	}
	if got := rows(t, path, `SELECT id, name FROM people`); strings.Join(got, ",") != "-1|before" {
		t.Errorf("table after the failed run: %v", got)
	}
	if got := loadDirs(t, path); len(got) != 0 {
		t.Errorf("segments left: %v", got)
	}
}

// The sweep of killed loads' folders takes this database's alone, whatever
// characters its folder and name hold: not another database's folder
// (whose load may be running under its own lock), nor a folder of a
// database named like one.
func TestSweepTakesOnlyThisDatabasesFolders(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a[1]*?")
	path := filepath.Join(dir, "w?.db")
	mine := filepath.Join(dir, ".w?.db-load-123")
	others := []string{filepath.Join(dir, ".w1.db-load-999"), filepath.Join(dir, ".w?.db-load-x.db-load-5"), filepath.Join(dir, ".w?.db-load-")}
	for _, d := range append([]string{mine}, others...) {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Replace, "", people(0, 10)))
	if _, err := os.Stat(mine); !os.IsNotExist(err) {
		t.Errorf("this database's killed load folder is still there (%v)", err)
	}
	for _, o := range others {
		if _, err := os.Stat(o); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(o), err)
		}
	}
}
