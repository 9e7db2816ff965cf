// Package connectortest is a fake connectors.Runtime, so a connector is
// unit-tested without the harness, S3 or the network, as net/http/httptest
// is to net/http. It records what the connector logged, uploaded and how it
// ended.
package connectortest

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"connector-dev/connectors"
)

// Log is one line a connector logged.
type Log struct {
	Level   string // "info", "error", "unhandled", "no_fail"
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
	mapping connectors.Mapping
	dest    connectors.Destination
}

// New returns a runtime for job (nil: an empty Append job).
func New(job *connectors.JobDetails) *Runtime {
	if job == nil {
		job = &connectors.JobDetails{ETLJobNM: "test", UpdateMethodCD: connectors.Append}
	}
	return &Runtime{JobDetails: job, Creds: map[string]string{}, EnvVars: map[string]string{}, ExpectedOut: -1}
}

// RunSource runs a source as the harness would: panics are caught as
// unhandled, and the exit reason is returned with its message.
func (r *Runtime) RunSource(ctx context.Context, s connectors.Source) (connectors.ExitReason, string) {
	return r.run(ctx, func(ctx context.Context) error { return s.Run(ctx, r) })
}

// RunDestination runs a destination over r.Input as the harness would.
func (r *Runtime) RunDestination(ctx context.Context, d connectors.Destination) (connectors.ExitReason, string) {
	r.dest = d
	return r.run(ctx, func(ctx context.Context) error {
		if runner, ok := d.(connectors.Runner); ok {
			return runner.Run(ctx, r)
		}
		return r.RunBatches(ctx)
	})
}

func (r *Runtime) run(ctx context.Context, fn func(context.Context) error) (reason connectors.ExitReason, msg string) {
	m, err := connectors.ParseMapping(string(r.JobDetails.JobDataJSON))
	if err != nil {
		return connectors.Setup, err.Error()
	}
	r.mapping = m
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.mu.Lock()
	r.cancel = cancel
	r.mu.Unlock()
	defer func() {
		if p := recover(); p != nil {
			r.addLog("unhandled", fmt.Sprintf("panic: %v\n%s", p, debug.Stack()))
			reason, msg = connectors.Unhandled, fmt.Sprintf("panic: %v", p)
		}
	}()
	err = fn(ctx)
	r.mu.Lock()
	exit := r.exit
	r.mu.Unlock()
	if exit != nil { // a recorded ending wins even if the error was dropped
		return exit.Reason, exit.Message
	}
	return connectors.ReasonOf(err)
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

// UploadRows validates and keeps the frame, checking the mapping's source
// columns exist in it as the harness does.
func (r *Runtime) UploadRows(ctx context.Context, f *connectors.Frame) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return fmt.Errorf("UploadRows: %w", err)
	}
	if len(r.mapping.Columns) > 0 {
		if _, err := f.Select(r.mapping.SourceColumns(), nil); err != nil {
			return connectors.Exitf(connectors.Setup, "JobDataJSON maps a column the source does not have: %v", err)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.uploads = append(r.uploads, f)
	r.rows += int64(f.Len())
	return nil
}

// SetExpectedRows records n in ExpectedOut.
func (r *Runtime) SetExpectedRows(n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ExpectedOut = n
}

// RunBatches hands each frame of Input, renamed by the mapping, to the
// destination's Batch.
func (r *Runtime) RunBatches(ctx context.Context) error {
	if r.dest == nil {
		return fmt.Errorf("connectortest: RunBatches outside RunDestination")
	}
	for i, f := range r.Input {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(r.mapping.Columns) > 0 {
			var err error
			if f, err = f.Select(r.mapping.SourceColumns(), r.mapping.DestinationColumns()); err != nil {
				return connectors.Exitf(connectors.Setup, "batch %d: %v", i+1, err)
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

// Window resolves the job's window against Now; a bad window panics, since
// the harness rejects it before any connector runs.
func (r *Runtime) Window() connectors.Window {
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
