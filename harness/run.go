package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"connector-dev/connectors"
	"connector-dev/fakes3"
	"connector-dev/harness/codec"
	"connector-dev/harness/config"
	"connector-dev/harness/faults"
	"connector-dev/harness/httprec"
)

// ErrInterrupted and ErrTimeout are the causes a caller (or --timeout)
// cancels a run's context with; they pick the exit reason.
var (
	ErrInterrupted = errors.New("interrupted")
	ErrTimeout     = errors.New("timeout")
)

// SetupError is a problem found before any connector runs: bad settings,
// credentials, fixture or flags. It maps to exit reason setup (code 3).
type SetupError struct{ Msg string }

func (e *SetupError) Error() string { return e.Msg }

func setupf(format string, args ...any) error { return &SetupError{Msg: fmt.Sprintf(format, args...)} }

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

// RunDir is the run's folder in the state folder (report.json, run.log).
func (r *Run) RunDir() string { return r.runDir }

// Info is the run's header.
func (r *Run) Info() RunInfo { return r.info }

// Batches reads the run's batch objects (valid after Start).
func (r *Run) Batches() BatchReader {
	return newStoreReader(r.store, newScrubber(r.secrets), r.info.Prefix, nil, false)
}

// Plan validates settings, credentials, the job and flags, runs each
// connector's own check (connectors.Checker), and returns the run it would
// make. It starts nothing and writes nothing; every error is a
// *SetupError.
func Plan(opts Options) (*Run, error) {
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if opts.StateDir == "" {
		opts.StateDir = filepath.Join(opts.Dir, ".connector-dev")
	}
	if err := NeedProject(opts.Dir); err != nil {
		return nil, err
	}
	cfg, err := config.Load(opts.Dir, opts.Environ)
	if err != nil {
		return nil, &SetupError{Msg: err.Error()}
	}
	r := &Run{opts: opts, cfg: cfg}
	reg, spec, err := r.connector(opts.Connector)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	if opts.FromRun != "" {
		if opts.JobFile != "" || opts.HTTPMode != "" {
			return nil, setupf("--from-run takes the job of that run and runs no HTTP: drop --job, --record, --replay and --live")
		}
		if err := r.planFromRun(reg, spec); err != nil {
			return nil, err
		}
	} else if err := r.planFromJob(reg, spec); err != nil {
		return nil, err
	}
	if r.window, err = r.job.ResolveWindow(now); err != nil {
		return nil, setupf("%s: %v", r.jobFile, err)
	}
	if r.codec, err = codec.ByName(cfg.Settings.BatchFormat); err != nil {
		return nil, setupf("BATCH_FORMAT: %v", err)
	}
	if r.opts.FromRun == "" {
		base := strings.TrimSuffix(r.jobFile, ".json")
		r.expectAt = base + ".expect.yaml"
		if r.expect, err = config.LoadExpectations(r.expectAt); err != nil {
			return nil, setupf("%v", err)
		}
	}
	for _, st := range []*plannedStage{r.source, r.dest} {
		if st == nil {
			continue
		}
		if err := r.planCredentials(st); err != nil {
			return nil, err
		}
	}
	if err := r.planHTTP(); err != nil {
		return nil, err
	}
	r.secrets = cfg.Secrets()
	for _, st := range []*plannedStage{r.source, r.dest} {
		if st != nil {
			for f, v := range st.creds {
				if st.spec.Secret(f) {
					r.secrets = append(r.secrets, v)
				}
			}
			r.secrets = append(r.secrets, st.token)
		}
	}
	if err := r.checkConnectors(); err != nil {
		return nil, err
	}
	runID := newRunID(time.Now())
	r.runDir = filepath.Join(opts.StateDir, "runs", runID)
	endpoint := cfg.Settings.S3Endpoint
	if r.opts.S3Endpoint != "" {
		endpoint = r.opts.S3Endpoint
	}
	r.info = RunInfo{
		RunID:     runID,
		Job:       r.job.ETLJobNM,
		Container: r.job.ContainerNM,
		Version:   string(r.job.VersionNBR),
		Endpoint:  endpoint,
		Bucket:    cfg.Settings.Bucket,
		Prefix:    r.job.ETLJobNM + "/" + runID + "/",
		Format:    r.codec.Name(),
		FromRun:   opts.FromRun,
	}
	if r.source != nil {
		r.info.Source = r.source.reg.Name
	}
	if r.dest != nil {
		r.info.Destination = r.dest.reg.Name
	}
	if r.past != nil {
		r.info.Prefix = r.past.Run.Prefix
		r.info.Bucket = r.past.Run.Bucket
		r.info.Format = r.past.Run.Format
	}
	return r, nil
}

