// Package connectortest is a fake connectors.Runtime, so a connector is
// unit-tested without the harness, S3 or the network, as net/http/httptest
// is to net/http. It records what the connector logged, uploaded and how it
// ended.
package connectortest

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/stage"
)

// Log is one line a connector logged.
type Log struct {
	// Level is "info" (LogInfo), "error" (LogErr, and a setup problem the
	// runtime found, such as a mapping naming a column the frames lack),
	// "unhandled" (LogUnhandled, a panic, a returned error, a frame changed
	// after UploadRows), "no_fail" (ExitNoFail) or "warn" (a warning of
	// the runtime's, such as "%!" in a logged line: see Warnings).
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
	prints  []stage.Fingerprint // of each upload, when it was handed over
	rows    int64
	ending  *stage.Ending  // the current run's; outside a run, one of its own
	checks  *stage.Uploads // UploadRows' rules, from the harness's package
	dest    connectors.Destination

	// Set by run for the length of one RunSource or RunDestination, as the
	// harness fixes them when a stage starts; outside a run (a test calling
	// a connector's helpers directly) they are read from JobDetails.
	running bool
	mapping connectors.Mapping
	window  connectors.Window
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
	// Each run starts without an ending: a source's ExitNoFail is not the
	// destination's when one Runtime serves both.
	ending := stage.NewEnding(parent)
	defer ending.Release()
	r.mu.Lock()
	r.ending = ending
	r.mu.Unlock()
	// The harness refuses such a job before any connector starts; the
	// ending is recorded too, for tests that read Exit rather than the result.
	m, err := connectors.ParseMapping(string(r.JobDetails.JobDataJSON))
	var w connectors.Window
	if err == nil {
		w, err = r.JobDetails.ResolveWindow(r.Now())
	}
	if err != nil {
		r.end(connectors.Setup, "error", "%v", []any{err})
		return connectors.Setup, err.Error()
	}
	checks := stage.NewUploads(m, r.endAs)
	r.mu.Lock()
	r.running, r.mapping, r.window, r.checks = true, m, w, checks
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.running = false
		r.mu.Unlock()
	}()
	sup := stage.Supervisor{
		Ending:    ending,
		Uploads:   checks,
		Panicked:  func(msg, stack string) { r.addLog("unhandled", msg+"\n"+stack) },
		Unhandled: func(msg string) { r.addLog("unhandled", msg) },
		Returned:  r.verifyUploads,
	}
	return sup.Run(parent, fn)
}

// verifyUploads ends the run if a frame kept by UploadRows no longer has
// the fingerprint it was handed over with: the harness would have stored
// it changed, or caught it before encoding.
func (r *Runtime) verifyUploads() {
	r.mu.Lock()
	uploads, prints := r.uploads, r.prints
	r.mu.Unlock()
	for i, f := range uploads {
		if stage.FingerprintOf(f) != prints[i] {
			r.endAs(connectors.Unhandled, stage.MsgChanged)
			return
		}
	}
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

// logf formats and records a line the connector logged, then the warning
// the harness gives for "%!" in it.
func (r *Runtime) logf(level, format string, args []any) string {
	msg := fmt.Sprintf(format, args...)
	r.addLog(level, msg)
	if warn, ok := stage.FormatWarning(msg); ok {
		r.addLog("warn", warn)
	}
	return msg
}

// currentEnding is the run's ending, or outside a run one of the
// runtime's own, so a helper called directly still records its ending.
func (r *Runtime) currentEnding() *stage.Ending {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ending == nil {
		r.ending = stage.NewEnding(context.Background())
	}
	return r.ending
}

func (r *Runtime) end(reason connectors.ExitReason, level, format string, args []any) error {
	msg := r.logf(level, format, args)
	return r.currentEnding().End(reason, msg)
}

// endAs records an ending the runtime chose (a rule broken), logged at the
// level of the connector's own call of that reason.
func (r *Runtime) endAs(reason connectors.ExitReason, msg string) error {
	level := "error"
	switch reason {
	case connectors.Unhandled:
		level = "unhandled"
	case connectors.NoFail:
		level = "no_fail"
	}
	r.addLog(level, msg)
	return r.currentEnding().End(reason, msg)
}

// LogInfo records an info line.
func (r *Runtime) LogInfo(format string, args ...any) { r.logf("info", format, args) }

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

// UploadRows checks the frame by the harness's rules (package stage) and
// keeps it as one batch. A nil or invalid frame, or one whose columns
// (names, types, nullability) differ from the first frame's, is an error,
// as is any frame after the connector's Run returned. The first frame must
// have every source column of the mapping: if it lacks one, the run ends
// with reason setup. Handing the same frame over twice, or changing a
// frame after handing it over, ends the run as unhandled (the harness may
// still be encoding it). Those endings are recorded and cancel the
// context, so they hold even if the connector drops the error. A frame of
// no rows is checked but kept as no batch, since the harness writes none.
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
	checks, err := r.uploadChecks()
	if err != nil {
		return r.end(connectors.Setup, "error", "%v", []any{err})
	}
	if _, err := checks.Check(f); err != nil {
		return err
	}
	if f.Len() == 0 {
		return nil
	}
	fp := stage.FingerprintOf(f)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.uploads = append(r.uploads, f)
	r.prints = append(r.prints, fp)
	r.rows += int64(f.Len())
	return nil
}

// uploadChecks are the run's, or outside a run (a test calling a
// connector's helpers directly) checks made once from JobDetails.
func (r *Runtime) uploadChecks() (*stage.Uploads, error) {
	r.mu.Lock()
	checks := r.checks
	r.mu.Unlock()
	if checks != nil {
		return checks, nil
	}
	m, _, err := r.current()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checks == nil {
		r.checks = stage.NewUploads(m, r.endAs)
	}
	return r.checks, nil
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
// harness. As the harness lends a batch's frame for one Batch call only,
// Batch gets a copy of the Input frame, zeroed once Batch returns (Input
// itself is never changed).
func (r *Runtime) RunBatches(ctx context.Context) error {
	if r.dest == nil {
		return fmt.Errorf("connectortest: RunBatches outside RunDestination")
	}
	m, _, err := r.current()
	if err != nil {
		return r.end(connectors.Setup, "error", "%v", []any{err})
	}
	var lent *connectors.Frame
	for i, f := range r.Input {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f == nil {
			return fmt.Errorf("connectortest: Input[%d] is nil", i)
		}
		lent = lend(lent, f)
		f, ee := stage.MapBatch(m, lent, strconv.Itoa(i+1))
		if ee != nil {
			return r.endAs(ee.Reason, ee.Message)
		}
		r.mu.Lock()
		r.rows += int64(f.Len())
		r.mu.Unlock()
		err := r.dest.Batch(ctx, r, f)
		scrub(lent)
		if err != nil {
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

// Exit returns the ending the connector called (or the runtime recorded),
// or nil.
func (r *Runtime) Exit() *connectors.ExitError {
	r.mu.Lock()
	e := r.ending
	r.mu.Unlock()
	if e == nil {
		return nil
	}
	return e.Exit()
}

// Warnings returns the messages of the warnings logged so far (Level
// "warn"), such as the hint after a line with "%!" in it.
func (r *Runtime) Warnings() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, l := range r.logs {
		if l.Level == "warn" {
			out = append(out, l.Message)
		}
	}
	return out
}

var _ connectors.Runtime = (*Runtime)(nil)
