package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"connector-dev/connectors"
)

// SummarizeRun summarizes a past run's batches (batch 0: all of them, as
// its manifest lists them; else only batch N), read as `inspect RUN
// --batch N` reads them: the columns as the batches hold them.
func SummarizeRun(ctx context.Context, stateDir string, past *PastRuns, runID string, batch int, o SummaryOptions) ([]ColumnSummary, error) {
	rep, err := LoadReport(stateDir, runID)
	if err != nil {
		return nil, err
	}
	if rep.S3Memory {
		return nil, fmt.Errorf("run %s used --s3-memory: its batches were gone when it ended", runID)
	}
	if rep.Incomplete() && rep.Manifest == "" {
		return nil, fmt.Errorf("run %s is incomplete: %s; its batches are not known", runID, rep.Exit.Message)
	}
	batches := rep.Batches
	if len(batches) == 0 {
		return nil, fmt.Errorf("run %s has no batches: its source uploaded no rows, so there is nothing to summarise", runID)
	}
	if batch != 0 {
		batches = nil
		for _, b := range rep.Batches {
			if b.Index == batch {
				batches = append(batches, b)
			}
		}
		if len(batches) == 0 {
			return nil, fmt.Errorf("run %s has no batch %d (it has %d)", runID, batch, len(rep.Batches))
		}
	}
	return Summarize(ctx, past.Reader(rep), batches, o)
}

// SummaryValue is a min or max as the summary table prints it: as
// `inspect --format jsonl` writes the value, strings unquoted (the empty
// string as ""), NULL when there is none; a timestamp as the rows table
// shows it (RFC 3339, no trailing zero digits), so the two views of one
// value read the same. --json keeps the codec's fixed six digits.
func SummaryValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		if x == "" {
			return `""`
		}
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return string(appendJSONNumber(nil, x))
	}
	return string(appendJSONValue(nil, v))
}

// SummaryMean is a mean as the table prints it: at most four decimals.
func SummaryMean(m *float64) string {
	if m == nil {
		return ""
	}
	if a := math.Abs(*m); math.IsNaN(*m) || math.IsInf(*m, 0) || a >= 1e15 || (a != 0 && a < 1e-4) {
		return strconv.FormatFloat(*m, 'g', 6, 64)
	}
	s := strconv.FormatFloat(*m, 'f', 4, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// SummaryDistinct is a distinct count as the table prints it: an
// estimate starts with ~.
func SummaryDistinct(c ColumnSummary) string {
	if c.DistinctEstimated {
		return "~" + Number(c.Distinct)
	}
	return Number(c.Distinct)
}

func appendJSONNumber(b []byte, x float64) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	}
	return appendJSONValue(b, x)
}

// IsNumber says the column's values are numbers, which print right-aligned.
func IsNumber(t connectors.Type) bool { return t == connectors.Int64 || t == connectors.Float64 }

// summaryCell is the widest a min or max gets in the table; the JSON has
// them whole.
const summaryCell = 32

// WriteSummary prints the summary as a table: counts and number values
// right-aligned, long values cut with an ellipsis, made safe for a
// terminal.
func WriteSummary(w io.Writer, cols []ColumnSummary) error {
	head := []string{"COLUMN", "TYPE", "ROWS", "NULLS", "DISTINCT", "MIN", "MAX", "MEAN"}
	right := []bool{false, false, true, true, true, false, false, true}
	rows := [][]string{head}
	for _, c := range cols {
		rows = append(rows, []string{SafeText(c.Column), c.Type.String(), Number(c.Rows), Number(c.Nulls), SummaryDistinct(c),
			cut(SafeText(SummaryValue(c.Min)), summaryCell), cut(SafeText(SummaryValue(c.Max)), summaryCell), SummaryMean(c.Mean)})
	}
	widths := make([]int, len(head))
	for _, r := range rows {
		for j, s := range r {
			widths[j] = max(widths[j], len([]rune(s)))
		}
	}
	bw := bufio.NewWriter(w)
	for i, r := range rows {
		var line strings.Builder
		for j, s := range r {
			// Min and max right-align in a number column (not in the heading).
			alignRight := right[j] || (i > 0 && (j == 5 || j == 6) && IsNumber(cols[i-1].Type))
			gap := strings.Repeat(" ", widths[j]-len([]rune(s)))
			if j > 0 {
				line.WriteString("  ")
			}
			if alignRight {
				line.WriteString(gap + s)
			} else {
				line.WriteString(s + gap)
			}
		}
		bw.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	return bw.Flush()
}

// cut shortens s to n runes, the last an ellipsis.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// WriteSummaryJSON prints the summary as one JSON array, an object per
// column: column, type, rows, nulls, distinct, distinct_estimated (true
// when distinct is a HyperLogLog estimate), min, max (as `inspect
// --format jsonl` writes values; null when there is none) and mean (null
// for non-numbers).
func WriteSummaryJSON(w io.Writer, cols []ColumnSummary) error {
	b := []byte{'['}
	for i, c := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n  {\"column\":"...)
		name, _ := json.Marshal(c.Column)
		b = append(b, name...)
		b = append(b, `,"type":`...)
		b = strconv.AppendQuote(b, c.Type.String())
		b = append(b, `,"rows":`...)
		b = strconv.AppendInt(b, c.Rows, 10)
		b = append(b, `,"nulls":`...)
		b = strconv.AppendInt(b, c.Nulls, 10)
		b = append(b, `,"distinct":`...)
		b = strconv.AppendInt(b, c.Distinct, 10)
		b = append(b, `,"distinct_estimated":`...)
		b = strconv.AppendBool(b, c.DistinctEstimated)
		b = append(b, `,"min":`...)
		b = appendJSONValue(b, c.Min)
		b = append(b, `,"max":`...)
		b = appendJSONValue(b, c.Max)
		b = append(b, `,"mean":`...)
		if c.Mean == nil {
			b = append(b, "null"...)
		} else {
			b = appendJSONValue(b, *c.Mean)
		}
		b = append(b, '}')
	}
	if len(cols) > 0 {
		b = append(b, '\n')
	}
	b = append(b, "]\n"...)
	_, err := w.Write(b)
	return err
}
