package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"connector-dev/connectors"
	"connector-dev/harness/config"
)

// The values of Report.Status.
const (
	StatusRunning  = "running"
	StatusFinished = "finished"
)

// ReasonIncomplete is the exit reason a loaded report carries when its run
// never finished: killed (kill -9, OOM, a power cut) or still running. It
// is never the exit of a run that ended: that run writes its own.
const ReasonIncomplete connectors.ExitReason = "incomplete"

// Incomplete says the run never wrote its final report.
func (r *Report) Incomplete() bool { return r.Exit.Reason == ReasonIncomplete }

// startReport writes report.json as the run starts, status "running", so a
// run killed before its end is found (and called incomplete) rather than
// missed; and sends the store's retry lines to the run's log.
func (x *execution) startReport(rep *Report) {
	rep.Status = StatusRunning
	if err := writeJSON(filepath.Join(x.r.runDir, "report.json"), rep); err != nil {
		x.em.log("", LevelWarn, "report: "+err.Error())
	}
	x.store.SetLogf(func(format string, args ...any) {
		x.em.log("", LevelDebug, fmt.Sprintf(format, args...))
	})
}

// startedOf is the start time a run id carries (second precision), in the
// report's form; "" when id is not one.
func startedOf(id string) string {
	if len(id) < 15 {
		return ""
	}
	t, err := time.Parse("20060102-150405", id[:15])
	if err != nil {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

// incompleteReport fills in what the run's folder knows of a run that did
// not finish: its job from job.json, and from manifest.json (written when
// the source stage ended) the source's batches, counts and exit.
func incompleteReport(runDir string, rep *Report) *Report {
	if rep.Job == "" {
		if job, err := config.LoadJob(savedJobFile(runDir)); err == nil {
			rep.Job = job.ETLJobNM
			if rep.Connector == "" {
				rep.Connector = job.SourceConnectorNM
			}
		}
	}
	rep.Status = StatusRunning
	rep.ExitCode = -1
	m, err := loadLocalManifest(runDir)
	switch {
	case err == nil:
		rep.Manifest = m.Prefix + manifestName
		rep.Batches = m.Batches
		exit := m.Exit
		rep.Stages = []StageReport{{Name: StageSource, Connector: m.Connector, Rows: m.Rows, Batches: int64(len(m.Batches)), Bytes: m.Bytes, Exit: &exit}}
		if rep.Connector == "" {
			rep.Connector = m.Connector
		}
		rep.Exit = ExitInfo{Reason: ReasonIncomplete, Code: -1,
			Message: fmt.Sprintf("it never finished (killed, or still running) after its source stored %d batches (%s): the destination did not finish", len(m.Batches), m.Exit.Reason)}
	case os.IsNotExist(err):
		rep.Manifest, rep.Batches, rep.Stages = "", nil, nil
		rep.Exit = ExitInfo{Reason: ReasonIncomplete, Code: -1,
			Message: fmt.Sprintf("it never finished (killed, or still running) before its source did: there is no %s in %s", manifestName, runDir)}
	default:
		rep.Manifest, rep.Batches, rep.Stages = "", nil, nil
		rep.Exit = ExitInfo{Reason: ReasonIncomplete, Code: -1, Message: "it never finished, and its manifest cannot be read: " + err.Error()}
	}
	if note := crashNote(runDir); note != "" {
		rep.Exit.Message = note + "; " + rep.Exit.Message
	}
	return rep
}

// readable is nil when --from-run can read the run's batches: a run that
// never finished can, when its source did (it left its manifest).
func (r *Report) readable() error {
	if r.Incomplete() && r.Manifest == "" {
		return setupf("run %s is incomplete: %s; rerun the source", r.RunID, r.Exit.Message)
	}
	return nil
}
