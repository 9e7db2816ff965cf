package harness_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"connector-dev/harness"
)

// TestPastRunReadFromNow: inspect shows where a past run's batches are
// read from now, not the embedded S3 port that died with the run, and reads
// them from there.
func TestPastRunReadFromNow(t *testing.T) {
	opts := setupProject(t, "many")
	opts.S3Memory = false
	opts.StateDir = filepath.Join(t.TempDir(), "state")
	rep, log := execute(t, opts, context.Background())
	if rep.ExitCode != 0 || rep.Run == nil || len(rep.Batches) == 0 {
		t.Fatalf("the run did not store batches (exit %d):\n%s", rep.ExitCode, log)
	}
	past, err := harness.OpenPastRuns(context.Background(), opts.Dir, opts.StateDir, []string{}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer past.Close()
	where := past.Where(rep)
	want := "embedded S3 on disk at " + filepath.Join(opts.StateDir, "s3")
	if where != want {
		t.Errorf("Where = %q, want %q", where, want)
	}
	if strings.Contains(where, rep.Run.Endpoint) {
		t.Errorf("Where %q shows the run's own endpoint %s, dead since the run ended", where, rep.Run.Endpoint)
	}
	r := past.Reader(rep)
	p, ok := r.(interface{ Where() string })
	if !ok || p.Where() != where {
		t.Errorf("the past run's reader does not say where it reads from (%T)", r)
	}
	f, _, err := r.ReadBatch(context.Background(), rep.Batches[0].Key)
	if err != nil {
		t.Fatalf("read the first batch from %s: %v", where, err)
	}
	if int64(f.Len()) != rep.Batches[0].Rows {
		t.Errorf("batch 1 has %d rows, the report says %d", f.Len(), rep.Batches[0].Rows)
	}
}
