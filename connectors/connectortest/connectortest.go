// Package connectortest is a fake connectors.Runtime, so a connector is
// unit-tested without the harness, S3 or the network, as net/http/httptest
// is to net/http. It records what the connector logged, uploaded and how it
// ended.
package connectortest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"connector-dev/connectors"
)

// Log is one line a connector logged.
type Log struct {
	// Level is "info" (LogInfo), "error" (LogErr, and a setup problem the
	// runtime found, such as a mapping naming a column the frames lack),
	// "unhandled" (LogUnhandled, a panic) or "no_fail" (ExitNoFail).
	Level   string
	Message string
}

// Runtime is a connectors.Runtime that records. Set the exported fields
// before Run; read them (and Exit) after.
type Runtime struct {
	JobDetails  *connectors.JobDetails
	Creds       map[string]string
	EnvVars     map[string]string
	Client      *http.Client // nil: http.DefaultClient
	Clock       time.Time    // zero: time.Now
	ExpectedOut int64        // what SetExpectedRows was told, -1 if never

	// Input are the frames RunBatches hands to the destination, one per
	// batch, before the mapping renames them.
	Input []*connectors.Frame

	mu      sync.Mutex
	logs    []Log
	uploads []*connectors.Frame
	rows    int64
	exit    *connectors.ExitError
	cancel  context.CancelFunc
	dest    connectors.Destination

	// Set by run for the length of one RunSource or RunDestination, as the
	// harness fixes them when a stage starts; outside a run (a test calling
	// a connector's helpers directly) they are read from JobDetails.
	running bool
	mapping connectors.Mapping
	window  connectors.Window

	// schema is the first uploaded frame's, which every later frame of the
	// run must match, as the harness's uploader requires.
	schema []connectors.Field
}

// New returns a runtime for job (nil: an empty Append job).
func New(job *connectors.JobDetails) *Runtime {
	if job == nil {
		job = &connectors.JobDetails{ETLJobNM: "test", UpdateMethodCD: connectors.Append}
	}
	return &Runtime{JobDetails: job, Creds: map[string]string{}, EnvVars: map[string]string{}, ExpectedOut: -1}
}

// RunSource runs a source as the harness would: a job whose mapping or
// date window is bad ends with reason setup before the source runs, panics
// are caught as unhandled, an ending the connector called (or the runtime
// recorded) wins over the returned error, and a ctx cancelled or past its
// deadline from outside ends it as interrupted or timeout. The exit reason
// is returned with its message.
func (r *Runtime) RunSource(ctx context.Context, s connectors.Source) (connectors.ExitReason, string) {
	r.dest = nil
	return r.run(ctx, func(ctx context.Context) error { return s.Run(ctx, r) })
}

// RunDestination runs a destination over r.Input as the harness would,
// under the rules RunSource lists: it calls the destination's Run if it
// has one, else RunBatches.
func (r *Runtime) RunDestination(ctx context.Context, d connectors.Destination) (connectors.ExitReason, string) {
	r.dest = d
	return r.run(ctx, func(ctx context.Context) error {
		if runner, ok := d.(connectors.Runner); ok {
			return runner.Run(ctx, r)
		}
		return r.RunBatches(ctx)
	})
}

func (r *Runtime) run(parent context.Context, fn func(context.Context) error) (reason connectors.ExitReason, msg string) {
	// The harness refuses such a job before any connector starts; the
	// ending is recorded too, for tests that read Exit rather than the result.
	// Each run starts without an ending: a source's ExitNoFail is not the
	// destination's when one Runtime serves both.
	r.mu.Lock()
	r.exit = nil
	r.mu.Unlock()
	m, err := connectors.ParseMapping(string(r.JobDetails.JobDataJSON))
	var w connectors.Window
	if err == nil {
		w, err = r.JobDetails.ResolveWindow(r.Now())
	}
	if err != nil {
		r.end(connectors.Setup, "error", "%v", []any{err})
		return connectors.Setup, err.Error()
	}
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	r.mu.Lock()
	r.cancel = cancel
	r.running, r.mapping, r.window, r.schema = true, m, w, nil
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.running = false
		r.mu.Unlock()
	}()
	err = func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				r.addLog("unhandled", fmt.Sprintf("panic: %v\n%s", p, debug.Stack()))
				err = &connectors.ExitError{Reason: connectors.Unhandled, Message: fmt.Sprintf("panic: %v", p)}
			}
		}()
		return fn(ctx)
	}()
	if exit := r.Exit(); exit != nil { // a recorded ending wins even if the error was dropped
		return exit.Reason, exit.Message
	}
	// As the harness: a connector that returned nil finished its work.
	if perr := parent.Err(); perr != nil && err != nil {
		if errors.Is(perr, context.DeadlineExceeded) {
			return connectors.Timeout, "timeout: " + perr.Error()
		}
		return connectors.Interrupted, "interrupted"
	}
	return connectors.ReasonOf(err)
}

