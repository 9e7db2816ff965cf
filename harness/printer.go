package harness

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"connector-dev/connectors"
)

// FormatPlain renders one event as the plain text line(s) of the headless
// printer and of the run's log file. Every text of the event is SafeText, so
// a newline or an escape sequence from a job or a connector shows escaped on
// its line; the only line breaks are ours: a run header, the summary, and a
// panic's Trace as indented continuation lines.
func FormatPlain(ev Event) string {
	ev = safeEvent(ev)
	ts := ev.Time.Format("15:04:05.000")
	var b strings.Builder
	switch ev.Kind {
	case EventLog:
		msg := ev.Message
		if ev.Stream != "" {
			msg = ev.Stream + ": " + msg
		}
		fmt.Fprintf(&b, "%s %-5s %-11s %s", ts, strings.ToUpper(string(ev.Level)), ev.Stage, msg)
		for _, l := range strings.Split(strings.TrimRight(ev.Trace, "\n"), "\n") {
			if l == "" {
				continue
			}
			indent := "\n    "
			if strings.HasPrefix(l, "\t") {
				indent += "    "
			}
			b.WriteString(indent + SafeText(strings.TrimLeft(l, "\t")))
		}
	case EventRunStarted:
		r := ev.Run
		dest := r.Destination
		if dest == "" {
			dest = "(none)"
		}
		src := r.Source
		if src == "" {
			src = "run " + r.FromRun
		}
		fmt.Fprintf(&b, "%s RUN   %-11s job \"%s\": %s -> %s, run %s\n%s RUN   %-11s batches s3://%s/%s as %s, S3 %s (%s)",
			ts, "", r.Job, src, dest, r.RunID, ts, "", r.Bucket, r.Prefix, r.Format, r.Endpoint, r.Storage)
	case EventStageStarted:
		fmt.Fprintf(&b, "%s STAGE %-11s %s started", ts, ev.Stage, ev.Message)
	case EventStageFinished:
		fmt.Fprintf(&b, "%s STAGE %-11s %s", ts, ev.Stage, stageLine(ev))
	case EventBatchWritten, EventBatchRead:
		verb := "wrote"
		if ev.Kind == EventBatchRead {
			verb = "read"
		}
		fmt.Fprintf(&b, "%s BATCH %-11s %s %s: %s, %s", ts, ev.Stage, verb, ev.Batch.Key, rows(ev.Batch.Rows), HumanBytes(ev.Batch.Bytes))
	case EventProgress:
		fmt.Fprintf(&b, "%s PROG  %-11s %s, %s", ts, ev.Stage, rows(ev.Stats.Rows), batches(ev.Stats.Batches))
	case EventFinished:
		for _, s := range ev.Summary {
			fmt.Fprintf(&b, "%s SUM   %-11s %-10s %13s %-4s %7s %-7s %10s %8.2f s %13s rows/s\n",
				ts, s.Name, s.Connector, Number(s.Rows), noun(s.Rows, "row", "rows"), Number(s.Batches), noun(s.Batches, "batch", "batches"),
				HumanBytes(s.Bytes), s.Seconds, Number(int64(math.Round(s.RowsPerS))))
		}
		// With a closing message, its first line says how the exit code
		// came about (expectations, recording) and stands for the reason.
		// The exit message then gets a line of its own.
		head, rest, _ := strings.Cut(ev.Message, "\n")
		m := exitMessage(ev.Exit)
		if head == "" {
			fmt.Fprintf(&b, "%s EXIT  %-11s %s (code %d)", ts, "", ev.Exit.Reason, ev.Exit.Code)
			if m != "" {
				fmt.Fprintf(&b, ": %s", m)
			}
		} else {
			fmt.Fprintf(&b, "%s EXIT  %-11s %s", ts, "", head)
			if m != "" {
				fmt.Fprintf(&b, "\n%s EXIT  %-11s %s", ts, "", m)
			}
		}
		if rest != "" {
			for _, l := range strings.Split(rest, "\n") {
				fmt.Fprintf(&b, "\n%s EXIT  %-11s %s", ts, "", l)
			}
		}
	default:
		fmt.Fprintf(&b, "%s %s %s", ts, ev.Kind, ev.Message)
	}
	return b.String()
}

