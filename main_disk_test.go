package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A full disk under the state folder ends the run with one line that says
// so, names the folder and the way out, instead of "InternalError".
func TestFullDiskSaysSo(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	project(t)
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	t.Setenv("SYNTHETIC_ROWS", "100000")
	t.Setenv("BATCH_ROWS", "50000")
	code, out, errOut := cli(t, "run", "synthetic", "--ci", "--state-dir", mnt)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	want := "InsufficientStorage: no space left on device in " + filepath.Join(mnt, "s3") + ": free space or use --s3-memory"
	var exit string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "EXIT") {
			exit = l
		}
	}
	if !strings.Contains(exit, want) || !strings.Contains(exit, "put s3://connector-dev/synthetic-accounts/") {
		t.Errorf("exit line %q does not say %q with the key", exit, want)
	}
	if strings.Contains(out, "Internal Error") {
		t.Errorf("the output still says Internal Error:\n%s", out)
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "accounts"); n > 0 {
		t.Errorf("the warehouse got %d rows from a run that failed", n)
	}
}
