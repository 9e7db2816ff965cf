package main

import (
	"fmt"
	"os"

	"connector-dev/connectors"
	"connector-dev/harness"
	"connector-dev/harness/config"
)

// createdHeader opens an expectations file test --update creates.
const createdHeader = `# Written by connector-dev test --update from a replay of %s. Edit it freely:
# --update keeps comments, env:, message: and any key it does not measure.
`

// createExpect writes the expectations file of a fixture that has none,
// from its run: only from a run that ended well (success or no_fail), so a
// fixture that fails (no cassette, a bug) is never made to pass by
// pinning its failure. A failure story's file is written by hand.
func (s *suite) createExpect(r result) (bool, error) {
	path := config.ExpectationsPath(r.Path)
	rep := r.report
	if rep == nil {
		return false, fmt.Errorf("the run left no report to write %s from", path)
	}
	if rep.Exit.Reason != connectors.Success && rep.Exit.Reason != connectors.NoFail {
		return false, fmt.Errorf("the run ended %s, not success: %s is not created from a failing run (for a story that fails on purpose, write it by hand: exit: %s)", rep.Exit.Reason, path, rep.Exit.Reason)
	}
	src := []byte(fmt.Sprintf(createdHeader, r.Path))
	out, changes, err := expectUpdate(path, src, rep)
	if err != nil {
		return false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return false, err
	}
	if _, err := f.Write(out); err != nil {
		f.Close()
		return false, err
	}
	if err := f.Close(); err != nil {
		return false, err
	}
	for _, c := range changes {
		fmt.Fprintf(s.env.Stdout, "created  %s  %s\n", path, c)
	}
	return true, nil
}

// measured is what the run's destination received, when it was measured.
func measured(rep *harness.Report) *harness.Measured {
	if rep.Measured != nil {
		return rep.Measured
	}
	if rep.Expectations != nil {
		return rep.Expectations.Measured
	}
	return nil
}

// updatedSamples is the samples list to write (nil: leave it alone). A
// file without samples gets the measured rows when the run succeeded; one
// whose samples all held keeps them, as written by hand; one with
// samples that missed keeps those that held and takes measured rows in
// place of the others.
func updatedSamples(old []config.SampleRow, m *harness.Measured, ok bool) []config.SampleRow {
	rows := sampleRows(m)
	if old == nil {
		if ok && len(rows) > 0 {
			return rows
		}
		return nil
	}
	if len(m.SamplesMissed) == 0 {
		return nil
	}
	missed := map[int]bool{}
	for _, i := range m.SamplesMissed {
		missed[i] = true
	}
	out := []config.SampleRow{}
	for i, r := range old {
		if !missed[i+1] {
			out = append(out, r)
		}
	}
	for _, r := range rows {
		if len(out) >= len(old) {
			break
		}
		if !containsRow(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// sampleRows are the measured samples as expectation rows.
func sampleRows(m *harness.Measured) []config.SampleRow {
	var out []config.SampleRow
	for _, cells := range m.Samples {
		if len(cells) != len(m.Schema) {
			continue
		}
		row := config.SampleRow{}
		for i, v := range cells {
			c := config.SampleCell{Name: m.Schema[i].Name, Value: "~", Null: v == nil}
			if v != nil {
				c.Value = *v
			}
			row = append(row, c)
		}
		out = append(out, row)
	}
	return out
}

func containsRow(rows []config.SampleRow, r config.SampleRow) bool {
	for _, o := range rows {
		if o.String() == r.String() {
			return true
		}
	}
	return false
}
