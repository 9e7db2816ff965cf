package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"

	flag "github.com/spf13/pflag"
)

// profileFlags are run's --cpuprofile, --memprofile and --trace: the Go
// profiles of the whole run, connector included (it runs in this process),
// for `go tool pprof` and `go tool trace`.
type profileFlags struct {
	cpu, mem, trace string
}

func (p *profileFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&p.cpu, "cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof FILE)")
	fs.StringVar(&p.mem, "memprofile", "", "write a heap profile at the end of the run to this file (go tool pprof FILE)")
	fs.StringVar(&p.trace, "trace", "", "write a runtime trace of the run to this file (go tool trace FILE)")
}

// profiling is the profiles of one run under way.
type profiling struct {
	cpu, mem, trace *os.File
}

// start creates the files the flags name (relative paths are in the
// folder the run is started in, -C's, as for --job) and starts the CPU
// profile and the trace. protected maps absolute paths of the project's own
// files (the job, connectors.yaml, .env ...) to what they are: a profile
// never lands on one. Every path is checked before any file is created or
// truncated, so a refused run leaves every existing file as it was; a file
// that cannot be used is a setup error naming the flag.
func (p profileFlags) start(protected map[string]string) (*profiling, error) {
	var pr profiling
	targets := []profileTarget{{"--cpuprofile", p.cpu, "", &pr.cpu, false}, {"--memprofile", p.mem, "", &pr.mem, false}, {"--trace", p.trace, "", &pr.trace, false}}
	var use []*profileTarget
	named := map[string]string{} // absolute path -> flag, to refuse one file for two
	for i := range targets {
		f := &targets[i]
		if f.path == "" {
			continue
		}
		if err := f.check(named, protected); err != nil {
			return nil, err
		}
		use = append(use, f)
	}
	// Open without truncating: if a later one cannot be opened, nothing
	// that existed has lost a byte, and what this run created goes.
	for i, f := range use {
		_, statErr := os.Stat(f.abs)
		file, err := os.OpenFile(f.abs, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			for _, g := range use[:i] {
				(*g.file).Close()
				if g.created {
					os.Remove(g.abs)
				}
			}
			return nil, fmt.Errorf("%s %s: cannot create it (%v): name a file in a folder that exists and that you can write", f.flag, f.path, pathless(err))
		}
		f.created = statErr != nil
		*f.file = file
	}
	for _, f := range use {
		if err := (*f.file).Truncate(0); err != nil {
			pr.discard()
			return nil, fmt.Errorf("%s %s: cannot truncate it (%v): remove it or choose another path", f.flag, f.path, pathless(err))
		}
	}
	if pr.cpu != nil {
		if err := pprof.StartCPUProfile(pr.cpu); err != nil {
			pr.discard()
			return nil, fmt.Errorf("--cpuprofile %s: %w", p.cpu, err)
		}
	}
	if pr.trace != nil {
		if err := trace.Start(pr.trace); err != nil {
			if pr.cpu != nil {
				pprof.StopCPUProfile()
			}
			pr.discard()
			return nil, fmt.Errorf("--trace %s: %w", p.trace, err)
		}
	}
	return &pr, nil
}

// profileTarget is one profile flag's file while start checks and opens it.
type profileTarget struct {
	flag, path, abs string
	file            **os.File
	created         bool // start made it: a refusal removes it
}

// check refuses, before anything is written, a path that is another flag's,
// one of the project's own files, a folder, an existing file that is not
// a profile of this kind (a profile run would overwrite it), or a file in
// a folder that does not exist.
func (f *profileTarget) check(named, protected map[string]string) error {
	abs, err := filepath.Abs(f.path)
	if err != nil {
		return fmt.Errorf("%s %s: %w", f.flag, f.path, err)
	}
	f.abs = abs
	if other, ok := named[abs]; ok {
		return fmt.Errorf("%s and %s both name %s: give each profile its own file", other, f.flag, f.path)
	}
	named[abs] = f.flag
	if what, ok := protected[abs]; ok {
		return fmt.Errorf("%s %s is %s: a profile would overwrite it; name a new file, e.g. run%s", f.flag, f.path, what, profileExt(f.flag))
	}
	st, err := os.Stat(abs)
	switch {
	case err == nil && st.IsDir():
		return fmt.Errorf("%s %s is a folder: name a file, e.g. %s", f.flag, f.path, filepath.Join(f.path, "run"+profileExt(f.flag)))
	case err == nil:
		if !isProfile(abs, f.flag) {
			return fmt.Errorf("%s %s exists and is not a profile; remove it or choose another path", f.flag, f.path)
		}
	case errors.Is(err, fs.ErrNotExist):
		if dst, derr := os.Stat(filepath.Dir(abs)); derr != nil || !dst.IsDir() {
			return fmt.Errorf("%s %s: cannot create it (no such file or directory): name a file in a folder that exists and that you can write", f.flag, f.path)
		}
	default:
		return fmt.Errorf("%s %s: %v: name a file you can write", f.flag, f.path, pathless(err))
	}
	return nil
}

// isProfile says whether the existing file at path is what the flag writes
// (so overwriting it loses only an older profile): pprof files are gzipped
// protobuf Profile messages (isPprof), traces start "go 1.NN trace". An
// empty file holds nothing to lose.
func isProfile(path, flag string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if n == 0 {
		return true
	}
	if flag == "--trace" {
		return bytes.HasPrefix(head, []byte("go 1.")) && bytes.Contains(head, []byte(" trace"))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false
	}
	return isPprof(f)
}

// projectFiles are the files of the project in dir that a profile flag
// must never name, by absolute path: what they are, for the refusal.
// jobFile is the planned run's (harness.Run.JobFile), never derived here:
// under --from-run it is the earlier run's copy, not a fixture.
func projectFiles(dir, jobFile string) map[string]string {
	m := map[string]string{}
	for path, what := range map[string]string{
		jobFile:                                "the job file",
		filepath.Join(dir, "connectors.yaml"):  "the project's connectors.yaml",
		filepath.Join(dir, ".env"):             "the project's .env",
		filepath.Join(dir, ".env.credentials"): "the project's .env.credentials",
	} {
		if abs, err := filepath.Abs(path); err == nil {
			m[abs] = what
		}
	}
	return m
}

func profileExt(flag string) string {
	if flag == "--trace" {
		return ".trace"
	}
	return ".pprof"
}

// pathless is an error without the *os.PathError's path, which the message
// names already.
func pathless(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// discard removes the files created so far: a run that never started
// leaves no empty profiles.
func (pr *profiling) discard() {
	for _, f := range []*os.File{pr.cpu, pr.mem, pr.trace} {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}
}

// stop ends the CPU profile and the trace, writes the heap profile (after a
// GC, so it shows what the run still held at its end) and closes the files.
// A failure is one line on w: the run's exit code stays the run's.
func (pr *profiling) stop(w io.Writer) {
	if pr == nil {
		return
	}
	if pr.trace != nil {
		trace.Stop()
	}
	if pr.cpu != nil {
		pprof.StopCPUProfile()
	}
	if pr.mem != nil {
		runtime.GC()
		if err := pprof.Lookup("heap").WriteTo(pr.mem, 0); err != nil {
			fmt.Fprintf(w, "connector-dev run: --memprofile %s: %v\n", pr.mem.Name(), err)
		}
	}
	for _, f := range []*os.File{pr.cpu, pr.mem, pr.trace} {
		if f != nil {
			if err := f.Close(); err != nil {
				fmt.Fprintf(w, "connector-dev run: %s: %v\n", f.Name(), err)
			}
		}
	}
}
