package harness

import (
	"connector-dev/connectors"
	"connector-dev/connectors/stage"
	"connector-dev/harness/config"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

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
		ctx, cancel = context.WithTimeoutCause(ctx, r.opts.Timeout, stage.ErrTimeout)
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
	var dest connectors.Destination
	if r.dest != nil {
		dest = r.dest.reg.NewDestination()
	}
	overlapped := r.source != nil && dest != nil && overlaps(dest)
	if overlapped {
		var stages []StageReport
		stages, report.Batches, exit = x.runOverlapped(ctx, r.source, r.dest, dest)
		report.Stages = append(report.Stages, stages...)
		report.Manifest = x.stored
	} else if r.source != nil {
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
			if s.Name == StageSource {
				srcRows = s.Rows
			}
		}
	}
	x.batches = report.Batches
	switch {
	case overlapped: // the destination ran beside the source
	case r.dest != nil && exit.Reason == connectors.Success:
		st := x.newStage(ctx, r.dest)
		st.expected.Store(srcRows)
		rep := x.runDestStage(ctx, st, dest)
		report.Stages = append(report.Stages, rep)
		exit = *rep.Exit
	case r.dest != nil:
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
	writeJSON(savedJobFile(r.runDir), &j)
}

func (x *execution) newStage(ctx context.Context, p *plannedStage) *stageRun {
	job := *x.r.job
	job.EncryptionCredentialTXT = p.token
	mapping, _ := connectors.ParseMapping(string(job.JobDataJSON)) // validated by LoadJob
	return &stageRun{x: x, name: p.name, connector: p.reg.Name, job: &job, env: p.env, mapping: mapping,
		creds: p.creds, window: x.r.window, ending: stage.NewEnding(ctx), started: time.Now()}
}

func (x *execution) runSource(ctx context.Context, p *plannedStage) (StageReport, []BatchInfo) {
	return x.runSourceStage(ctx, p, x.newStage(ctx, p), nil)
}

// runSourceStage runs source p as stage st; with fd, each batch stored is fed
// to a destination loading beside it.
func (x *execution) runSourceStage(ctx context.Context, p *plannedStage, st *stageRun, fd *feed) (StageReport, []BatchInfo) {
	defer st.ending.Release()
	st.up = newUploader(ctx, st, x.store, x.r.codec, x.prefix, x.r.cfg.Settings.BatchRows)
	st.up.feed = fd // before the first batch reaches the putter
	exit := x.runConnector(ctx, st, func(ctx context.Context) error {
		return p.reg.NewSource().Run(ctx, st)
	})
	err := st.up.finish()
	if ex := st.ending.Exit(); ex != nil && !exit.Reason.Failed() {
		// The pipeline found a frame changed after it was handed over.
		exit = exitInfo(ex.Reason, ex.Message)
	} else if err != nil && !exit.Reason.Failed() {
		// The connector dropped UploadRows' error, or a last PUT failed.
		if ctx.Err() != nil {
			exit = x.cancelled(ctx)
		} else {
			reason, msg := connectors.ReasonOf(err)
			x.em.log(st.name, LevelError, "upload: "+msg)
			exit = exitInfo(reason, "upload: "+msg)
		}
	}
	if cause := context.Cause(ctx); errors.Is(cause, errDestinationFailed) && exit.Reason == connectors.Interrupted {
		// Stopped by the run, not by a user: say why.
		exit.Message = cause.Error()
	}
	exit = x.writeManifest(ctx, st, exit)
	return x.finishStage(st, exit), st.up.written()
}

// runDestStage runs destination d as stage st.
func (x *execution) runDestStage(ctx context.Context, st *stageRun, d connectors.Destination) StageReport {
	defer st.ending.Release()
	st.dest = d
	exit := x.runConnector(ctx, st, func(ctx context.Context) error {
		run := st.RunBatches
		if runner, ok := st.dest.(connectors.Runner); ok {
			run = func(ctx context.Context) error { return runner.Run(ctx, st) }
		}
		err := run(ctx)
		st.returnedNil.Store(err == nil)
		return err
	})
	return x.finishStage(st, exit)
}

// runConnector runs one connector's Run under the rules of package stage
// (a panic is caught with its stack; the exit reason is whatever the
// connector recorded, else the run's cancellation, else what its error
// says), logging as the harness logs.
func (x *execution) runConnector(ctx context.Context, st *stageRun, fn func(context.Context) error) ExitInfo {
	x.em.emit(Event{Kind: EventStageStarted, Stage: st.name, Message: st.connector})
	x.r.out.enter(st.name)
	defer x.r.out.leave(st.name)
	sup := stage.Supervisor{
		Ending: st.ending,
		Panicked: func(msg, stack string) {
			x.em.emit(Event{Kind: EventLog, Stage: st.name, Level: LevelError, Message: msg, Trace: stack})
		},
		Unhandled:      func(msg string) { x.em.log(st.name, LevelError, msg) },
		TimeoutMessage: x.timeoutMessage(),
	}
	if st.up != nil {
		sup.Uploads = st.up.checks
	}
	reason, msg := sup.Run(ctx, fn)
	return exitInfo(reason, msg)
}

// timeoutMessage names the flag that set the deadline.
func (x *execution) timeoutMessage() string {
	return fmt.Sprintf("--timeout %s passed", x.r.opts.Timeout)
}

// cancelled is the exit of a stage whose run context ended: --timeout or a
// signal, by the cause the context was cancelled with.
func (x *execution) cancelled(ctx context.Context) ExitInfo {
	reason, msg := stage.Cancelled(ctx, x.timeoutMessage())
	return exitInfo(reason, msg)
}

func exitInfo(r connectors.ExitReason, msg string) ExitInfo {
	return ExitInfo{Reason: r, Code: r.Code(), Message: msg}
}

func (x *execution) finishStage(st *stageRun, exit ExitInfo) StageReport {
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
