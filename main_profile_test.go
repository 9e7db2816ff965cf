package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"connector-dev/harness"
)

// goTool runs `go tool ARGS` and returns its output; a tool that cannot
// read the file fails the test.
func goTool(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"tool"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool %s: %v\n%.500s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// checkProfiles asserts that the three files are what `go tool pprof` and
// `go tool trace` read: a CPU profile, a heap profile, a runtime trace.
func checkProfiles(t *testing.T, cpu, mem, tr string) {
	t.Helper()
	if out := goTool(t, "pprof", "-top", cpu); !strings.Contains(out, "Type: cpu") {
		t.Errorf("go tool pprof -top %s:\n%.300s", cpu, out)
	}
	if out := goTool(t, "pprof", "-top", mem); !strings.Contains(out, "Type: inuse_space") {
		t.Errorf("go tool pprof -top %s:\n%.300s", mem, out)
	}
	if out := goTool(t, "trace", "-d=footprint", tr); !strings.Contains(out, "GoStart") {
		t.Errorf("go tool trace -d=footprint %s:\n%.300s", tr, out)
	}
}

// run --cpuprofile/--memprofile/--trace write files the go tools read,
// relative paths in the folder the run is started in (-C's).
func TestRunWritesProfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	dir := project(t)
	if err := os.Mkdir("prof", 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "synthetic", "--ci", "-C", filepath.Base(dir),
		"--cpuprofile", "prof/cpu.pprof", "--memprofile", "prof/mem.pprof", "--trace", "prof/run.trace")
	cmd.Dir = filepath.Dir(dir) // started beside the project: -C makes the paths the project's
	// The key is a secret: it must not reach a profile (a profile is a file
	// a developer attaches to an issue).
	key := base64.URLEncoding.EncodeToString([]byte("profiles-never-hold-this-secret!"))
	cmd.Env = append(os.Environ(), "SYNTHETIC_ROWS=100000", "ENCRYPTION_KEY="+key)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	files := []string{filepath.Join(dir, "prof", "cpu.pprof"), filepath.Join(dir, "prof", "mem.pprof"), filepath.Join(dir, "prof", "run.trace")}
	checkProfiles(t, files[0], files[1], files[2])
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil { // pprof files are gzipped protobuf
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
		if bytes.Contains(b, []byte(key)) || bytes.Contains(b, []byte("profiles-never-hold-this-secret!")) {
			t.Errorf("%s holds the ENCRYPTION_KEY", f)
		}
	}
}

// A run stopped with Ctrl-C, where a slow connector is profiled, still
// writes its profiles.
func TestInterruptedRunWritesProfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	project(t)
	cmd, exited, out := startChild(t, bin, []string{"SYNTHETIC_ROWS=200000000", "BATCH_ROWS=20000"},
		"run", "synthetic", "--ci", "--cpuprofile", "cpu.pprof", "--memprofile", "mem.pprof", "--trace", "run.trace")
	waitForLine(t, ".connector-dev/runs/*/run.log", "batch-000001.parquet", exited)
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-exited:
	case <-time.After(time.Minute):
		t.Fatal("no exit within a minute of SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d, want 130\n%s", code, out)
	}
	checkProfiles(t, "cpu.pprof", "mem.pprof", "run.trace")
}

// A profile path that cannot be written is one line naming the flag, exit
// 3, before any connector runs, and no profile file is left behind.
func TestProfileBadPaths(t *testing.T) {
	project(t)
	if err := os.Mkdir("folder", 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing folder", []string{"--cpuprofile", "no/such/cpu.pprof"}, "connector-dev run: --cpuprofile no/such/cpu.pprof: cannot create it (no such file or directory): name a file in a folder that exists and that you can write"},
		{"a folder", []string{"--trace", "folder"}, "connector-dev run: --trace folder is a folder: name a file, e.g. folder/run.trace"},
		{"one file twice", []string{"--cpuprofile", "p.out", "--memprofile", "./p.out"}, "connector-dev run: --cpuprofile and --memprofile both name ./p.out: give each profile its own file"},
		{"memprofile missing folder", []string{"--cpuprofile", "cpu.pprof", "--memprofile", "no/mem.pprof"}, "connector-dev run: --memprofile no/mem.pprof: cannot create it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, append([]string{"run", "synthetic", "--ci"}, tt.args...)...)
			if code != 3 || !strings.HasPrefix(errOut, tt.want) || strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, "goroutine") {
				t.Errorf("exit %d, stderr %q; want exit 3 and the one line %q", code, errOut, tt.want)
			}
			if strings.Contains(out, "source") {
				t.Errorf("the run started:\n%s", out)
			}
			for _, f := range []string{"p.out", "cpu.pprof"} {
				if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s left behind: %v", f, err)
				}
			}
		})
	}
	if runs, _ := harness.ListRuns(".connector-dev"); len(runs) != 0 {
		t.Errorf("%d runs recorded, want none", len(runs))
	}
}