// current returns the mapping and window of the run in progress, or, outside
// a run, resolves them from JobDetails and Now as they stand.
func (r *Runtime) current() (connectors.Mapping, connectors.Window, error) {
	r.mu.Lock()
	running, m, w := r.running, r.mapping, r.window
	r.mu.Unlock()
	if running {
		return m, w, nil
	}
	m, err := connectors.ParseMapping(string(r.JobDetails.JobDataJSON))
	if err != nil {
		return connectors.Mapping{}, connectors.Window{}, err
	}
	w, err = r.JobDetails.ResolveWindow(r.Now())
	return m, w, err
}

func (r *Runtime) addLog(level, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, Log{Level: level, Message: msg})
}

func (r *Runtime) end(reason connectors.ExitReason, level, format string, args []any) error {
	msg := fmt.Sprintf(format, args...)
	r.addLog(level, msg)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.exit == nil {
		r.exit = &connectors.ExitError{Reason: reason, Message: msg}
	}
	if r.cancel != nil {
		r.cancel()
	}
	return r.exit
}

// LogInfo records an info line.
func (r *Runtime) LogInfo(format string, args ...any) { r.addLog("info", fmt.Sprintf(format, args...)) }

// LogErr records the line and ends with reason error.
func (r *Runtime) LogErr(format string, args ...any) error {
	return r.end(connectors.Error, "error", format, args)
}

// LogUnhandled records the line and ends with reason unhandled.
func (r *Runtime) LogUnhandled(format string, args ...any) error {
	return r.end(connectors.Unhandled, "unhandled", format, args)
}

// ExitNoFail records the line and ends with reason no_fail.
func (r *Runtime) ExitNoFail(format string, args ...any) error {
	return r.end(connectors.NoFail, "no_fail", format, args)
}

// UploadRows checks the frame as the harness does and keeps it as one
// batch. A nil or invalid frame, or one whose columns (names, types,
// nullability) differ from the first frame's, is an error. The first frame
// must have every source column of the mapping: if it lacks one, the run
// ends with reason setup (recorded, and the context cancelled, so it holds
// even if the connector drops the error). A frame of no rows is checked but
// kept as no batch, since the harness writes none for it.
func (r *Runtime) UploadRows(ctx context.Context, f *connectors.Frame) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	isDest := r.running && r.dest != nil
	r.mu.Unlock()
	if isDest {
		return fmt.Errorf("UploadRows: the runtime is running a destination; only sources upload rows")
	}
	if f == nil {
		return fmt.Errorf("UploadRows: nil frame")
	}
	if err := f.Validate(); err != nil {
		return fmt.Errorf("UploadRows: %w", err)
	}
	if err := r.checkSchema(f); err != nil {
		return err
	}
	if f.Len() == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.uploads = append(r.uploads, f)
	r.rows += int64(f.Len())
	return nil
}

// checkSchema is harness/upload.go's: the first frame fixes the schema and
// must carry the mapping's source columns; later frames must match it.
func (r *Runtime) checkSchema(f *connectors.Frame) error {
	fields := f.Fields()
	r.mu.Lock()
	schema := r.schema
	r.mu.Unlock()
	if schema == nil {
		m, _, err := r.current()
		if err != nil {
			return r.end(connectors.Setup, "error", "%v", []any{err})
		}
		if cols := m.SourceColumns(); len(cols) > 0 {
			if _, err := f.Select(cols, nil); err != nil {
				return r.end(connectors.Setup, "error", "JobDataJSON maps a column the source does not have: %v", []any{err})
			}
		}
		r.mu.Lock()
		r.schema = fields
		r.mu.Unlock()
		return nil
	}
	if len(fields) != len(schema) {
		return fmt.Errorf("UploadRows: frame has %d columns, earlier frames had %d (%s)", len(fields), len(schema), formatSchema(schema))
	}
	for i, fd := range fields {
		if fd != schema[i] {
			return fmt.Errorf("UploadRows: column %d is %s %s (nullable %v), earlier frames had %s %s (nullable %v)",
				i+1, fd.Name, fd.Type, fd.Nullable, schema[i].Name, schema[i].Type, schema[i].Nullable)
		}
	}
	return nil
}

