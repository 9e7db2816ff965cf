package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"connector-dev/connectors"
	"connector-dev/harness/httprec"
)

// settle decides, once the stages are over, what the fixture's expectations
// make of the exit code, what becomes of an HTTP recording, and the closing
// message. The closing message's first line (its headline) says how the
// process's exit code came about; the TUI and the headless printer show it
// as is, so both say the same words. It is "" for a plain run (no
// expectations, no recording): the exit reason then says it all.
func (x *execution) settle(report *Report) string {
	r := x.r
	stopped := report.Exit.Reason == connectors.Timeout || report.Exit.Reason == connectors.Interrupted
	// A real service's answers are not the fixture's: under --live and
	// --record expectations are reported, and the run's own code stands.
	applied := r.opts.HTTPMode != "live" && r.opts.HTTPMode != "record"
	var misses []string
	checked := r.expect != nil && !stopped
	var meas *Measured
	var merr error
	if !stopped && x.wantsMeasure() {
		meas, merr = x.measure(context.Background(), report)
		report.Measured = meas
	}
	if checked {
		misses = checkExpectations(r.expect, report)
		if x.wantsMeasure() {
			misses = append(misses, checkMeasured(r.expect, meas, merr)...)
		}
		report.Expectations = &ExpectationResult{File: r.expectAt, Held: len(misses) == 0, Misses: misses, Applied: applied, Measured: meas}
		for _, m := range misses {
			x.em.log("", LevelError, "expectation not met: "+m)
		}
	}
	var details []string
	if r.rec != nil {
		asExpected := report.Exit.Reason == connectors.Success
		if r.expect != nil {
			asExpected = checked && len(misses) == 0
		}
		details = x.finishRecording(report, stopped, asExpected)
	}
	report.ExitCode = report.Exit.Code
	own := report.Exit
	var head string
	switch {
	case r.expect == nil:
		if len(details) == 0 {
			return ""
		}
		head = fmt.Sprintf("%s: exit %d", own.Reason, own.Code)
	case stopped:
		head = fmt.Sprintf("%s: exit %d; expectations of %s not checked: the run was stopped (%s)", own.Reason, own.Code, r.expectAt, own.Reason)
	case !applied:
		head = fmt.Sprintf("%s: exit %d; expectations of %s reported, not applied under --%s", own.Reason, own.Code, r.expectAt, r.opts.HTTPMode)
		if len(misses) == 0 {
			details = append([]string{fmt.Sprintf("expectations of %s held (reported only)", r.expectAt)}, details...)
		} else {
			details = append([]string{fmt.Sprintf("%s of %s not met (reported only)", Quantity(int64(len(misses)), "expectation", "expectations"), r.expectAt)}, details...)
		}
	case len(misses) == 0:
		report.ExitCode = 0
		head = fmt.Sprintf("%s (would be exit %d); as expected: exit 0", own.Reason, own.Code)
		if own.Code == 0 {
			head = fmt.Sprintf("%s, as expected: exit 0", own.Reason)
		}
		details = append([]string{fmt.Sprintf("expectations of %s held: exit code 0", r.expectAt)}, details...)
	default:
		report.ExitCode = connectors.Expectation.Code()
		what := Quantity(int64(len(misses)), "expectation", "expectations") + " not met"
		if e := r.expect.Exit; e != "" && e != string(own.Reason) {
			what = "expected " + e
		}
		head = fmt.Sprintf("%s (would be exit %d); %s: exit %d", own.Reason, own.Code, what, report.ExitCode)
		details = append([]string{fmt.Sprintf("%s of %s not met: exit code %d", Quantity(int64(len(misses)), "expectation", "expectations"), r.expectAt, report.ExitCode)}, details...)
	}
	return strings.Join(append([]string{head}, details...), "\n")
}

// finishRecording ends the HTTP recorder. A recording replaces the cassette
// only when it holds an interaction and the run ended as the fixture
// expects (asExpected); otherwise it goes beside the cassette, which stays:
// an offline or failed --record must never destroy a good cassette. A
// stopped run's recording is dropped. It returns the closing lines to show
// (none outside Record mode) and may turn the exit into an error when the
// recording cannot be written.
func (x *execution) finishRecording(report *Report, stopped, asExpected bool) []string {
	r := x.r
	defer func() { r.rec = nil }()
	record := r.mode == httprec.Record
	_, statErr := os.Stat(r.cassette)
	kept := r.cassette + " is as it was"
	if statErr != nil {
		kept = "no cassette written at " + r.cassette
	}
	var lines []string
	say := func(level Level, line string) {
		x.em.log("", level, line)
		lines = append(lines, line)
	}
	if stopped {
		err := r.rec.Discard()
		if record {
			say(LevelInfo, "recording discarded: the run was stopped; "+kept)
		}
		x.recordFailed(report, err)
		return lines
	}
	saved, err := r.rec.Finish(asExpected)
	if x.recordFailed(report, err) || !record {
		return lines
	}
	n := Quantity(int64(saved.Interactions), "interaction", "interactions")
	switch {
	case saved.Path == "":
		say(LevelInfo, "recording: the connector made no HTTP request, nothing to keep; "+kept)
	case saved.Replaced:
		say(LevelInfo, fmt.Sprintf("recording: %s written to %s", n, saved.Path))
	default:
		why := fmt.Sprintf("the run ended with %s, not as %s expects", report.Exit.Reason, r.expectAt)
		switch {
		case saved.Interactions == 0:
			why = "no request got an answer (offline?)"
		case r.expect == nil:
			why = fmt.Sprintf("the run ended with %s, not success", report.Exit.Reason)
		}
		// Left visible to git on purpose (not ignored): it is the evidence of
		// what happened; the line says it is not meant to be committed.
		say(LevelWarn, fmt.Sprintf("recording (%s) written beside the cassette, to %s: %s; %s; do not commit %s unless you mean to (rename it over the cassette to use it)", n, saved.Path, why, kept, filepath.Base(saved.Path)))
	}
	return lines
}

// recordFailed reports a recording that could not be written: a failed run.
func (x *execution) recordFailed(report *Report, err error) bool {
	if err == nil {
		return false
	}
	x.em.log("", LevelError, "record: "+err.Error())
	if !report.Exit.Reason.Failed() {
		report.Exit = exitInfo(connectors.Error, "record: "+err.Error())
	}
	return true
}
