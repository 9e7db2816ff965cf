package sqlite_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"connector-dev/connectors"
	"connector-dev/connectors/sqlite"
)

// A user's own table named as the staging table used to be (and one in
// another case) survives a Replace, with its rows.
func TestReplaceKeepsUsersTableOfTheStagingName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	db := openDB(t, path)
	for _, q := range []string{
		`CREATE TABLE "people__connector_dev_replace" (note TEXT)`,
		`INSERT INTO "people__connector_dev_replace" VALUES ('mine')`,
		`CREATE TABLE "PEOPLE__CONNECTOR_DEV_REPLACE_X" (note TEXT)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	for range 2 {
		mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Replace, "", people(0, 4)))
	}
	if got, want := rows(t, path, `SELECT note FROM "people__connector_dev_replace"`), []string{"mine"}; !reflect.DeepEqual(got, want) {
		t.Errorf("the user's table holds %v, want %v", got, want)
	}
	if got, want := tables(t, path), []string{"PEOPLE__CONNECTOR_DEV_REPLACE_X", "people", "people__connector_dev_replace"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tables %v, want %v (the user's kept, no staging leftover)", got, want)
	}
	if n := count(t, path, "people"); n != 4 {
		t.Errorf("people has %d rows, want 4", n)
	}
}

// A frame with two columns that differ only in case (no mapping to catch
// it) ends in one error line naming both, and the table stays as it was.
func TestCaseOnlyDuplicateColumns(t *testing.T) {
	for _, method := range []int{connectors.Append, connectors.Replace} {
		path := filepath.Join(t.TempDir(), "w.db")
		mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "people", connectors.Append, "", people(0, 2)))
		f := connectors.NewFrame(connectors.Field{Name: "Name", Type: connectors.String}, connectors.Field{Name: "name", Type: connectors.String})
		_ = f.AppendRow("a", "b")
		rt := run(t, t.Context(), &sqlite.Destination{}, path, "people", method, "", f)
		e := rt.Exit()
		if e == nil || e.Reason != connectors.Error {
			t.Fatalf("method %d: exit %v, want error", method, e)
		}
		for _, want := range []string{`"Name"`, `"name"`, "differ only in case", "rename one"} {
			if !strings.Contains(e.Message, want) {
				t.Errorf("method %d: message %q lacks %q", method, e.Message, want)
			}
		}
		if strings.Contains(e.Message, "\n") || strings.Contains(e.Message, "duplicate column name") {
			t.Errorf("method %d: want one line of ours, got %q", method, e.Message)
		}
		if n := count(t, path, "people"); n != 2 {
			t.Errorf("method %d: people has %d rows, want the 2 kept", method, n)
		}
	}
}