// connector finds name in both connectors.yaml and the registry.
func (r *Run) connector(name string) (connectors.Registration, config.ConnectorSpec, error) {
	spec, err := r.cfg.Connector(name)
	if err != nil {
		return connectors.Registration{}, spec, &SetupError{Msg: err.Error()}
	}
	reg, ok := connectors.Lookup(name)
	if !ok {
		return reg, spec, setupf("connectors.yaml lists %q but no connector of that name is compiled in: register it and blank-import it in connectors/all", name)
	}
	if string(reg.Kind) != spec.Kind {
		return reg, spec, setupf("connectors.yaml says %q is a %s, but the compiled-in connector is a %s", name, spec.Kind, reg.Kind)
	}
	return reg, spec, nil
}

func (r *Run) planFromJob(reg connectors.Registration, spec config.ConnectorSpec) error {
	if reg.Kind != connectors.KindSource {
		return setupf("%s is a destination: run a source (its job names the destination), or run %s --from-run RUN-ID over an earlier run's batches", reg.Name, reg.Name)
	}
	r.jobFile = r.opts.JobFile
	if r.jobFile == "" {
		r.jobFile = filepath.Join(r.opts.Dir, "fixtures", reg.Name, "job.json")
	}
	job, err := config.LoadJob(r.jobFile)
	if err != nil {
		return &SetupError{Msg: err.Error()}
	}
	if job.SourceConnectorNM != reg.Name {
		return setupf("%s: SourceConnectorNM is %q but you ran %q: run %s, or pass --job with a job for %s", r.jobFile, job.SourceConnectorNM, reg.Name, job.SourceConnectorNM, reg.Name)
	}
	r.job = job
	r.source = &plannedStage{name: "source", reg: reg, spec: spec, token: job.EncryptionCredentialTXT}
	if job.DestinationConnectorNM != "" {
		dreg, dspec, err := r.connector(job.DestinationConnectorNM)
		if err != nil {
			return setupf("%s: DestinationConnectorNM: %v", r.jobFile, err)
		}
		if dreg.Kind != connectors.KindDestination {
			return setupf("%s: DestinationConnectorNM %q is a source, not a destination", r.jobFile, dreg.Name)
		}
		if strings.TrimSpace(job.DestinationObjectID) == "" {
			return setupf("%s: DestinationObjectID is empty: name the object (table) %s writes", r.jobFile, dreg.Name)
		}
		r.dest = &plannedStage{name: "destination", reg: dreg, spec: dspec}
	}
	return nil
}

func (r *Run) planFromRun(reg connectors.Registration, spec config.ConnectorSpec) error {
	if reg.Kind != connectors.KindDestination {
		return setupf("--from-run replays batches into a destination, and %s is a source", reg.Name)
	}
	past, err := LoadReport(r.opts.StateDir, r.opts.FromRun)
	if err != nil {
		return &SetupError{Msg: err.Error()}
	}
	if err := past.readable(); err != nil {
		return err
	}
	if past.Run == nil || past.Run.Prefix == "" {
		return setupf("run %s has no batches to read (its report names no S3 prefix)", r.opts.FromRun)
	}
	if past.S3Memory {
		return setupf("run %s used --s3-memory: its batches are gone; rerun the source without --s3-memory", r.opts.FromRun)
	}
	for _, st := range past.Stages {
		if st.Name == "source" && st.Exit != nil && st.Exit.Reason != connectors.Success {
			return setupf("run %s's source ended with %s: its batches may be partial; rerun the source", r.opts.FromRun, st.Exit.Reason)
		}
	}
	// The batches are where that run stored them: the same S3.
	endpoint := r.opts.S3Endpoint
	if endpoint == "" {
		endpoint = r.cfg.Settings.S3Endpoint
	}
	switch {
	case past.Run.Storage == "external" && endpoint != "" && endpoint != past.Run.Endpoint:
		return setupf("run %s stored its batches at %s, not %s: drop --s3-endpoint (or S3_ENDPOINT) to read them there", r.opts.FromRun, past.Run.Endpoint, endpoint)
	case past.Run.Storage == "external":
		r.opts.S3Endpoint = past.Run.Endpoint
	case endpoint != "" || r.opts.S3Memory:
		return setupf("run %s stored its batches in the embedded S3 on disk: drop --s3-endpoint, S3_ENDPOINT and --s3-memory to read them", r.opts.FromRun)
	}
	r.jobFile = filepath.Join(r.opts.StateDir, "runs", r.opts.FromRun, "job.json")
	job, err := config.LoadJob(r.jobFile)
	if err != nil {
		return &SetupError{Msg: err.Error()}
	}
	job.DestinationConnectorNM = reg.Name
	r.job, r.past = job, past
	r.dest = &plannedStage{name: "destination", reg: reg, spec: spec}
	return nil
}

