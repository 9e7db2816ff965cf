package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// s3Files lists the files the embedded S3 keeps on disk (objects and their
// metadata) whose names mention runID.
func s3Files(t *testing.T, runID string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(".connector-dev", "s3"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(p, runID) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestPrune(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "3000")
	t.Setenv("BATCH_ROWS", "1000")
	var ids []string
	for i := 0; i < 3; i++ {
		if code, out, _ := cli(t, "run", "synthetic", "--ci"); code != 0 {
			t.Fatalf("run: exit %d\n%s", code, out)
		}
		ids = append(ids, lastReport(t).RunID)
	}
	// A killed run: a folder with its job and no report, from last week.
	killed := filepath.Join(".connector-dev", "runs", "20200101-000000-dead00")
	os.MkdirAll(killed, 0o755)
	os.WriteFile(filepath.Join(killed, "job.json"), []byte(`{"ETLJobNM":"synthetic-accounts"}`), 0o644)
	week := time.Now().Add(-8 * 24 * time.Hour)
	os.Chtimes(killed, week, week)

	if code, _, errOut := cli(t, "prune"); code != 3 || !strings.Contains(errOut, "--keep N") || !strings.Contains(errOut, "--older-than DURATION") {
		t.Errorf("prune without a rule: exit %d, %q", code, errOut)
	}
	code, out, _ := cli(t, "prune", "--older-than", "7d", "--dry-run")
	if code != 0 || !strings.Contains(out, "would remove  20200101-000000-dead00") || !strings.Contains(out, "incomplete") ||
		!strings.Contains(out, "would remove 1 run, 3 runs kept") {
		t.Fatalf("dry run: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(killed); err != nil {
		t.Fatal("--dry-run removed a run")
	}
	before := len(s3Files(t, ids[0]))
	if before != 10 { // 3 batches, schema.json and manifest.json, each an object and its metadata
		t.Fatalf("run %s has %d files in the embedded S3, want 10", ids[0], before)
	}
	code, out, _ = cli(t, "prune", "--keep", "1")
	if code != 0 {
		t.Fatalf("prune: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "removed 3 runs, 1 run kept: freed ") || !strings.Contains(out, "embedded S3 ") {
		t.Errorf("prune output:\n%s", out)
	}
	for _, id := range []string{ids[0], ids[1], "20200101-000000-dead00"} {
		if _, err := os.Stat(filepath.Join(".connector-dev", "runs", id)); err == nil {
			t.Errorf("run %s's folder is still there", id)
		}
		if left := s3Files(t, id); len(left) != 0 {
			t.Errorf("run %s left in the embedded S3: %v", id, left)
		}
	}
	// The newest run is whole: its batches still read.
	if code, out, errOut := cli(t, "inspect", ids[2], "--batch", "3", "--format", "jsonl"); code != 0 || strings.Count(out, "\n") != 1000 {
		t.Errorf("the kept run's batch 3: exit %d, %d lines, %s", code, strings.Count(out, "\n"), errOut)
	}
	if code, _, errOut := cli(t, "prune", "--keep", "1", "--job", "synthetic-acounts"); code != 3 || !strings.Contains(errOut, `did you mean "synthetic-accounts"?`) {
		t.Errorf("--job with a typo: exit %d, %q", code, errOut)
	}
}

// A run whose batches are in an external S3 loses its folder only, and
// prune says the batches are left there.
func TestPruneLeavesExternalBatches(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "10")
	cli(t, "run", "synthetic", "--ci")
	rep := lastReport(t)
	path := filepath.Join(".connector-dev", "runs", rep.RunID, "report.json")
	rep.Run.Storage, rep.Run.Endpoint = "external", "http://s3.example:9000"
	b, _ := json.Marshal(rep)
	os.WriteFile(path, b, 0o644)
	before := len(s3Files(t, rep.RunID))
	code, out, _ := cli(t, "prune", "--keep", "0")
	if code != 0 || !strings.Contains(out, "batches in the external S3 at http://s3.example:9000 are left alone") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("the run's folder is still there")
	}
	if after := len(s3Files(t, rep.RunID)); after != before {
		t.Errorf("prune touched an external run's objects: %d files, then %d", before, after)
	}
}
