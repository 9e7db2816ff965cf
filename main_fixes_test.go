package main

import (
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
