package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// An ATTACH that fails does not name the segment's folder: it is beside
// the database, whose path is a credential. (From the independent review.)
func TestAttachErrorKeepsFolderOut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "secret-folder")
	conn, err := open(filepath.Join(dir, "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.close()
	s := &segments{ctx: context.Background(), conn: conn}
	err = s.attach(&segmentFile{path: filepath.Join(dir, ".w.db-load-1", "segment-01.db"), name: "segment1"})
	if err == nil {
		t.Fatal("attach of a missing file worked")
	}
	if strings.Contains(err.Error(), "secret-folder") || !strings.Contains(err.Error(), "the segment file") {
		t.Errorf("message: %v", err)
	}
}
