package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `s3 --help` offers only what `s3 --faults` takes: s3 kinds, no http ones.
func TestS3HelpListsOnlyS3Faults(t *testing.T) {
	code, out, errOut := cli(t, "s3", "--help")
	if code != 0 {
		t.Fatalf("s3 --help: exit %d: %s", code, errOut)
	}
	line := lineWith(out, "--faults")
	if line == "" || !strings.Contains(line, "truncate") || strings.Contains(line, "429") || strings.Contains(line, "timeout") || strings.Contains(line, "http:") {
		t.Errorf("s3 --help's --faults line offers http kinds or lacks s3 ones:\n%s", line)
	}
	code, out, errOut = cli(t, "run", "--help")
	if line := lineWith(out+errOut, "--faults"); code != 0 || !strings.Contains(line, "http kinds: 429") {
		t.Errorf("run --help's --faults line lost the http kinds:\n%s", line)
	}
}

// A connector that connectors.yaml lists but this binary lacks (made by
// connector-dev new after the binary was built, say) is one setup line
// that says to rebuild first, exit 3.
func TestListedButNotCompiledIn(t *testing.T) {
	dir := project(t)
	f, err := os.OpenFile(filepath.Join(dir, "connectors.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\nghost:\n  kind: source\n  credentials: []\n")
	f.Close()
	code, _, stderr := cli(t, "run", "ghost")
	if code != 3 || !strings.Contains(stderr, `connectors.yaml lists "ghost" but no connector of that name is compiled in: rebuild (go run . or go build) if connector-dev new made it`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
