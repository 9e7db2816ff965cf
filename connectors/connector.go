package connectors

import (
	"context"
	"net/http"
	"time"
)

// Source pulls rows from a system and hands them to rt.UploadRows.
type Source interface {
	Run(ctx context.Context, rt Runtime) error
}

// Destination receives the batches a source uploaded, one Batch call per
// batch, in order. The harness calls Run if the destination implements
// Runner (to open and commit a transaction around rt.RunBatches, say), and
// rt.RunBatches otherwise.
//
// The frame is lent for the length of the call: once Batch returns, the
// runtime decodes a later batch into the same column slices, so a
// destination must not keep f, its columns or their slices; copy the
// values it needs later. Strings are never overwritten: a string taken
// from f stays valid. (connectortest zeroes each frame after Batch, so a
// destination that keeps one fails its own tests.)
type Destination interface {
	Batch(ctx context.Context, rt Runtime, f *Frame) error
}

// Runner is implemented by a destination that overrides the default Run,
// which is just rt.RunBatches(ctx).
type Runner interface {
	Run(ctx context.Context, rt Runtime) error
}

// Runtime is what the platform gives a running connector: the Python
// template's resources under their Go names.
//
// The three ending calls (LogErr, LogUnhandled, ExitNoFail) log the message,
// record the exit reason and cancel the connector's context, so work stops
// even if the returned error is dropped; return what they return.
type Runtime interface {
	// LogInfo logs an informational line (log_info).
	LogInfo(format string, args ...any)
	// LogErr logs an error and ends the connector with reason error (log_err).
	LogErr(format string, args ...any) error
	// LogUnhandled ends the connector with reason unhandled (log_unhandled).
	LogUnhandled(format string, args ...any) error
	// ExitNoFail ends the connector without failing the run (exit_no_fail),
	// for "No rows returned" and the like.
	ExitNoFail(format string, args ...any) error

	// UploadRows stores a frame as one batch, or several of at most
	// BATCH_ROWS rows (upload_rows). Sources only. The runtime may still be
	// encoding f after UploadRows returns: do not change it, build a new
	// frame for the next call.
	UploadRows(ctx context.Context, f *Frame) error
	// SetExpectedRows tells the platform how many rows the source expects to
	// upload in total, so progress can be shown against it. Sources only.
	SetExpectedRows(n int64)
	// RunBatches reads every batch back in order, renames its columns by the
	// job's mapping and calls the destination's Batch once per batch
	// (run_batches), lending it the frame for that call only (see
	// Destination). Destinations only.
	RunBatches(ctx context.Context) error

	// RowCount is the number of rows uploaded (source) or read (destination) so far.
	RowCount() int64
	// SourceColumns are the source-side names of the job's mapping, in order.
	SourceColumns() []string
	// DestinationColumns are the destination-side names of the mapping, in order.
	DestinationColumns() []string
	// Credentials are the connector's decrypted credentials.
	Credentials() map[string]string
	// Job is the job the platform sent.
	Job() *JobDetails
	// Window is the job's date window, resolved against Now.
	Window() Window
	// Env returns one of the environment settings the connector declares in
	// connectors.yaml ("" when unset).
	Env(name string) string
	// HTTPClient is the client every HTTP call of a connector must use, so
	// the harness can record and replay its traffic.
	HTTPClient() *http.Client
	// Now is the platform's clock (fixed by --now in tests and fixtures).
	Now() time.Time
}
