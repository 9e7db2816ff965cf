package harness

import (
	"time"

	"connector-dev/connectors"
)

// EventKind names what an Event reports.
type EventKind string

// The kinds of event a run emits, in the order a run emits them.
const (
	// EventRunStarted opens the stream; Run holds the header facts.
	EventRunStarted EventKind = "run_started"
	// EventLog is one log line (Level, Message; Stage when a connector logged it).
	EventLog EventKind = "log"
	// EventStageStarted and EventStageFinished bracket a stage ("source" or
	// "destination"); a finished stage carries its Stats and exit reason.
	EventStageStarted  EventKind = "stage_started"
	EventStageFinished EventKind = "stage_finished"
	// EventBatchWritten and EventBatchRead report one batch object.
	EventBatchWritten EventKind = "batch_written"
	EventBatchRead    EventKind = "batch_read"
	// EventProgress reports a stage's running totals (Stats), including the
	// rows the source said to expect.
	EventProgress EventKind = "progress"
	// EventFinished closes the stream; Exit and Summary say how it ended.
	EventFinished EventKind = "finished"
)

// Level is the level of an EventLog line. Its JSON form is the word itself
// ("debug", "info", "warn", "error"), as LOG_LEVEL spells it.
type Level string

// Log levels of EventLog, least severe first.
const (
	LevelDebug Level = "debug"
	LevelInfo  Level = "info"
	LevelWarn  Level = "warn"
	LevelError Level = "error"
)

// Rank orders levels for filtering: debug 0, info 1, warn 2, error 3. It is
// the one ranking LOG_LEVEL, the printer and the TUI's filter all use. A
// level it does not know (an event from a newer or foreign writer) ranks as
// info, so that no filter short of warn+ hides it and it never passes for
// an error.
func (l Level) Rank() int {
	switch l {
	case LevelDebug:
		return 0
	case LevelWarn:
		return 2
	case LevelError:
		return 3
	}
	return 1
}

// Event is one fact about a run. The TUI and the headless printer are two
// renderings of the same stream; every fact they show comes from here.
// Only the fields of its Kind are set.
type Event struct {
	Time    time.Time `json:"time"`
	Kind    EventKind `json:"kind"`
	Stage   string    `json:"stage,omitempty"`
	Level   Level     `json:"level,omitempty"`
	Message string    `json:"message,omitempty"`
	// Stream is "stdout" or "stderr" on a log line the process wrote to
	// file descriptor 1 or 2 (a connector's fmt.Printf, a library's println).
	Stream string `json:"stream,omitempty"`
	// Trace is a panic's stack: ours, so the plain renderings keep its
	// lines (indented below the message), while Message stays one line.
	Trace string     `json:"trace,omitempty"`
	Run   *RunInfo   `json:"run,omitempty"`
	Batch *BatchInfo `json:"batch,omitempty"`
	Stats *Stats     `json:"stats,omitempty"`
	Exit  *ExitInfo  `json:"exit,omitempty"`
	// Summary closes a run: one entry per stage that ran.
	Summary []StageReport `json:"summary,omitempty"`
	// ExitCode, on EventFinished, is the process's exit code: Exit's code,
	// or what the fixture's expectations made of it (Message says which).
	ExitCode *int `json:"exit_code,omitempty"`
	// RunID and Report, on EventFinished, name the run and its report.json
	// (an absolute path), so a script reading --json needs nothing else.
	RunID  string `json:"run_id,omitempty"`
	Report string `json:"report,omitempty"`
}

// RunInfo is the header of a run.
type RunInfo struct {
	RunID       string `json:"run_id"`
	Job         string `json:"job"`
	Source      string `json:"source"`
	Destination string `json:"destination"`
	Container   string `json:"container"`
	Version     string `json:"version"`
	Endpoint    string `json:"s3_endpoint"`
	Storage     string `json:"s3_storage"` // "embedded, on disk at DIR", "embedded, in memory" or "external"
	Bucket      string `json:"bucket"`
	Prefix      string `json:"prefix"`
	Format      string `json:"format"`
	FromRun     string `json:"from_run,omitempty"`
}

// BatchInfo describes one batch object.
type BatchInfo struct {
	Index  int    `json:"index"` // 1-based
	Key    string `json:"key"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	Format string `json:"format"`
	// CRC32C is the Castagnoli CRC-32 of the object's bytes, as stored.
	CRC32C uint32 `json:"crc32c,omitempty"`
}

// Stats are a stage's running totals.
type Stats struct {
	Rows         int64   `json:"rows"`
	Batches      int64   `json:"batches"`
	Bytes        int64   `json:"bytes"`
	ExpectedRows int64   `json:"expected_rows,omitempty"` // 0: the source did not say
	Seconds      float64 `json:"seconds"`
}

// ExitInfo is how a stage or the run ended.
type ExitInfo struct {
	Reason  connectors.ExitReason `json:"reason"`
	Code    int                   `json:"code"`
	Message string                `json:"message"`
}

// Sink receives a run's events in order. Emit must not block for long: the
// run waits for it.
type Sink interface {
	Emit(Event)
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(Event)

// Emit calls f(e).
func (f SinkFunc) Emit(e Event) { f(e) }
