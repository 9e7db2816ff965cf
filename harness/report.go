package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"connector-dev/fakes3"
	"connector-dev/harness/config"
	"connector-dev/harness/faults"
	"connector-dev/harness/httprec"
)

// StageReport is one stage's entry in report.json and in the summary.
type StageReport struct {
	Name      string    `json:"name"`      // "source" or "destination"
	Connector string    `json:"connector"` // registry name
	Rows      int64     `json:"rows"`
	Batches   int64     `json:"batches"`
	Bytes     int64     `json:"bytes"`
	Seconds   float64   `json:"seconds"`
	RowsPerS  float64   `json:"rows_per_s"`
	Exit      *ExitInfo `json:"exit,omitempty"`
}

// ExpectationResult says whether a fixture's expectations held.
type ExpectationResult struct {
	File   string   `json:"file"`
	Held   bool     `json:"held"`
	Misses []string `json:"misses,omitempty"`
	// Applied is false under --live and --record: the expectations were
	// checked and reported, but the run's own exit code stands.
	Applied bool `json:"applied"`
	// Measured is what the destination received (rows_checksum, schema),
	// when the expectations state either or the run was asked to --measure.
	Measured *Measured `json:"measured,omitempty"`
}

// Report is .connector-dev/runs/<run-id>/report.json. Exit is how the run
// ended; ExitCode is the process's code, which expectations may change.
type Report struct {
	RunID     string `json:"run_id"`
	Connector string `json:"connector"` // what `run` was asked for
	Job       string `json:"job"`       // ETLJobNM
	JobFile   string `json:"job_file"`
	Started   string `json:"started"` // RFC 3339 in UTC, to the microsecond (sorts as text)
	// Status is "running" from the run's first moment, "finished" once it
	// ended; a report still "running" (or none at all) is an incomplete
	// run: killed, or still going. Reports made before this field have "".
	Status string `json:"status,omitempty"`
	// Manifest is the S3 key of the source's manifest.json ("" for runs
	// made before manifests).
	Manifest     string             `json:"manifest,omitempty"`
	Seconds      float64            `json:"seconds"`
	S3Memory     bool               `json:"s3_memory,omitempty"`
	Run          *RunInfo           `json:"run,omitempty"`
	Exit         ExitInfo           `json:"exit"`
	ExitCode     int                `json:"exit_code"`
	Expectations *ExpectationResult `json:"expectations,omitempty"`
	// Measured is what the destination received (as in Expectations), also
	// for a job without an expectations file: under --measure, or when
	// its expectations state a checksum, schema or samples.
	Measured *Measured `json:"measured,omitempty"`
	// Closing is the finished event's closing message (see Event.Message).
	Closing string        `json:"closing,omitempty"`
	Stages  []StageReport `json:"stages"`
	Batches []BatchInfo   `json:"batches"` // the source's batch objects, in order
	// Faults counts the faults --faults injected, per TARGET:KIND ("s3:503").
	Faults map[string]int64 `json:"faults,omitempty"`
}

// Rows is the rows the run delivered: the last stage's count.
func (r *Report) Rows() int64 {
	if len(r.Stages) == 0 {
		return 0
	}
	return r.Stages[len(r.Stages)-1].Rows
}

// newLogWriter buffers one event's line; the emitter flushes it to the file
// at once, so a run killed with SIGKILL (or by the OOM killer) leaves every
// line up to the kill: the kernel keeps what was written.
func newLogWriter(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, 4<<10) }

// LoadReport reads one past run's report.json.
func LoadReport(stateDir, runID string) (*Report, error) {
	if runID == "" || filepath.Base(runID) != runID {
		return nil, fmt.Errorf("run id %q is not a run id (see `connector-dev inspect` for the list)", runID)
	}
	runDir := filepath.Join(stateDir, "runs", runID)
	if st, err := os.Stat(runDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("no run %s in %s (see `connector-dev inspect` for the list)", runID, filepath.Join(stateDir, "runs"))
	}
	path := filepath.Join(runDir, "report.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		// Killed before its first write (or made before reports were
		// written at the start): what the folder says is all there is.
		return incompleteReport(runDir, &Report{RunID: runID, Started: startedOf(runID)}), nil
	}
	if err != nil {
		return nil, err
	}
	var rep Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if rep.Status == StatusRunning {
		return incompleteReport(runDir, &rep), nil
	}
	return &rep, nil
}

