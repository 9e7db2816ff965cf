package harness

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/stage"
	"connector-dev/fakes3"
	"connector-dev/harness/codec"
	"connector-dev/harness/config"
	"connector-dev/harness/faults"
	"connector-dev/harness/httprec"
)

// ErrInterrupted and ErrTimeout are the causes a caller (or --timeout)
// cancels a run's context with; they pick the exit reason.
var (
	ErrInterrupted = stage.ErrInterrupted
	ErrTimeout     = stage.ErrTimeout
)

// The names of a run's stages, in reports, events and the log; tui and
// main compare with these rather than with the words.
const (
	StageSource      = stage.Source
	StageDestination = stage.Destination
)

// SetupError is a problem found before any connector runs: bad settings,
// credentials, fixture or flags. It maps to exit reason setup (code 3).
type SetupError struct {
	Msg string // the one line the user sees
	Err error  // the cause, when there is one (errors.Is and As reach it)
}

func (e *SetupError) Error() string { return e.Msg }

// Unwrap is the cause: a caller may still tell a missing file from a bad one.
func (e *SetupError) Unwrap() error { return e.Err }

// setupf is a SetupError; a %w in format makes its operand the cause.
func setupf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &SetupError{Msg: err.Error(), Err: errors.Unwrap(err)}
}

// setupErr is err as a SetupError, its message the line the user sees.
func setupErr(err error) error { return &SetupError{Msg: err.Error(), Err: err} }

// Options are what `run` and `check` were asked for.
type Options struct {
	Dir        string        // project folder: .env, connectors.yaml, fixtures/ (default ".")
	StateDir   string        // default <Dir>/.connector-dev
	Connector  string        // the connector named on the command line
	JobFile    string        // default fixtures/<connector>/job.json
	FromRun    string        // run only the destination over this earlier run's batches
	Now        time.Time     // fixed clock; zero means the real one
	S3Endpoint string        // a real S3 instead of the embedded one (overrides S3_ENDPOINT)
	S3Memory   bool          // embedded S3 in memory instead of on disk
	Timeout    time.Duration // 0: none
	HTTPMode   string        // "", "replay", "record", "live"; "" replays when a cassette exists
	Environ    []string      // os.Environ() form; overrides .env files
	Faults     *faults.Spec  // --faults: failures to inject into S3 and HTTP traffic; nil for none
	Measure    bool          // read the batches back for the report's measured rows_checksum and schema (test --update)
}

// Run is a prepared run: everything validated, nothing started.
type Run struct {
	opts     Options
	cfg      *config.Config
	info     RunInfo
	job      *connectors.JobDetails
	jobFile  string
	source   *plannedStage
	dest     *plannedStage
	window   connectors.Window
	codec    codec.Codec
	expect   *config.Expectations
	expectAt string
	cassette string
	mode     httprec.Mode
	runDir   string
	secrets  []string
	past     *Report
	checked  []string // a line per connector whose own Check passed

	store  *Store
	s3srv  *fakes3.Server
	rec    *httprec.Recorder
	out    *Output          // fd 1 and 2 while captured (CaptureOutput)
	faults *faults.Injector // nil without --faults
}

type plannedStage struct {
	name  string // "source" or "destination"
	reg   connectors.Registration
	spec  config.ConnectorSpec
	env   map[string]string
	creds map[string]string
	token string // EncryptionCredentialTXT handed to the connector
}

// JobFile is the job file the run was planned from: --job's, the fixture's
// fixtures/NAME/job.json, or under --from-run the earlier run's copy in its
// folder. It is the one place that says which: whatever must name the
// run's job file (a profile flag's refusal to overwrite it) asks here.
func (r *Run) JobFile() string { return r.jobFile }

// savedJobFile is where a run's folder keeps the copy of its job (without
// the credential token): written as the run starts, read by --from-run,
// diff, prune and the listing of incomplete runs.
func savedJobFile(runDir string) string { return filepath.Join(runDir, "job.json") }

// RunDir is the run's folder in the state folder (report.json, run.log).
func (r *Run) RunDir() string { return r.runDir }

// Info is the run's header.
func (r *Run) Info() RunInfo { return r.info }

// Batches reads the run's batch objects (valid after Start).
func (r *Run) Batches() BatchReader {
	return newStoreReader(r.store, newScrubber(r.secrets), r.info.Prefix, nil, false)
}
