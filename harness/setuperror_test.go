package harness_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"connector-dev/harness"
)

// A setup error keeps its cause: a caller can tell a missing job file from
// a bad one, and the user still sees the one line naming the file.
func TestSetupErrorKeepsItsCause(t *testing.T) {
	opts := setupProject(t, "ok")
	opts.JobFile = filepath.Join(opts.Dir, "fixtures", "behave", "missing.json")
	_, err := harness.Plan(opts)
	var se *harness.SetupError
	if !errors.As(err, &se) {
		t.Fatalf("Plan: %v, want a *SetupError", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Plan's error %q does not unwrap to fs.ErrNotExist", err)
	}
	if !strings.Contains(se.Error(), "missing.json") {
		t.Errorf("message %q does not name the file", se.Error())
	}
}
