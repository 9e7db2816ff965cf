package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Under run DESTINATION --from-run RUN the job file is the earlier run's
// copy in its folder, which the replay reads: a profile flag naming it is
// refused and the copy kept. The destination's fixture is not that run's
// job, and a profile may land on a path of that name.
func TestProfileFromRunKeepsItsJobFile(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "100")
	if code, out, errOut := cli(t, "run", "synthetic", "--ci"); code != 0 {
		t.Fatalf("source run: exit %d\n%s%s", code, out, errOut)
	}
	id := lastReport(t).RunID
	jobCopy := filepath.Join(".connector-dev", "runs", id, "job.json")
	before, err := os.ReadFile(jobCopy)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "run", "sqlite", "--from-run", id, "--ci", "--cpuprofile", jobCopy)
	want := "connector-dev run: --cpuprofile " + jobCopy + " is the job file: a profile would overwrite it"
	if code != 3 || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want exit 3 and the one line %q", code, errOut, want)
	}
	if strings.Contains(out, "destination") {
		t.Errorf("the run started:\n%s", out)
	}
	if after, err := os.ReadFile(jobCopy); err != nil || string(after) != string(before) {
		t.Errorf("%s after the refused run: %d bytes (%v), want it as it was", jobCopy, len(after), err)
	}

	// No fixture is this run's job: a profile where a sqlite fixture would
	// be is written (the check protected that path and not the copy).
	if err := os.MkdirAll(filepath.Join("fixtures", "sqlite"), 0o755); err != nil {
		t.Fatal(err)
	}
	prof := filepath.Join("fixtures", "sqlite", "job.json")
	if code, out, errOut := cli(t, "run", "sqlite", "--from-run", id, "--ci", "--memprofile", prof); code != 0 {
		t.Fatalf("--from-run with --memprofile %s: exit %d\n%s%s", prof, code, out, errOut)
	}
	if !isProfile(prof, "--memprofile") {
		t.Errorf("%s is not the heap profile the run wrote", prof)
	}
}