func stageLine(ev Event) string {
	s := ev.Stats
	var b strings.Builder
	fmt.Fprintf(&b, "%s finished: %s, %s, %s, %s, %.2f s", ev.Message, ev.Exit.Reason, rows(s.Rows), batches(s.Batches), HumanBytes(s.Bytes), s.Seconds)
	// An interrupted stage's message is often just its reason again.
	if m := firstLine(ev.Exit.Message); m != "" && m != string(ev.Exit.Reason) {
		fmt.Fprintf(&b, " (%s)", m)
	}
	return b.String()
}

func rows(n int64) string    { return Quantity(n, "row", "rows") }
func batches(n int64) string { return Quantity(n, "batch", "batches") }

// noun is the word Quantity would put after n.
func noun(n int64, one, many string) string {
	if n == 1 || n == -1 {
		return one
	}
	return many
}

// exitMessage is an exit's message as a line shows it after the reason: ""
// when it only repeats the reason ("interrupted (code 130): interrupted").
func exitMessage(x *ExitInfo) string {
	if x == nil || x.Message == string(x.Reason) {
		return ""
	}
	return x.Message
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// HumanBytes renders a byte count in B, KiB, MiB, ... (powers of 1024);
// the printer and the TUI both show sizes this way.
func HumanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// Printer is the headless sink: plain lines or JSON lines on w. Output is
// buffered and flushed every 100 ms and at Close, so a log burst costs
// system calls per flush, not per line.
type Printer struct {
	mu       sync.Mutex
	w        *bufio.Writer
	json     bool
	progress bool
	stop     chan struct{}
	done     chan struct{}
}

// NewPrinter starts a printer. Plain output skips progress events (they
// repeat the batch lines); JSON output has every event.
func NewPrinter(w io.Writer, jsonLines bool) *Printer {
	p := &Printer{w: bufio.NewWriterSize(w, 64<<10), json: jsonLines, progress: jsonLines, stop: make(chan struct{}), done: make(chan struct{})}
	go p.flusher()
	return p
}

func (p *Printer) flusher() {
	defer close(p.done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			p.mu.Lock()
			p.w.Flush()
			p.mu.Unlock()
		case <-p.stop:
			return
		}
	}
}

// Emit prints one event.
func (p *Printer) Emit(ev Event) {
	if ev.Kind == EventProgress && !p.progress {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		b, err := json.Marshal(ev)
		if err != nil {
			return
		}
		p.w.Write(b)
	} else {
		p.w.WriteString(FormatPlain(ev))
	}
	p.w.WriteByte('\n')
	switch ev.Kind {
	case EventRunStarted, EventFinished, EventStageStarted, EventStageFinished, EventBatchWritten, EventBatchRead:
		// Few and telling: out at once, so a process that dies (a Go
		// fatal error takes the buffer with it) has shown them.
		p.w.Flush()
	}
}

// Close stops the flusher and flushes what is left.
func (p *Printer) Close() error {
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.w.Flush()
}

// Outcome is the one line left on the terminal after the dashboard closes.
func Outcome(rep *Report, stateDir string) string {
	head := firstLine(rep.Closing)
	if head == "" {
		head = fmt.Sprintf("%s (exit %d)", rep.Exit.Reason, rep.ExitCode)
	}
	line := fmt.Sprintf("run %s: %s, %s", rep.RunID, head, rows(rep.Rows()))
	if m := exitMessage(&rep.Exit); m != "" {
		line += ": " + firstLine(m)
	}
	return SafeText(line + fmt.Sprintf("; report %s", filepath.Join(stateDir, "runs", rep.RunID, "report.json")))
}

// PrintSetupError writes a setup failure as the --json stream's one event.
func PrintSetupError(w io.Writer, msg string) {
	code := connectors.Setup.Code()
	b, _ := json.Marshal(Event{Time: time.Now(), Kind: EventFinished,
		Exit: &ExitInfo{Reason: connectors.Setup, Code: code, Message: msg}, ExitCode: &code})
	fmt.Fprintf(w, "%s\n", b)
}
