package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/sqlite"
)

// The destination's own check refuses a database path it could not load
// into, without naming the path (a credential), and changes nothing.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// An empty file and a SQLite database load; a file of text does not.
	files := t.TempDir()
	empty, db := filepath.Join(files, "empty.db"), filepath.Join(files, "real.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, []byte("SQLite format 3\x00 and the rest of a header"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A load killed before its first commit: a first page of zeros and a
	// hot journal, which SQLite's next open rolls back.
	killed := filepath.Join(files, "killed.db")
	if err := os.WriteFile(killed, make([]byte, 65536), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(killed+"-journal", []byte("journal"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		path  string
		table string
		want  string // "" for success
	}{
		{"new file in new folders", filepath.Join(dir, "a", "b", "w.db"), "t", ""},
		{"existing empty file", empty, "t", ""},
		{"existing database", db, "t", ""},
		{"killed first load", killed, "t", ""},
		{"a file of text", file, "t", "is not a SQLite database (it does not start with SQLite's header)"},
		{"a folder", dir, "t", "is a folder: name a file in it"},
		{"under a file", filepath.Join(file, "w.db"), "t", "lies under a file, not a folder"},
		{"no table", filepath.Join(dir, "w.db"), "", "DestinationObjectID is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "j", DestinationObjectID: tc.table, UpdateMethodCD: connectors.Replace})
			rt.Creds[sqlite.DatabaseField] = tc.path
			reason, msg := rt.RunCheck(context.Background(), &sqlite.Destination{})
			if tc.want == "" {
				if reason != connectors.Success {
					t.Errorf("got %s %q, want success", reason, msg)
				}
			} else if reason != connectors.Setup || !strings.Contains(msg, tc.want) {
				t.Errorf("got %s %q, want setup containing %q", reason, msg, tc.want)
			}
			if strings.Contains(msg, dir) {
				t.Errorf("message names the path: %q", msg)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); err == nil {
		t.Errorf("the check created the database's folder")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the check left files behind: %v", entries)
	}
}

func TestCheckUnwritableFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes to any folder")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "j", DestinationObjectID: "t", UpdateMethodCD: connectors.Append})
	rt.Creds[sqlite.DatabaseField] = filepath.Join(dir, "w.db")
	reason, msg := rt.RunCheck(context.Background(), &sqlite.Destination{})
	if reason != connectors.Setup || !strings.Contains(msg, "cannot write") {
		t.Errorf("got %s %q", reason, msg)
	}
}
