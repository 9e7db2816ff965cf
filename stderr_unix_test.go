//go:build unix

package main

import (
	"os"
	"strings"
	"testing"
)

// What the process writes to fd 2 while the dashboard runs lands in the
// run's stderr.log, and fd 2 is the terminal again afterwards.
func TestCaptureStderr(t *testing.T) {
	dir := t.TempDir()
	restore := captureStderr(dir)
	println("parquet: warning: a library writes straight to fd 2")
	os.Stderr.WriteString("and so does os.Stderr\n")
	path := restore()
	if path == "" {
		t.Fatal("nothing captured")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"parquet: warning", "and so does os.Stderr"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("stderr.log lacks %q:\n%s", want, b)
		}
	}
	if path := captureStderr(t.TempDir())(); path != "" {
		t.Errorf("an empty capture left %s", path)
	}
}
