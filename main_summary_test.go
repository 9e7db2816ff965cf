package main

import (
	"database/sql"
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/harness/codec"
	"connector-dev/harness/config"
)

// summaryRow is one object of `inspect RUN --summary --json`.
type summaryRow struct {
	Column    string   `json:"column"`
	Type      string   `json:"type"`
	Rows      int64    `json:"rows"`
	Nulls     int64    `json:"nulls"`
	Distinct  int64    `json:"distinct"`
	Estimated *bool    `json:"distinct_estimated"`
	Min       any      `json:"min"`
	Max       any      `json:"max"`
	Mean      *float64 `json:"mean"`
}

// The summary of a loaded run agrees with SQL over the warehouse the run
// loaded: count, count(*)-count(col), count(distinct), min, max and avg of
// each column (renamed by the job's mapping), through the real binary. The
// Salesforce replay has nulls in every type but bool, and timestamps.
func TestSummaryJSONMatchesWarehouse(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	dir := project(t)
	if out, err := exec.Command(bin, "run", "salesforce", "--ci").CombinedOutput(); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	rep := lastReport(t)
	out, err := exec.Command(bin, "inspect", rep.RunID, "--summary", "--json").Output()
	if err != nil {
		t.Fatalf("inspect --summary --json: %v", err)
	}
	var got []summaryRow
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	job, err := config.LoadJob(filepath.Join(dir, "fixtures/salesforce/job.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := connectors.ParseMapping(string(job.JobDataJSON))
	if err != nil {
		t.Fatal(err)
	}
	dest := map[string]string{}
	for i, s := range m.SourceColumns() {
		dest[s] = m.DestinationColumns()[i]
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, ".connector-dev/warehouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if len(got) != len(dest) {
		t.Fatalf("%d columns summarized, the mapping has %d:\n%s", len(got), len(dest), out)
	}
	for _, c := range got {
		col := `"` + dest[c.Column] + `"`
		var rows, nulls, distinct int64
		var lo, hi any
		var mean sql.NullFloat64
		q := "SELECT count(*), count(*)-count(" + col + "), count(DISTINCT " + col + "), min(" + col + "), max(" + col + "), avg(" + col + ") FROM " + job.DestinationObjectID
		if err := db.QueryRow(q).Scan(&rows, &nulls, &distinct, &lo, &hi, &mean); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if c.Rows != rows || c.Nulls != nulls || c.Distinct != distinct || c.Estimated == nil || *c.Estimated {
			t.Errorf("%s: rows %d nulls %d distinct %d (estimated %v); SQL: %d %d %d", c.Column, c.Rows, c.Nulls, c.Distinct, c.Estimated, rows, nulls, distinct)
		}
		for _, p := range []struct {
			name     string
			got, sql any
		}{{"min", c.Min, lo}, {"max", c.Max, hi}} {
			if !sameValue(t, c.Type, p.got, p.sql) {
				t.Errorf("%s %s: %v (%T), SQL %v (%T)", c.Column, p.name, p.got, p.got, p.sql, p.sql)
			}
		}
		switch {
		case c.Type == "int64" || c.Type == "float64":
			if c.Mean == nil || !mean.Valid || math.Abs(*c.Mean-mean.Float64) > 1e-9*math.Abs(mean.Float64) {
				t.Errorf("%s mean: %v, SQL avg %v", c.Column, c.Mean, mean)
			}
		case c.Mean != nil:
			t.Errorf("%s (%s) has a mean: %v", c.Column, c.Type, *c.Mean)
		}
	}
}

// sameValue compares a min or max from the JSON with SQLite's: bools are
// 0/1 there, timestamps text in the warehouse's layout.
func sameValue(t *testing.T, typ string, got, want any) bool {
	t.Helper()
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	switch typ {
	case "int64":
		return got.(float64) == float64(want.(int64))
	case "float64":
		w, ok := want.(float64)
		if !ok {
			w = float64(want.(int64)) // SQLite hands a whole REAL back as an integer
		}
		return got.(float64) == w
	case "bool":
		return got.(bool) == (want.(int64) != 0)
	case "timestamp":
		g, err := time.Parse(codec.TimeLayout, got.(string))
		if err != nil {
			t.Fatal(err)
		}
		w, err := time.Parse("2006-01-02 15:04:05.999999", toString(want))
		if err != nil {
			t.Fatal(err)
		}
		return g.Equal(w)
	}
	return got.(string) == toString(want)
}

func toString(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v.(string)
}

// The table: one line a column, counts right-aligned under their
// headings; and the mistakes are one line each, exit 3.
func TestSummaryTableAndErrors(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "3000")
	t.Setenv("BATCH_ROWS", "1000")
	if code, out, errOut := cli(t, "run", "synthetic", "--ci"); code != 0 {
		t.Fatalf("run: %d\n%s%s", code, out, errOut)
	}
	rep := lastReport(t)
	code, out, errOut := cli(t, "inspect", rep.RunID, "--summary")
	if code != 0 {
		t.Fatalf("--summary: %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 11 {
		t.Fatalf("%d lines, want a heading and 10 columns:\n%s", len(lines), out)
	}
	head := lines[0]
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		// ROWS ends where its heading ends: right-aligned.
		if end := strings.Index(head, "ROWS") + len("ROWS"); !strings.HasSuffix(l[:end], "3,000") {
			t.Errorf("ROWS not right-aligned under its heading:\n%s\n%s", head, l)
		}
		if f[0] == "region" && (f[4] != "8" || f[5] != "anz" || f[6] != "west") {
			t.Errorf("region: %q", f)
		}
		// A timestamp reads as the rows table shows it: no trailing zero digits.
		if f[0] == "created_at" && (f[5] != "2026-01-01T00:00:00Z" || strings.Contains(l, ".000000")) {
			t.Errorf("created_at: %q, want min 2026-01-01T00:00:00Z as the rows table shows it", f)
		}
		if f[0] == "quantity" && (f[4] != "1,000" || f[5] != "0" || f[6] != "999" || f[7] != "499.5") {
			t.Errorf("quantity: %q", f)
		}
	}
	code, out, _ = cli(t, "inspect", rep.RunID, "--summary", "--batch", "2", "--json")
	var one []summaryRow
	if err := json.Unmarshal([]byte(out), &one); code != 0 || err != nil || one[0].Rows != 1000 || one[0].Min != 1000.0 {
		t.Errorf("--batch 2 --summary: %d %v %+v", code, err, one)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"inspect", "--summary"}, "connector-dev inspect: --summary needs a RUN-ID (run `connector-dev inspect --ci` for the list)\n"},
		{[]string{"inspect", rep.RunID, "--json"}, "connector-dev inspect: --json goes with --summary (inspect RUN-ID --summary --json)\n"},
		{[]string{"inspect", "20991231-000000-000000", "--summary"}, ""},
		{[]string{"inspect", rep.RunID, "--summary", "--batch", "9"}, "connector-dev inspect: run " + rep.RunID + " has no batch 9 (it has 3)\n"},
		{[]string{"inspect", rep.RunID, "--summary", "--batch", "0"}, "connector-dev inspect: --batch 0: batches are numbered from 1 (run `connector-dev inspect RUN-ID --ci` for the list)\n"},
		{[]string{"inspect", rep.RunID, "--summary", "--batch", "-1"}, "connector-dev inspect: --batch -1: batches are numbered from 1 (run `connector-dev inspect RUN-ID --ci` for the list)\n"},
		{[]string{"inspect", rep.RunID, "--batch", "0"}, "connector-dev inspect: --batch 0: batches are numbered from 1 (run `connector-dev inspect RUN-ID --ci` for the list)\n"},
		{[]string{"inspect", rep.RunID, "--summary", "--format", "jsonl"}, "connector-dev inspect: --format does not apply to --summary; use --json\n"},
	} {
		code, out, errOut := cli(t, tc.args...)
		if code != 3 || out != "" || strings.Count(errOut, "\n") != 1 || (tc.msg != "" && errOut != tc.msg) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q (want %q)", tc.args, code, out, errOut, tc.msg)
		}
	}
}

// A run whose source uploaded nothing has no batches: --summary says so in
// one line, exit 3, as for any run it cannot summarise.
func TestSummaryNoBatches(t *testing.T) {
	project(t)
	t.Setenv("SYNTHETIC_ROWS", "0")
	if code, out, errOut := cli(t, "run", "synthetic", "--ci"); code != 0 {
		t.Fatalf("run: %d\n%s%s", code, out, errOut)
	}
	rep := lastReport(t)
	if len(rep.Batches) != 0 {
		t.Fatalf("the run stored %d batches, want none", len(rep.Batches))
	}
	for _, args := range [][]string{{"--summary"}, {"--summary", "--json"}} {
		code, out, errOut := cli(t, append([]string{"inspect", rep.RunID}, args...)...)
		want := "connector-dev inspect: run " + rep.RunID + " has no batches: its source uploaded no rows, so there is nothing to summarise\n"
		if code != 3 || out != "" || errOut != want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 3 and %q", args, code, out, errOut, want)
		}
	}
}
