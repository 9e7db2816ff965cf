package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"connector-dev/connectors"
)

// errEnded is the cancel cause of a connector's context after it called
// LogErr, LogUnhandled or ExitNoFail.
var errEnded = errors.New("connector ended")

// stage is one connector's run: the Runtime it sees and the totals it makes.
type stage struct {
	x         *execution
	name      string // "source" or "destination"
	connector string
	job       *connectors.JobDetails
	env       map[string]string
	mapping   connectors.Mapping
	window    connectors.Window
	creds     map[string]string

	cancel context.CancelCauseFunc

	mu   sync.Mutex
	exit *connectors.ExitError

	rows, batches, bytes, expected atomic.Int64
	started                        time.Time
	lastProgress                   atomic.Int64 // unix nanos of the last progress event

	up   *uploader              // source only
	dest connectors.Destination // destination only
}

var _ connectors.Runtime = (*stage)(nil)

func (s *stage) logf(level Level, format string, args []any) string {
	msg := fmt.Sprintf(format, args...)
	s.x.em.log(s.name, level, msg)
	return msg
}

// LogInfo logs an info line.
func (s *stage) LogInfo(format string, args ...any) { s.logf(LevelInfo, format, args) }

func (s *stage) end(reason connectors.ExitReason, level Level, format string, args []any) error {
	msg := s.logf(level, format, args)
	s.mu.Lock()
	if s.exit == nil {
		s.exit = &connectors.ExitError{Reason: reason, Message: msg}
	}
	exit := s.exit
	s.mu.Unlock()
	s.cancel(errEnded)
	return exit
}

// LogErr logs the line and ends the connector with reason error.
func (s *stage) LogErr(format string, args ...any) error {
	return s.end(connectors.Error, LevelError, format, args)
}

// LogUnhandled logs the line and ends the connector with reason unhandled.
func (s *stage) LogUnhandled(format string, args ...any) error {
	return s.end(connectors.Unhandled, LevelError, format, args)
}

// ExitNoFail logs the line and ends the connector without failing.
func (s *stage) ExitNoFail(format string, args ...any) error {
	return s.end(connectors.NoFail, LevelInfo, format, args)
}

func (s *stage) recordedExit() *connectors.ExitError {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exit
}

// UploadRows hands the frame to the upload pipeline.
func (s *stage) UploadRows(ctx context.Context, f *connectors.Frame) error {
	if s.up == nil {
		return fmt.Errorf("UploadRows: %s is a %s; only sources upload rows", s.connector, s.name)
	}
	return s.up.add(ctx, f)
}

// SetExpectedRows records the total the source expects, for progress.
func (s *stage) SetExpectedRows(n int64) {
	s.expected.Store(n)
	s.progress(true)
}

// progress emits the stage's totals, at most ten times a second unless forced.
func (s *stage) progress(force bool) {
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

func (s *stage) stats() *Stats {
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
func (s *stage) RowCount() int64 {
	if s.up != nil {
		return s.up.handed.Load()
	}
	return s.rows.Load()
}

// SourceColumns are the mapping's source names.
func (s *stage) SourceColumns() []string { return s.mapping.SourceColumns() }

// DestinationColumns are the mapping's destination names.
func (s *stage) DestinationColumns() []string { return s.mapping.DestinationColumns() }

// Credentials are the job's EncryptionCredentialTXT decrypted with
// ENCRYPTION_KEY, as the platform does for every connector it starts; Plan
// decrypts them, so a token that does not decrypt stops the run at setup.
func (s *stage) Credentials() map[string]string { return s.creds }

// Job is the job as the platform sent it to this connector.
func (s *stage) Job() *connectors.JobDetails { return s.job }

// Window is the job's date window, resolved before the run started.
func (s *stage) Window() connectors.Window { return s.window }

// Env returns a setting the connector declared in connectors.yaml.
func (s *stage) Env(name string) string { return s.env[name] }

// HTTPClient is the run's client: replaying, recording or live.
func (s *stage) HTTPClient() *http.Client { return s.x.http }

// Now is the run's clock.
func (s *stage) Now() time.Time { return s.x.now() }