// planCredentials does the platform's part: the connector's credentials are
// encrypted into the job with ENCRYPTION_KEY, and the runtime decrypts them.
// A fixture that carries a token is decrypted as it is.
func (r *Run) planCredentials(st *plannedStage) error {
	key := r.cfg.Settings.EncryptionKey
	st.env = r.cfg.Env(st.spec)
	if r.expect != nil {
		// The fixture's own settings beat the files, not the environment.
		for _, name := range st.spec.Env {
			if v, ok := r.expect.Env[name]; ok {
				if _, origin, set := r.cfg.Lookup(name); !set || origin != config.OriginEnv {
					st.env[name] = v
				}
			}
		}
	}
	if st.token == "" {
		creds, err := r.cfg.Credentials(st.spec)
		if err != nil {
			return &SetupError{Msg: err.Error()}
		}
		if st.token, err = config.EncryptCredentials(key, creds); err != nil {
			return &SetupError{Msg: err.Error()}
		}
	}
	creds, err := config.DecryptCredentials(key, st.token)
	if err != nil {
		return setupf("%s: %v", r.jobFile, err)
	}
	st.creds = creds
	return nil
}

func (r *Run) planHTTP() error {
	if r.source == nil {
		r.mode = httprec.Live
		return nil
	}
	r.cassette = strings.TrimSuffix(r.jobFile, ".json") + ".cassette.yaml"
	_, statErr := os.Stat(r.cassette)
	switch r.opts.HTTPMode {
	case "":
		r.mode = httprec.Live
		if statErr == nil {
			r.mode = httprec.Replay
		}
	default:
		m, err := httprec.ParseMode(r.opts.HTTPMode)
		if err != nil {
			return setupf("%v", err)
		}
		r.mode = m
		if m == httprec.Replay && statErr != nil {
			return setupf("--replay: no cassette at %s: record one with --record", r.cassette)
		}
	}
	return nil
}

// Check is Plan for `connector-dev check`: it returns what would run.
func (r *Run) Check() []string {
	var out []string
	out = append(out, fmt.Sprintf("settings: ok (bucket %s, batches of %s as %s)", r.cfg.Settings.Bucket, Quantity(int64(r.cfg.Settings.BatchRows), "row", "rows"), r.codec.Name()))
	out = append(out, fmt.Sprintf("job: %s ok (%q, %s into %q)", r.jobFile, r.job.ETLJobNM, r.job.UpdateMethod(), r.job.DestinationObjectID))
	for _, st := range []*plannedStage{r.source, r.dest} {
		if st != nil {
			out = append(out, fmt.Sprintf("%s: %s, credentials ok (%s with ENCRYPTION_KEY)", st.name, st.reg.Name, Quantity(int64(len(st.creds)), "field decrypts", "fields decrypt")))
		}
	}
	out = append(out, r.checked...)
	out = append(out, "window: "+describeWindow(r.window, r.job.FilteredColumnNM))
	if r.source != nil {
		if _, err := os.Stat(r.cassette); err == nil {
			out = append(out, fmt.Sprintf("http: %s (cassette %s)", r.mode, r.cassette))
		} else {
			out = append(out, fmt.Sprintf("http: %s (no cassette at %s)", r.mode, r.cassette))
		}
	}
	if r.expect != nil {
		out = append(out, "expectations: "+r.expectAt)
	}
	return out
}

func describeWindow(w connectors.Window, col string) string {
	if col == "" {
		col = "(no FilteredColumnNM)"
	}
	b := func(t time.Time, none string) string {
		if t.IsZero() {
			return none
		}
		return t.Format(time.RFC3339)
	}
	return fmt.Sprintf("%s from %s to %s", col, b(w.Start, "the beginning"), b(w.End, "now"))
}

