package tui

import (
	"errors"
	"strings"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// The TUI shows text from jobs, connectors, APIs and batches. Every such
// text is made harness.SafeText where it enters the view state (the
// feeder, the run header, a loaded batch, the runs of inspect), so no
// escape sequence of theirs reaches the screen; the components then render
// plain text only.

// safeLog turns one log event into the lines the log pane keeps: the
// message (with its stream, when the process wrote it to fd 1 or 2) and a
// panic's stack one line each.
func safeLog(e harness.Event) []string {
	e = harness.SafeEvent(e)
	msg := e.Message
	if e.Stream != "" {
		msg = e.Stream + ": " + msg
	}
	out := []string{msg}
	for _, l := range strings.Split(strings.TrimRight(e.Trace, "\n"), "\n") {
		if l != "" {
			out = append(out, "    "+harness.SafeText(strings.ReplaceAll(l, "\t", "    ")))
		}
	}
	return out
}

// safeFrame escapes a loaded batch's column names and string values in
// place: the frame was decoded for the browser alone.
func safeFrame(f *connectors.Frame) *connectors.Frame {
	if f == nil {
		return nil
	}
	// Only what changes is written: a reader may hand the same frame to
	// a find or a count off the UI goroutine while the table draws it.
	for _, c := range f.Columns() {
		if n := harness.SafeText(c.Name); n != c.Name {
			c.Name = n
		}
		for i, s := range c.Strings {
			if e := harness.SafeText(s); e != s {
				c.Strings[i] = e
			}
		}
	}
	return f
}

// safeMeta escapes an object's key and metadata.
func safeMeta(m harness.ObjectMeta) harness.ObjectMeta {
	m.Key, m.ContentType, m.ETag = harness.SafeText(m.Key), harness.SafeText(m.ContentType), harness.SafeText(m.ETag)
	if len(m.Metadata) > 0 {
		md := make(map[string]string, len(m.Metadata))
		for k, v := range m.Metadata {
			md[harness.SafeText(k)] = harness.SafeText(v)
		}
		m.Metadata = md
	}
	return m
}

// safeRuns escapes what inspect lists of past runs.
func safeRuns(runs []harness.Report) []harness.Report {
	out := make([]harness.Report, len(runs))
	for i, r := range runs {
		r.Job, r.Connector, r.JobFile = harness.SafeText(r.Job), harness.SafeText(r.Connector), harness.SafeText(r.JobFile)
		r.Exit.Message = harness.SafeText(r.Exit.Message)
		if r.Run != nil {
			info := harness.SafeRunInfo(*r.Run)
			r.Run = &info
		}
		stages := make([]harness.StageReport, len(r.Stages))
		for j, s := range r.Stages {
			s.Name, s.Connector = harness.SafeText(s.Name), harness.SafeText(s.Connector)
			if s.Exit != nil {
				x := *s.Exit
				x.Message = harness.SafeText(x.Message)
				s.Exit = &x
			}
			stages[j] = s
		}
		r.Stages = stages
		batches := make([]harness.BatchInfo, len(r.Batches))
		for j, b := range r.Batches {
			b.Key = harness.SafeText(b.Key)
			batches[j] = b
		}
		r.Batches = batches
		out[i] = r
	}
	return out
}

// safeReport is safeRuns of one report, nil kept.
func safeReport(rep *harness.Report) *harness.Report {
	if rep == nil {
		return nil
	}
	r := safeRuns([]harness.Report{*rep})[0]
	return &r
}

// safeErr is err with its text made safe (a batch key in it holds the job
// name); nil stays nil.
func safeErr(err error) error {
	if err == nil {
		return nil
	}
	if msg := harness.SafeText(err.Error()); msg != err.Error() {
		return errors.New(msg)
	}
	return err
}
