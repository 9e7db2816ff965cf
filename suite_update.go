package main

import (
	"fmt"
	"os"
	"strings"

	"connector-dev/connectors"
	"connector-dev/harness"
	"connector-dev/harness/config"
)

// updateAll rewrites the expectation file of every fixture run from what
// its run did (test --update), printing each change, and returns how many
// fixtures still fail: those without an expectation file, those whose
// file could not be updated, and those failing for a reason --update
// cannot fix (a free check, a message, a run that did not finish).
func (s *suite) updateAll(results []result) int {
	unresolved, files := 0, 0
	for _, r := range results {
		if r.Status == "skip" {
			continue
		}
		changed, err := s.updateOne(r)
		switch {
		case err != nil:
			fmt.Fprintf(s.env.Stdout, "not updated  %s: %v\n", r.Path, err)
		case changed:
			files++
		}
		if r.Status == "fail" && (err != nil || !fixedByUpdate(r)) {
			unresolved++
		}
	}
	fmt.Fprintf(s.env.Stdout, "updated %s; review them with git diff\n", harness.Quantity(int64(files), "expectation file", "expectation files"))
	return unresolved
}

// fixedByUpdate: every miss of r is one that rewriting its file answers.
func fixedByUpdate(r result) bool {
	if r.Expect == "" || r.report == nil || r.report.Expectations == nil {
		return false
	}
	for _, m := range r.Misses {
		if !strings.HasPrefix(m, "exit:") && !strings.HasPrefix(m, "rows:") && !strings.HasPrefix(m, "batches:") &&
			!strings.HasPrefix(m, "rows_checksum: want") && !strings.HasPrefix(m, "schema:") && !strings.HasPrefix(m, "samples: row") {
			return false
		}
	}
	return true
}

// updateOne rewrites r's expectation file (or creates it, for a fixture
// that has none). Keys the file states are updated; rows, batches,
// rows_checksum, schema and samples are added when the run succeeded (a
// failing story's partial rows are not worth pinning). A stopped run, or
// one without a report, changes nothing.
func (s *suite) updateOne(r result) (bool, error) {
	if r.Expect == "" {
		return s.createExpect(r)
	}
	rep := r.report
	if rep == nil || rep.Expectations == nil {
		return false, fmt.Errorf("the run left no report to update from")
	}
	if rep.Exit.Reason == connectors.Timeout || rep.Exit.Reason == connectors.Interrupted {
		return false, fmt.Errorf("the run was stopped (%s)", rep.Exit.Reason)
	}
	src, err := os.ReadFile(r.Expect)
	if err != nil {
		return false, err
	}
	out, changes, err := expectUpdate(r.Expect, src, rep)
	if err != nil || len(changes) == 0 {
		return false, err
	}
	if err := os.WriteFile(r.Expect, out, 0o644); err != nil {
		return false, err
	}
	for _, c := range changes {
		fmt.Fprintf(s.env.Stdout, "updated  %s  %s\n", r.Expect, c)
	}
	return true, nil
}

// expectUpdate is the expectations file src (at file) brought up to date
// with what the run of rep did, and a line per change.
func expectUpdate(file string, src []byte, rep *harness.Report) ([]byte, []string, error) {
	old, err := config.LoadExpectationsBytes(file, src)
	if err != nil {
		return nil, nil, err
	}
	ok := rep.Exit.Reason == connectors.Success
	exit := string(rep.Exit.Reason)
	u := config.ExpectUpdate{Exit: &exit}
	if n := len(rep.Stages); n > 0 {
		last := rep.Stages[n-1]
		if old.Rows != nil || ok {
			u.Rows = &last.Rows
		}
		if old.Batches != nil || ok {
			u.Batches = &last.Batches
		}
	}
	if m := measured(rep); m != nil {
		if old.RowsChecksum != "" || ok {
			u.RowsChecksum = &m.RowsChecksum
		}
		if old.Schema != nil || ok {
			u.Schema = m.Schema
		}
		u.Samples = updatedSamples(old.Samples, m, ok)
	}
	return config.UpdateExpectations(file, src, u)
}