// ListRuns returns the reports of past runs, newest first. A run that was
// killed (or still runs) is there, its exit reason "incomplete"; a folder
// whose report cannot be read is skipped.
func ListRuns(stateDir string) ([]Report, error) {
	entries, err := os.ReadDir(filepath.Join(stateDir, "runs"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Report
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if rep, err := LoadReport(stateDir, e.Name()); err == nil {
			out = append(out, *rep)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Started != out[j].Started {
			return out[i].Started > out[j].Started
		}
		return out[i].RunID > out[j].RunID
	})
	return out, nil
}

// PastRuns opens the batches of earlier runs: it starts the embedded S3
// over the state folder (or uses S3_ENDPOINT) once, for every run it opens;
// a run that stored its batches in another S3 is read from there.
type PastRuns struct {
	store   *Store
	scrub   *httprec.Scrubber
	storage string // RunInfo.Storage of store: embedded (where) or external
	cfg     S3Config
	close   func() error
}

// OpenPastRuns loads settings from dir and reaches the runs' S3; ctx
// bounds the start-up.
func OpenPastRuns(ctx context.Context, dir, stateDir string, environ []string, endpoint string) (*PastRuns, error) {
	cfg, err := config.Load(dir, environ)
	if err != nil {
		return nil, setupErr(err)
	}
	r := &Run{opts: Options{Dir: dir, StateDir: stateDir}, cfg: cfg}
	r.info.Endpoint = cfg.Settings.S3Endpoint
	if endpoint != "" {
		r.info.Endpoint = endpoint
	}
	r.info.Bucket = cfg.Settings.Bucket
	if err := r.Start(ctx); err != nil {
		return nil, err
	}
	s := cfg.Settings
	return &PastRuns{store: r.store, storage: r.info.Storage, close: r.Close, scrub: newScrubber(cfg.Secrets()),
		cfg: S3Config{Region: s.Region, AccessKey: s.AccessKeyID, SecretKey: s.SecretKey}}, nil
}

// storeFor is the S3 where rep's run stored its batches, in its bucket.
func (p *PastRuns) storeFor(rep *Report) *Store {
	st := *p.store
	if rep.Run == nil {
		return &st
	}
	if rep.Run.StorageKind() == StorageExternal && rep.Run.Endpoint != p.store.url {
		cfg := p.cfg
		cfg.Endpoint = rep.Run.Endpoint
		st = *NewStore(cfg)
	}
	if rep.Run.Bucket != "" {
		st.bucket = rep.Run.Bucket
	}
	return &st
}

// Reader returns the batch reader of one run.
// It also says where it reads from (Where), for a browser to show.
func (p *PastRuns) Reader(rep *Report) BatchReader {
	prefix := ""
	if rep.Run != nil {
		prefix = rep.Run.Prefix
	}
	return placedReader{newStoreReader(p.storeFor(rep), p.scrub, prefix, rep.Batches, rep.Manifest != ""), p.Where(rep)}
}

// ListBatches lists the batch objects a past run left in S3.
func (p *PastRuns) ListBatches(ctx context.Context, rep *Report) ([]ObjectMeta, error) {
	if rep.Run == nil {
		return nil, fmt.Errorf("run %s has no S3 prefix", rep.RunID)
	}
	return listBatches(ctx, p.storeFor(rep), rep.Run.Prefix)
}

// Close stops the embedded S3.
func (p *PastRuns) Close() error { return p.close() }

// ServeS3 runs the embedded S3 alone, with the settings' keys and bucket,
// until ctx ends; ready is called with its URL once it listens. With spec
// (--faults) it injects S3 faults from the first request, and log gets the
// line that names the seed and, at LOG_LEVEL=debug, one line per fault.
func ServeS3(ctx context.Context, stateDir, addr string, memory bool, environ []string, spec *faults.Spec, ready func(url, storage, bucket string), log func(msg string)) error {
	cfg, err := config.Load(".", environ)
	if err != nil {
		return err
	}
	s := cfg.Settings
	if spec.Has(faults.HTTP) {
		return fmt.Errorf("--faults %q: connector-dev s3 serves S3 only, so http faults have nothing to fail: keep the s3 ones", spec.String())
	}
	var in *faults.Injector
	if spec != nil {
		in = faults.New(spec)
	}
	e := embeddedS3{stateDir: stateDir, memory: memory, opts: fakes3.Options{Addr: addr, AccessKey: s.AccessKeyID, SecretKey: s.SecretKey,
		Region: s.Region, Buckets: []string{s.Bucket}, Chaos: s3Chaos(in), MemoryHint: "use --s3-memory"}}
	storage := strings.TrimPrefix(e.kind().describe(e.dir()), "embedded, ")
	srv, err := e.start(ctx)
	if err != nil {
		return err
	}
	ready(srv.URL(), storage, s.Bucket)
	if in != nil {
		log(in.Announce())
		var debug func(string)
		if Level(s.LogLevel) == LevelDebug {
			debug = log
		}
		in.Arm(debug)
	}
	<-ctx.Done()
	if in != nil {
		in.Disarm()
		log(faults.Summary(in.Counts()))
	}
	return srv.Close()
}