// Start brings up S3 (embedded unless an endpoint was given) and the HTTP
// recorder. Close undoes it.
func (r *Run) Start() error {
	s := r.cfg.Settings
	endpoint := r.info.Endpoint
	if r.opts.Faults != nil {
		r.faults = newRunFaults(r.opts.Faults, r.info.RunID)
	}
	if endpoint == "" {
		dir := filepath.Join(r.opts.StateDir, "s3")
		if r.opts.S3Memory {
			dir = ""
		}
		srv, err := fakes3.Start(fakes3.Options{Dir: dir, AccessKey: s.AccessKeyID, SecretKey: s.SecretKey, Region: s.Region, Chaos: s3Chaos(r.faults), MemoryHint: "use --s3-memory"})
		if err != nil {
			return setupf("embedded S3: %v", err)
		}
		r.s3srv, endpoint = srv, srv.URL()
		r.info.Endpoint = endpoint
		r.info.Storage = "embedded, on disk at " + dir
		if r.opts.S3Memory {
			r.info.Storage = "embedded, in memory"
		}
	} else {
		r.info.Storage = "external"
	}
	r.store = NewStore(S3Config{Endpoint: endpoint, Region: s.Region, AccessKey: s.AccessKeyID, SecretKey: s.SecretKey, Bucket: r.info.Bucket, Transport: r.s3Transport()})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := r.store.EnsureBucket(ctx); err != nil {
		r.Close()
		return setupf("%v", err)
	}
	if r.source != nil {
		rec, err := httprec.New(r.mode, r.cassette, r.secrets, http.DefaultTransport)
		if err != nil {
			r.Close()
			return setupf("%v", err)
		}
		r.rec = rec
	}
	return nil
}

// Close stops what Start started. Safe to call twice.
func (r *Run) Close() error {
	var err error
	if r.rec != nil {
		err = r.rec.Stop()
		r.rec = nil
	}
	if r.s3srv != nil {
		if cerr := r.s3srv.Close(); err == nil {
			err = cerr
		}
		r.s3srv = nil
	}
	return err
}

