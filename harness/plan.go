package harness

import (
	"connector-dev/connectors"
	"connector-dev/harness/codec"
	"connector-dev/harness/config"
	"connector-dev/harness/httprec"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

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
		return nil, setupErr(err)
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
		r.expectAt = config.ExpectationsPath(r.jobFile)
		if r.expect, err = config.LoadExpectations(r.expectAt); err != nil {
			return nil, setupf("%w", err)
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
		return connectors.Registration{}, spec, setupErr(err)
	}
	reg, ok := connectors.Lookup(name)
	if !ok {
		return reg, spec, setupf("connectors.yaml lists %q but no connector of that name is compiled in: rebuild (go run . or go build) if connector-dev new made it, else register it and blank-import it in connectors/all", name)
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
		return setupErr(err)
	}
	if job.SourceConnectorNM != reg.Name {
		return setupf("%s: SourceConnectorNM is %q but you ran %q: run %s, or pass --job with a job for %s", r.jobFile, job.SourceConnectorNM, reg.Name, job.SourceConnectorNM, reg.Name)
	}
	r.job = job
	r.source = &plannedStage{name: StageSource, reg: reg, spec: spec, token: job.EncryptionCredentialTXT}
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
		r.dest = &plannedStage{name: StageDestination, reg: dreg, spec: dspec}
	}
	return nil
}

func (r *Run) planFromRun(reg connectors.Registration, spec config.ConnectorSpec) error {
	if reg.Kind != connectors.KindDestination {
		return setupf("--from-run replays batches into a destination, and %s is a source", reg.Name)
	}
	past, err := LoadReport(r.opts.StateDir, r.opts.FromRun)
	if err != nil {
		return setupErr(err)
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
		if st.Name == StageSource && st.Exit != nil && st.Exit.Reason != connectors.Success {
			return setupf("run %s's source ended with %s: its batches may be partial; rerun the source", r.opts.FromRun, st.Exit.Reason)
		}
	}
	// The batches are where that run stored them: the same S3.
	endpoint := r.opts.S3Endpoint
	if endpoint == "" {
		endpoint = r.cfg.Settings.S3Endpoint
	}
	switch {
	case past.Run.StorageKind() == StorageExternal && endpoint != "" && endpoint != past.Run.Endpoint:
		return setupf("run %s stored its batches at %s, not %s: drop --s3-endpoint (or S3_ENDPOINT) to read them there", r.opts.FromRun, past.Run.Endpoint, endpoint)
	case past.Run.StorageKind() == StorageExternal:
		r.opts.S3Endpoint = past.Run.Endpoint
	case endpoint != "" || r.opts.S3Memory:
		return setupf("run %s stored its batches in the embedded S3 on disk: drop --s3-endpoint, S3_ENDPOINT and --s3-memory to read them", r.opts.FromRun)
	}
	r.jobFile = savedJobFile(filepath.Join(r.opts.StateDir, "runs", r.opts.FromRun))
	job, err := config.LoadJob(r.jobFile)
	if err != nil {
		return setupErr(err)
	}
	job.DestinationConnectorNM = reg.Name
	r.job, r.past = job, past
	r.dest = &plannedStage{name: StageDestination, reg: reg, spec: spec}
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
			return setupErr(err)
		}
		if st.token, err = config.EncryptCredentials(key, creds); err != nil {
			return setupErr(err)
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
	r.cassette = config.CassettePath(r.jobFile)
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
			return setupf("%w", err)
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
