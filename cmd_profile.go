package main

import (
	"errors"
	"fmt"
	"io"
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
// profile and the trace. A file it cannot create is a setup error naming
// the flag; nothing is left behind then.
func (p profileFlags) start() (*profiling, error) {
	named := map[string]string{} // absolute path -> flag, to refuse one file for two
	var pr profiling
	for _, f := range []struct {
		flag, path string
		file       **os.File
	}{{"--cpuprofile", p.cpu, &pr.cpu}, {"--memprofile", p.mem, &pr.mem}, {"--trace", p.trace, &pr.trace}} {
		if f.path == "" {
			continue
		}
		abs, err := filepath.Abs(f.path)
		if err != nil {
			pr.discard()
			return nil, fmt.Errorf("%s %s: %w", f.flag, f.path, err)
		}
		if other, ok := named[abs]; ok {
			pr.discard()
			return nil, fmt.Errorf("%s and %s both name %s: give each profile its own file", other, f.flag, f.path)
		}
		named[abs] = f.flag
		if st, err := os.Stat(abs); err == nil && st.IsDir() {
			pr.discard()
			return nil, fmt.Errorf("%s %s is a folder: name a file, e.g. %s", f.flag, f.path, filepath.Join(f.path, "run"+profileExt(f.flag)))
		}
		file, err := os.Create(abs)
		if err != nil {
			pr.discard()
			return nil, fmt.Errorf("%s %s: cannot create it (%v): name a file in a folder that exists and that you can write", f.flag, f.path, pathless(err))
		}
		*f.file = file
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
