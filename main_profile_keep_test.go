package main

import (
	"os"
	"strings"
	"testing"
)

// A refused run changes no file: neither a profile another flag names nor
// the project's own files, which a profile flag may not overwrite.
func TestProfileRefusalKeepsFiles(t *testing.T) {
	project(t)
	keep := map[string]string{"a.pprof": "keep\n", "cpu.pprof": string(writtenProfile(t, "heap")), "notes.txt": "my notes\n",
		"notes.txt.gz": string(gzipped(t, []byte("my notes\n")))}
	for f, body := range keep {
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	yaml, _ := os.ReadFile("connectors.yaml")
	job, _ := os.ReadFile("fixtures/synthetic/job.json")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"other flag's folder missing", []string{"--cpuprofile", "cpu.pprof", "--memprofile", "no/such/x"}, "connector-dev run: --memprofile no/such/x: cannot create it (no such file or directory)"},
		{"one file twice", []string{"--cpuprofile", "cpu.pprof", "--trace", "cpu.pprof"}, "connector-dev run: --cpuprofile and --trace both name cpu.pprof: give each profile its own file"},
		{"not a profile", []string{"--cpuprofile", "a.pprof"}, "connector-dev run: --cpuprofile a.pprof exists and is not a profile; remove it or choose another path"},
		{"gzip that is not a profile", []string{"--cpuprofile", "notes.txt.gz"}, "connector-dev run: --cpuprofile notes.txt.gz exists and is not a profile; remove it or choose another path"},
		{"a pprof is not a trace", []string{"--trace", "cpu.pprof"}, "connector-dev run: --trace cpu.pprof exists and is not a profile; remove it or choose another path"},
		{"connectors.yaml", []string{"--cpuprofile", "connectors.yaml"}, "connector-dev run: --cpuprofile connectors.yaml is the project's connectors.yaml: a profile would overwrite it; name a new file, e.g. run.pprof"},
		{"job file", []string{"--memprofile", "fixtures/synthetic/job.json"}, "connector-dev run: --memprofile fixtures/synthetic/job.json is the job file: a profile would overwrite it"},
		{"missing .env", []string{"--trace", ".env.credentials"}, "connector-dev run: --trace .env.credentials is the project's .env.credentials: a profile would overwrite it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(".env.credentials")
			code, out, errOut := cli(t, append([]string{"run", "synthetic", "--ci"}, tt.args...)...)
			if code != 3 || !strings.HasPrefix(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want exit 3 and the one line %q", code, errOut, tt.want)
			}
			if strings.Contains(out, "source") {
				t.Errorf("the run started:\n%s", out)
			}
			for f, body := range keep {
				if b, err := os.ReadFile(f); err != nil || string(b) != body {
					t.Errorf("%s is now %q (%v), want %q", f, b, err, body)
				}
			}
			if b, _ := os.ReadFile("connectors.yaml"); string(b) != string(yaml) {
				t.Errorf("connectors.yaml changed")
			}
			if b, _ := os.ReadFile("fixtures/synthetic/job.json"); string(b) != string(job) {
				t.Errorf("job.json changed")
			}
			for _, f := range []string{"no", ".env.credentials"} {
				if _, err := os.Stat(f); err == nil {
					t.Errorf("%s created", f)
				}
			}
		})
	}
}

// FuzzIsProfile: whatever a file holds, isProfile takes it for a pprof
// file only when it is empty or gzip, for a trace only when empty or
// starting "go 1."; anything else is refused, never overwritten.
func FuzzIsProfile(f *testing.F) {
	for _, s := range []string{"", "\x1f\x8b\x08", "go 1.23 trace\x00\x00\x00", "keep\n", "# yaml", "{\"ETLJobNM\": 1}"} {
		f.Add([]byte(s))
	}
	f.Add(gzipped(f, []byte("my notes\n")))
	f.Add(writtenProfile(f, "heap"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := dir + "/f"
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if isProfile(p, "--cpuprofile") && len(b) > 0 && !(len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
			t.Errorf("%q taken for a pprof file", b)
		}
		if isProfile(p, "--trace") && len(b) > 0 && !strings.HasPrefix(string(b), "go 1.") {
			t.Errorf("%q taken for a trace", b)
		}
	})
}
