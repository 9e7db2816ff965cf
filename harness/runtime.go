package harness

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/stage"
)

// stage is one connector's run: the Runtime it sees and the totals it makes.
type stageRun struct {
	x         *execution
	name      string // "source" or "destination"
	connector string
	job       *connectors.JobDetails
	env       map[string]string
	mapping   connectors.Mapping
	window    connectors.Window
	creds     map[string]string

	ending *stage.Ending // how it ended; its context is the connector's

	rows, batches, bytes, expected atomic.Int64
	started                        time.Time
	lastProgress                   atomic.Int64 // unix nanos of the last progress event

	up   *uploader              // source only
	dest connectors.Destination // destination only
	feed *feed                  // destination beside its source only: what the source stored so far
	// fed is what RunBatches returned beside the source (nil until it
	// has): the destination may return nil only after it returned nil.
	fed         atomic.Pointer[error]
	returnedNil atomic.Bool // the destination's Run returned nil
}

var _ connectors.Runtime = (*stageRun)(nil)

func (s *stageRun) logf(level Level, format string, args []any) string {
	msg := fmt.Sprintf(format, args...)
	s.x.em.log(s.name, level, msg)
	if warn, ok := stage.FormatWarning(msg); ok {
		s.x.em.log(s.name, LevelWarn, warn)
	}
	return msg
}

// LogInfo logs an info line.
func (s *stageRun) LogInfo(format string, args ...any) { s.logf(LevelInfo, format, args) }

func (s *stageRun) end(reason connectors.ExitReason, level Level, format string, args []any) error {
	return s.ending.End(reason, s.logf(level, format, args))
}

// endAs is an ending the runtime itself records (a rule of package stage
// broken), logged at the level the connector's own call would log it.
func (s *stageRun) endAs(reason connectors.ExitReason, msg string) error {
	level := LevelError
	if reason == connectors.NoFail {
		level = LevelInfo
	}
	s.x.em.log(s.name, level, msg)
	return s.ending.End(reason, msg)
}

// LogErr logs the line and ends the connector with reason error.
func (s *stageRun) LogErr(format string, args ...any) error {
	return s.end(connectors.Error, LevelError, format, args)
}

// LogUnhandled logs the line and ends the connector with reason unhandled.
func (s *stageRun) LogUnhandled(format string, args ...any) error {
	return s.end(connectors.Unhandled, LevelError, format, args)
}

// ExitNoFail logs the line and ends the connector without failing.
func (s *stageRun) ExitNoFail(format string, args ...any) error {
	return s.end(connectors.NoFail, LevelInfo, format, args)
}

// UploadRows hands the frame to the upload pipeline.
func (s *stageRun) UploadRows(ctx context.Context, f *connectors.Frame) error {
	if s.up == nil {
		return fmt.Errorf("UploadRows: %s is a %s; only sources upload rows", s.connector, s.name)
	}
	return s.up.add(ctx, f)
}

// SetExpectedRows records the total the source expects, for progress.
func (s *stageRun) SetExpectedRows(n int64) {
	s.expected.Store(n)
	s.progress(true)
}

// progress emits the stage's totals, at most ten times a second unless forced.
func (s *stageRun) progress(force bool) {
	now := time.Now().UnixNano()
	last := s.lastProgress.Load()
	if !force && now-last < int64(100*time.Millisecond) {
		return
	}
	if !s.lastProgress.CompareAndSwap(last, now) && !force {
		return
	}
	s.x.em.emit(Event{Kind: EventProgress, Stage: s.name, Stats: s.stats()})
}

func (s *stageRun) stats() *Stats {
	return &Stats{
		Rows:         s.rows.Load(),
		Batches:      s.batches.Load(),
		Bytes:        s.bytes.Load(),
		ExpectedRows: s.expected.Load(),
		Seconds:      time.Since(s.started).Seconds(),
	}
}

// RowCount is the rows the source has handed to UploadRows, or the rows
// the destination has been given, so far.
func (s *stageRun) RowCount() int64 {
	if s.up != nil {
		return s.up.handed.Load()
	}
	return s.rows.Load()
}

// SourceColumns are the mapping's source names.
func (s *stageRun) SourceColumns() []string { return s.mapping.SourceColumns() }

// DestinationColumns are the mapping's destination names.
func (s *stageRun) DestinationColumns() []string { return s.mapping.DestinationColumns() }

// Credentials are the job's EncryptionCredentialTXT decrypted with
// ENCRYPTION_KEY, as the platform does for every connector it starts; Plan
// decrypts them, so a token that does not decrypt stops the run at setup.
func (s *stageRun) Credentials() map[string]string { return s.creds }

// Job is the job as the platform sent it to this connector.
func (s *stageRun) Job() *connectors.JobDetails { return s.job }

// Window is the job's date window, resolved before the run started.
func (s *stageRun) Window() connectors.Window { return s.window }

// Env returns a setting the connector declared in connectors.yaml.
func (s *stageRun) Env(name string) string { return s.env[name] }

// HTTPClient is the run's client: replaying, recording or live.
func (s *stageRun) HTTPClient() *http.Client { return s.x.http }

// Now is the run's clock.
func (s *stageRun) Now() time.Time { return s.x.now() }
