package harness_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The rows --measure samples into report.json are checked against the
// run's secrets: a row holding a credential a connector loaded as data is
// not sampled, the others are.
func TestMeasuredSamplesSkipSecrets(t *testing.T) {
	opts := setupProject(t, "leak_rows")
	opts.Measure = true
	rep, out := execute(t, opts, context.Background())
	if rep.ExitCode != 0 || rep.Measured == nil {
		t.Fatalf("exit %d, measured %+v; want a measured run\n%s", rep.ExitCode, rep.Measured, out)
	}
	if s := rep.Measured.Samples; len(s) != 1 || len(s[0]) != 2 || s[0][1] == nil || *s[0][1] != "plain" {
		t.Errorf("samples %v, want the one row without the secret", s)
	}
	raw, err := os.ReadFile(filepath.Join(opts.Dir, ".connector-dev", "runs", rep.RunID, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), secretToken) {
		t.Errorf("report.json holds the secret:\n%s", raw)
	}
}