func newRunID(t time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return t.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// execution is one Execute: the state the stages share.
type execution struct {
	r       *Run
	em      *emitter
	store   *Store
	prefix  string
	batches []BatchInfo // what the source stored: the destination reads these
	stored  string      // the key of the manifest the source stage wrote
	http    *http.Client
	now     func() time.Time
}

// Execute runs the stages and returns the report (also written to the run's
// folder with the full log). It never returns nil.
func (r *Run) Execute(ctx context.Context, sink Sink) *Report {
	started := time.Now()
	if r.opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, r.opts.Timeout, ErrTimeout)
		defer cancel()
	}
	x := &execution{r: r, store: r.store, prefix: r.info.Prefix, now: time.Now}
	if !r.opts.Now.IsZero() {
		fixed := r.opts.Now
		x.now = func() time.Time { return fixed }
	}
	x.http = http.DefaultClient
	if r.rec != nil {
		x.http = r.rec.Client()
	}
	x.em = &emitter{sink: sink, scrub: newScrubber(r.secrets), clock: time.Now, minLevel: Level(r.cfg.Settings.LogLevel).Rank()}
	report := &Report{
		RunID: r.info.RunID, Connector: r.opts.Connector, Job: r.job.ETLJobNM, JobFile: r.jobFile,
		Started: started.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), S3Memory: r.opts.S3Memory && r.s3srv != nil,
	}
	if err := r.makeRunDir(); err == nil {
		if f, err := os.OpenFile(filepath.Join(r.runDir, "run.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600); err == nil {
			x.em.logf = f
			x.em.logw = newLogWriter(f)
		}
		r.saveJob()
	}
	r.out.attach(x.em)
	info := r.info
	report.Run = &info
	x.startReport(report)
	defer x.store.SetLogf(nil)
	x.em.emit(Event{Kind: EventRunStarted, Run: &info})
	for _, n := range r.cfg.Notes {
		x.em.log("", LevelInfo, n)
	}
	x.armFaults()
	x.em.log("", LevelDebug, "window: "+describeWindow(r.window, r.job.FilteredColumnNM))
	if r.source != nil {
		x.em.log("", LevelDebug, fmt.Sprintf("http: %s", r.mode))
	}

	exit := ExitInfo{Reason: connectors.Success}
	var srcRows int64
	if r.source != nil {
		rep, batches := x.runSource(ctx, r.source)
		report.Stages = append(report.Stages, rep)
		report.Batches = batches
		report.Manifest = x.stored
		exit = *rep.Exit
		srcRows = rep.Rows
	} else if r.past != nil {
		report.Batches = r.past.Batches
		report.Manifest = r.past.Manifest
		for _, s := range r.past.Stages {
			if s.Name == "source" {
				srcRows = s.Rows
			}
		}
	}
	x.batches = report.Batches
	if r.dest != nil && exit.Reason == connectors.Success {
		rep := x.runDest(ctx, r.dest, srcRows)
		report.Stages = append(report.Stages, rep)
		exit = *rep.Exit
	} else if r.dest != nil {
		x.em.log("", LevelInfo, fmt.Sprintf("destination %s not run: the source ended with %s", r.dest.reg.Name, exit.Reason))
	}
	report.Faults = x.disarmFaults()
	// What the connectors wrote to fd 1 and 2 is in the log before the end.
	r.out.detach()
	report.Seconds = time.Since(started).Seconds()
	// Scrub before anything is derived from the messages.
	exit.Message = x.em.scrub.Replace(exit.Message)
	for i := range report.Stages {
		report.Stages[i].Exit.Message = x.em.scrub.Replace(report.Stages[i].Exit.Message)
	}
	report.Exit = exit
	scrubbed := scrubRunInfo(x.em.scrub, *report.Run)
	report.Run = &scrubbed
	report.Closing = x.settle(report)
	// settle may end the run on a recording that could not be written.
	report.Exit.Message = x.em.scrub.Replace(report.Exit.Message)
	report.Closing = x.em.scrub.Replace(report.Closing)
	reportPath, _ := filepath.Abs(filepath.Join(r.runDir, "report.json"))
	x.em.emit(Event{Kind: EventFinished, Exit: &report.Exit, Summary: report.Stages, Message: report.Closing, ExitCode: &report.ExitCode,
		RunID: r.info.RunID, Report: reportPath})
	report.Status = StatusFinished
	if err := writeJSON(filepath.Join(r.runDir, "report.json"), report); err != nil {
		x.em.log("", LevelError, "report: "+err.Error())
	}
	x.em.close()
	return report
}

// saveJob keeps the job (without its credential token) beside the report,
// so --from-run can replay the destination with the same job.
func (r *Run) saveJob() {
	j := *r.job
	j.EncryptionCredentialTXT = ""
	writeJSON(filepath.Join(r.runDir, "job.json"), &j)
}

func (x *execution) newStage(ctx context.Context, p *plannedStage) (*stage, context.Context, context.CancelCauseFunc) {
	job := *x.r.job
	job.EncryptionCredentialTXT = p.token
	mapping, _ := connectors.ParseMapping(string(job.JobDataJSON)) // validated by LoadJob
	cctx, cancel := context.WithCancelCause(ctx)
	st := &stage{x: x, name: p.name, connector: p.reg.Name, job: &job, env: p.env, mapping: mapping,
		creds: p.creds, window: x.r.window, cancel: cancel, started: time.Now()}
	return st, cctx, cancel
}

func (x *execution) runSource(ctx context.Context, p *plannedStage) (StageReport, []BatchInfo) {
	st, cctx, cancel := x.newStage(ctx, p)
	defer cancel(nil)
	st.up = newUploader(ctx, st, x.store, x.r.codec, x.prefix, x.r.cfg.Settings.BatchRows)
	exit := x.runConnector(ctx, cctx, st, p, func(ctx context.Context) error {
		return p.reg.NewSource().Run(ctx, st)
	})
	if err := st.up.finish(); err != nil && !exit.Reason.Failed() {
		// The connector dropped UploadRows' error, or a last PUT failed.
		if ctx.Err() != nil {
			exit = x.cancelled(ctx)
		} else {
			reason, msg := connectors.ReasonOf(err)
			x.em.log(st.name, LevelError, "upload: "+msg)
			exit = exitInfo(reason, "upload: "+msg)
		}
	}
	exit = x.writeManifest(ctx, st, exit)
	return x.finishStage(st, exit), st.up.written()
}

