package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// What `connector-dev --help` and every `connector-dev CMD --help` print,
// in testdata/help.golden (-update rewrites it): the table of commands
// makes all of it, so a change to one entry shows here as a user sees it.
func TestHelpGolden(t *testing.T) {
	var all bytes.Buffer
	args := [][]string{{"--help"}}
	for _, cmd := range commands() {
		args = append(args, []string{cmd.Name, "--help"})
	}
	for _, a := range args {
		code, out, errOut := cli(t, a...)
		if code != 0 || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q", a, code, errOut)
		}
		all.WriteString("$ connector-dev " + strings.Join(a, " ") + "\n" + out)
	}
	golden := filepath.Join("testdata", "help.golden")
	if *update {
		if err := os.WriteFile(golden, all.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if all.String() != string(want) {
		t.Errorf("help differs from %s (-update rewrites it):\n%s", golden, all.String())
	}
}

// The dashboard opens only on a terminal (stdin and stdout both), without
// --ci and without CI=true or CI=1: the Env says which, not the process.
func TestHeadlessFromEnv(t *testing.T) {
	stdin, stdout := fdStream(10), fdStream(11)
	for _, tt := range []struct {
		name     string
		flagged  bool
		ci       string
		ttys     []uintptr
		headless bool
	}{
		{name: "terminal", ttys: []uintptr{10, 11}, headless: false},
		{name: "--ci on a terminal", flagged: true, ttys: []uintptr{10, 11}, headless: true},
		{name: "CI=true on a terminal", ci: "true", ttys: []uintptr{10, 11}, headless: true},
		{name: "CI=1 on a terminal", ci: "1", ttys: []uintptr{10, 11}, headless: true},
		{name: "CI=TRUE on a terminal", ci: "TRUE", ttys: []uintptr{10, 11}, headless: true},
		{name: "CI=false on a terminal", ci: "false", ttys: []uintptr{10, 11}, headless: false},
		{name: "stdout piped", ttys: []uintptr{10}, headless: true},
		{name: "stdin piped", ttys: []uintptr{11}, headless: true},
		{name: "no terminal", headless: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := Env{Stdin: stdin, Stdout: stdout,
				Getenv:     func(k string) string { return map[string]string{"CI": tt.ci}[k] },
				IsTerminal: func(fd uintptr) bool { return slices.Contains(tt.ttys, fd) }}
			if got := env.headless(tt.flagged); got != tt.headless {
				t.Errorf("headless = %v, want %v", got, tt.headless)
			}
		})
	}
}

// fdStream is a stream on a file descriptor, as an *os.File is, that
// reads nothing and writes nowhere.
type fdStream uintptr

func (f fdStream) Fd() uintptr               { return uintptr(f) }
func (fdStream) Read([]byte) (int, error)    { return 0, io.EOF }
func (fdStream) Write(p []byte) (int, error) { return len(p), nil }

// Whatever the flags, a command's flag parsing answers with --help (exit
// 0), one line on stderr (exit 3), or goes on to run (-1): never a panic,
// never a second line.
func FuzzCommandFlags(f *testing.F) {
	for _, s := range []string{"--cii", "--timeout 5", "--timeout=-1s", "-C", "--batch x", "--help", "-h", "--keep", "--json=maybe", "--", "-x -y", "--s3-memory=true --faults"} {
		f.Add(uint8(0), s)
		f.Add(uint8(2), s)
	}
	f.Fuzz(func(t *testing.T, which uint8, line string) {
		cmds := commands()
		cmd := cmds[int(which)%len(cmds)]
		var out, errb bytes.Buffer
		c, _ := cmd.newCall(testEnv(&out, &errb))
		code := c.parse(strings.Fields(line))
		switch code {
		case -1, 0:
			if errb.Len() != 0 {
				t.Errorf("%s %q: exit %d with stderr %q", cmd.Name, line, code, errb.String())
			}
		case 3:
			if n := strings.Count(errb.String(), "\n"); n != 1 || !strings.HasPrefix(errb.String(), "connector-dev "+cmd.Name+": ") {
				t.Errorf("%s %q: stderr %q, want one line naming the command", cmd.Name, line, errb.String())
			}
		default:
			t.Errorf("%s %q: code %d", cmd.Name, line, code)
		}
	})
}

// testEnv is an Env writing to stdout and stderr, with no terminal, whose
// environment is the process's with vars (KEY=value) on top: a test gives
// a command a variable without setting it for the whole test binary.
func testEnv(stdout, stderr io.Writer, vars ...string) Env {
	environ := func() []string { return append(os.Environ(), vars...) }
	return Env{
		Stdout: stdout, Stderr: stderr, Environ: environ,
		Getenv: func(key string) string {
			v := os.Getenv(key)
			for _, kv := range vars {
				if k, val, _ := strings.Cut(kv, "="); k == key {
					v = val
				}
			}
			return v
		},
		IsTerminal: func(uintptr) bool { return false },
	}
}