// formatSchema writes fields as the harness's codec.FormatSchema does
// ("name:type" or "name:type?" for nullable, comma separated), which this
// package may not import.
func formatSchema(fields []connectors.Field) string {
	var b strings.Builder
	for i, fd := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(fd.Name + ":" + fd.Type.String())
		if fd.Nullable {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// SetExpectedRows records n in ExpectedOut.
func (r *Runtime) SetExpectedRows(n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ExpectedOut = n
}

// RunBatches hands each frame of Input, renamed by the mapping, to the
// destination's Batch. A mapping naming a column a batch lacks ends the
// run with reason setup (recorded, and the context cancelled), as in the
// harness.
func (r *Runtime) RunBatches(ctx context.Context) error {
	if r.dest == nil {
		return fmt.Errorf("connectortest: RunBatches outside RunDestination")
	}
	m, _, err := r.current()
	if err != nil {
		return r.end(connectors.Setup, "error", "%v", []any{err})
	}
	src, dst := m.SourceColumns(), m.DestinationColumns()
	for i, f := range r.Input {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f == nil {
			return fmt.Errorf("connectortest: Input[%d] is nil", i)
		}
		if len(src) > 0 {
			if f, err = f.Select(src, dst); err != nil {
				return r.end(connectors.Setup, "error", "JobDataJSON maps a column batch %d lacks: %v", []any{i + 1, err})
			}
		}
		r.mu.Lock()
		r.rows += int64(f.Len())
		r.mu.Unlock()
		if err := r.dest.Batch(ctx, r, f); err != nil {
			return err
		}
	}
	return nil
}

// RowCount is the rows uploaded or handed to Batch so far.
func (r *Runtime) RowCount() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rows
}

// SourceColumns are the mapping's source names.
func (r *Runtime) SourceColumns() []string {
	m, _ := connectors.ParseMapping(string(r.JobDetails.JobDataJSON))
	return m.SourceColumns()
}

// DestinationColumns are the mapping's destination names.
func (r *Runtime) DestinationColumns() []string {
	m, _ := connectors.ParseMapping(string(r.JobDetails.JobDataJSON))
	return m.DestinationColumns()
}

// Credentials returns Creds.
func (r *Runtime) Credentials() map[string]string { return r.Creds }

// Job returns JobDetails.
func (r *Runtime) Job() *connectors.JobDetails { return r.JobDetails }

// Window is the job's window: during a run, the one resolved when it
// started (as the harness fixes it before the connector runs); outside a
// run, resolved against Now, panicking on a bad window, since the harness
// never starts a connector with one.
func (r *Runtime) Window() connectors.Window {
	r.mu.Lock()
	running, w := r.running, r.window
	r.mu.Unlock()
	if running {
		return w
	}
	w, err := r.JobDetails.ResolveWindow(r.Now())
	if err != nil {
		panic("connectortest: " + err.Error())
	}
	return w
}

// Env returns EnvVars[name].
func (r *Runtime) Env(name string) string { return r.EnvVars[name] }

// HTTPClient returns Client, or http.DefaultClient.
func (r *Runtime) HTTPClient() *http.Client {
	if r.Client != nil {
		return r.Client
	}
	return http.DefaultClient
}

// Now returns Clock, or the real time when Clock is zero.
func (r *Runtime) Now() time.Time {
	if r.Clock.IsZero() {
		return time.Now()
	}
	return r.Clock
}

// Logs returns the lines logged so far.
func (r *Runtime) Logs() []Log {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Log(nil), r.logs...)
}

// Uploads returns the frames uploaded so far.
func (r *Runtime) Uploads() []*connectors.Frame {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*connectors.Frame(nil), r.uploads...)
}

// Exit returns the ending the connector called, or nil.
func (r *Runtime) Exit() *connectors.ExitError {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.exit
}

var _ connectors.Runtime = (*Runtime)(nil)
