//go:build unix

package harness

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"

	"golang.org/x/sys/unix"

	"connector-dev/harness/httprec"
)

// CaptureOutput points the process's file descriptors 1 and 2 at pipes
// until Restore: whatever a connector or a library writes there
// (fmt.Printf, log.Printf, println, a C library's warnings) becomes log
// lines of the run, scrubbed, marked stream stdout or stderr, with the stage
// when only one is running. Nothing lands raw on the screen and --json stays
// JSON lines. connector-dev's own output (the printer, the TUI) goes to
// Output.Stdout and Output.Stderr, duplicates of the original descriptors.
// A Go fatal error's trace, which the pipe could lose with the process, is
// also written to crash.log in the run's folder (debug.SetCrashOutput).
func (r *Run) CaptureOutput() (*Output, error) {
	if r.out != nil {
		return nil, errors.New("output is already captured")
	}
	if err := r.makeRunDir(); err != nil {
		return nil, err
	}
	o := &Output{r: r, scrub: newScrubber(r.secrets), flushed: make(chan string, 2), readersDone: make(chan struct{})}
	var nonce [8]byte
	rand.Read(nonce[:])
	o.sentinel = "\x00connector-dev-flush-" + hex.EncodeToString(nonce[:])
	var saved [2]int
	for i, fd := range []int{1, 2} {
		d, err := unix.Dup(fd)
		if err != nil {
			o.undo(saved[:i])
			return nil, fmt.Errorf("capture fd %d: %w", fd, err)
		}
		unix.CloseOnExec(d)
		saved[i] = d
	}
	o.Stdout = os.NewFile(uintptr(saved[0]), "/dev/stdout")
	o.Stderr = os.NewFile(uintptr(saved[1]), "/dev/stderr")
	var reads []*os.File
	for i, fd := range []int{1, 2} {
		pr, pw, err := os.Pipe()
		if err == nil {
			err = unix.Dup2(int(pw.Fd()), fd)
			pw.Close() // fd (1 or 2) is now the only write end
		}
		if err != nil {
			for _, f := range reads {
				f.Close()
			}
			if pr != nil {
				pr.Close()
			}
			o.restoreFDs(i)
			o.Stdout.Close()
			o.Stderr.Close()
			return nil, fmt.Errorf("capture fd %d: %w", fd, err)
		}
		reads = append(reads, pr)
	}
	if f, err := os.OpenFile(filepath.Join(r.runDir, "crash.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600); err == nil {
		if debug.SetCrashOutput(f, debug.CrashOptions{}) == nil {
			o.crash = f
		} else {
			f.Close()
		}
	}
	for i, stream := range []string{"stdout", "stderr"} {
		o.wg.Add(1)
		go o.read(reads[i], stream)
	}
	go func() { o.wg.Wait(); close(o.readersDone) }()
	r.out = o
	return o, nil
}

// Output is the process's captured fd 1 and 2 (see Run.CaptureOutput).
type Output struct {
	// Stdout and Stderr are the descriptors 1 and 2 were before the
	// capture: connector-dev writes its own output there.
	Stdout, Stderr *os.File

	r        *Run
	scrub    *httprec.Scrubber
	sentinel string
	flushed  chan string
	// readersDone is closed when both pipe readers have ended.
	readersDone chan struct{}
	wg          sync.WaitGroup
	crash       *os.File

	syncMu  sync.Mutex
	mu      sync.Mutex
	em      *emitter // the execution's emitter while it runs
	running []string // stages running now
	done    bool
}

// read turns one pipe into log lines until its write end closes.
func (o *Output) read(f *os.File, stream string) {
	defer o.wg.Done()
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			s := string(line)
			if n := len(s); s[n-1] == '\n' {
				s = s[:n-1]
				if n > 1 && s[n-2] == '\r' {
					s = s[:n-2]
				}
			}
			if len(s) >= len(o.sentinel) && s[len(s)-len(o.sentinel):] == o.sentinel {
				if rest := s[:len(s)-len(o.sentinel)]; rest != "" {
					o.line(stream, rest)
				}
				o.flushed <- stream
				continue
			}
			o.line(stream, s)
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// line emits one captured line into the run, or, outside an execution,
// writes it to the original stderr, scrubbed and made safe.
func (o *Output) line(stream, s string) {
	o.mu.Lock()
	em, stage := o.em, ""
	if len(o.running) == 1 {
		stage = o.running[0]
	}
	o.mu.Unlock()
	level := LevelInfo
	if stream == "stderr" {
		level = LevelWarn
	}
	if em != nil {
		em.emit(Event{Kind: EventLog, Stage: stage, Level: level, Stream: stream, Message: s})
		return
	}
	fmt.Fprintf(o.Stderr, "connector-dev: %s: %s\n", stream, SafeText(o.scrub.Replace(s)))
}

// attach sends captured lines to an execution's emitter.
func (o *Output) attach(em *emitter) {
	if o == nil {
		return
	}
	o.mu.Lock()
	o.em = em
	o.mu.Unlock()
}

// detach waits until every line written so far has been emitted, then
// stops sending lines to the emitter.
func (o *Output) detach() {
	if o == nil {
		return
	}
	o.sync()
	o.mu.Lock()
	o.em = nil
	o.mu.Unlock()
}

// sync returns once every line written to fd 1 and 2 so far has been
// emitted: a sentinel follows whatever is in each pipe, and the readers say
// when they reach it. syncMu keeps two syncs from taking each other's.
func (o *Output) sync() {
	o.syncMu.Lock()
	defer o.syncMu.Unlock()
	o.mu.Lock()
	done := o.done
	o.mu.Unlock()
	if done {
		return
	}
	// A connector may have closed fd 1 or 2: wait only for the pipes the
	// sentinel reached, and not for a reader that has ended.
	n := 0
	for _, f := range []*os.File{os.Stdout, os.Stderr} {
		if _, err := f.WriteString(o.sentinel + "\n"); err == nil {
			n++
		}
	}
	for ; n > 0; n-- {
		select {
		case <-o.flushed:
		case <-o.readersDone:
			return
		}
	}
}

// enter and leave track the running stages, to name the stage of a line.
func (o *Output) enter(stage string) {
	if o == nil {
		return
	}
	o.mu.Lock()
	o.running = append(o.running, stage)
	o.mu.Unlock()
}

func (o *Output) leave(stage string) {
	if o == nil {
		return
	}
	// What the stage printed is emitted under its name, before it ends.
	o.sync()
	o.mu.Lock()
	for i, s := range o.running {
		if s == stage {
			o.running = append(o.running[:i], o.running[i+1:]...)
			break
		}
	}
	o.mu.Unlock()
}

// Restore gives descriptors 1 and 2 back and waits for the last lines. A
// crash.log that stayed empty is removed.
func (o *Output) Restore() error {
	o.mu.Lock()
	if o.done {
		o.mu.Unlock()
		return nil
	}
	o.done = true
	o.mu.Unlock()
	err := o.restoreFDs(2)
	o.wg.Wait()
	if o.crash != nil {
		debug.SetCrashOutput(nil, debug.CrashOptions{})
		info, serr := o.crash.Stat()
		o.crash.Close()
		if serr == nil && info.Size() == 0 {
			os.Remove(o.crash.Name())
		}
	}
	o.Stdout.Close()
	o.Stderr.Close()
	o.r.out = nil
	return err
}

// restoreFDs points the first n of descriptors 1 and 2 back at the saved
// ones, which closes the pipes' write ends.
func (o *Output) restoreFDs(n int) error {
	var err error
	for i, f := range []*os.File{o.Stdout, o.Stderr}[:n] {
		if e := unix.Dup2(int(f.Fd()), i+1); e != nil && err == nil {
			err = fmt.Errorf("restore fd %d: %w", i+1, e)
		}
	}
	return err
}

// undo closes the first descriptors saved before a failed capture.
func (o *Output) undo(saved []int) {
	for _, d := range saved {
		unix.Close(d)
	}
}