func (x *execution) runDest(ctx context.Context, p *plannedStage, expected int64) StageReport {
	st, cctx, cancel := x.newStage(ctx, p)
	defer cancel(nil)
	st.dest = p.reg.NewDestination()
	st.expected.Store(expected)
	exit := x.runConnector(ctx, cctx, st, p, func(ctx context.Context) error {
		if runner, ok := st.dest.(connectors.Runner); ok {
			return runner.Run(ctx, st)
		}
		return st.RunBatches(ctx)
	})
	return x.finishStage(st, exit)
}

// runConnector runs one connector's Run with the platform's rules: the
// credentials are decrypted from the job, a panic is caught with its stack,
// and the exit reason is whatever the connector recorded, else the run's
// cancellation, else what its error says.
func (x *execution) runConnector(ctx, cctx context.Context, st *stage, p *plannedStage, fn func(context.Context) error) ExitInfo {
	x.em.emit(Event{Kind: EventStageStarted, Stage: st.name, Message: st.connector})
	x.r.out.enter(st.name)
	defer x.r.out.leave(st.name)
	var panicked bool
	err := func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				panicked = true
				x.em.emit(Event{Kind: EventLog, Stage: st.name, Level: LevelError, Message: fmt.Sprintf("panic: %v", v), Trace: string(debug.Stack())})
				err = fmt.Errorf("panic: %v", v)
			}
		}()
		return fn(cctx)
	}()
	if ex := st.recordedExit(); ex != nil {
		return exitInfo(ex.Reason, ex.Message)
	}
	// A connector that returned nil finished its work (a destination has
	// committed), even if the deadline passed as it returned.
	if err != nil && ctx.Err() != nil {
		return x.cancelled(ctx)
	}
	reason, msg := connectors.ReasonOf(err)
	if reason == connectors.Unhandled && !panicked {
		var ee *connectors.ExitError
		if !errors.As(err, &ee) {
			x.em.log(st.name, LevelError, "unhandled error: "+msg)
		}
	}
	return exitInfo(reason, msg)
}

// cancelled is the exit of a stage whose run context ended: --timeout or a
// signal, by the cause the context was cancelled with.
func (x *execution) cancelled(ctx context.Context) ExitInfo {
	if errors.Is(context.Cause(ctx), ErrTimeout) {
		return exitInfo(connectors.Timeout, fmt.Sprintf("--timeout %s passed", x.r.opts.Timeout))
	}
	return exitInfo(connectors.Interrupted, "interrupted")
}

func exitInfo(r connectors.ExitReason, msg string) ExitInfo {
	return ExitInfo{Reason: r, Code: r.Code(), Message: msg}
}

func (x *execution) finishStage(st *stage, exit ExitInfo) StageReport {
	s := st.stats()
	rep := StageReport{Name: st.name, Connector: st.connector, Rows: s.Rows, Batches: s.Batches, Bytes: s.Bytes, Seconds: s.Seconds, Exit: &exit}
	if s.Seconds > 0 {
		rep.RowsPerS = float64(s.Rows) / s.Seconds
	}
	x.em.emit(Event{Kind: EventStageFinished, Stage: st.name, Message: st.connector, Stats: s, Exit: &exit})
	return rep
}

// checkExpectations lists every way the report misses exp.
func checkExpectations(exp *config.Expectations, rep *Report) []string {
	var misses []string
	if exp.Exit != "" && string(rep.Exit.Reason) != exp.Exit {
		misses = append(misses, fmt.Sprintf("exit: want %s, got %s (%s)", exp.Exit, rep.Exit.Reason, firstLine(rep.Exit.Message)))
	}
	if exp.Message != "" && !strings.Contains(rep.Exit.Message, exp.Message) {
		misses = append(misses, fmt.Sprintf("message: want it to contain %q, got %q", exp.Message, firstLine(rep.Exit.Message)))
	}
	for _, s := range rep.Stages {
		if exp.Rows != nil && s.Rows != *exp.Rows {
			misses = append(misses, fmt.Sprintf("rows: want %d, %s moved %d", *exp.Rows, s.Name, s.Rows))
		}
		if exp.Batches != nil && s.Batches != *exp.Batches {
			misses = append(misses, fmt.Sprintf("batches: want %d, %s moved %d", *exp.Batches, s.Name, s.Batches))
		}
	}
	return misses
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
