package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
	"time"

	"connector-dev/connectors"
	"connector-dev/harness/codec"
	"connector-dev/harness/config"
)

// Suggest returns ` (did you mean "x"?)` for the candidate nearest to s, or "".
func Suggest(s string, candidates []string) string {
	if n := config.Nearest(s, candidates); n != "" {
		return fmt.Sprintf(" (did you mean %q?)", n)
	}
	return ""
}

// WriteRuns prints past runs, newest first: the script form of `inspect`.
func WriteRuns(w io.Writer, runs []Report) {
	if len(runs) == 0 {
		fmt.Fprintln(w, "no runs yet: `connector-dev run NAME` makes one")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTARTED\tJOB\tCONNECTOR\tEXIT\tCODE\tROWS\tBATCHES\tSECONDS")
	for _, r := range runs {
		// Rows and batches of one stage, the first: what the run stored
		// (the source's uploads, which inspect browses), not the rows of
		// one stage beside the batches of another. A load that failed or
		// was cut rolled its rows back; the batches stay.
		var rowsN, batches int64
		if len(r.Stages) > 0 {
			rowsN, batches = r.Stages[0].Rows, r.Stages[0].Batches
		}
		code := strconv.Itoa(r.ExitCode)
		if r.Incomplete() {
			code = "-"
		}
		rows, nb, secs := Number(rowsN), Number(batches), fmt.Sprintf("%.2f", r.Seconds)
		if r.Incomplete() && r.Manifest == "" {
			// Nothing records these counts yet: 0 would be a claim.
			rows, nb, secs = "-", "-", "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", SafeText(r.RunID), SafeText(r.Started), SafeText(r.Job), SafeText(r.Connector), SafeText(string(r.Exit.Reason)), code, rows, nb, secs)
	}
	tw.Flush()
	for _, r := range runs {
		if note := r.CrashNote(); note != "" {
			fmt.Fprintf(w, "run %s: %s\n", SafeText(r.RunID), SafeText(note))
		}
	}
}

// Inspect prints one run's batches (batch 0) or one batch's rows as csv or
// jsonl: the script form of `inspect RUN [--batch N]`.
func Inspect(ctx context.Context, w io.Writer, stateDir string, past *PastRuns, runID string, batch int, format string) error {
	rep, err := LoadReport(stateDir, runID)
	if err != nil {
		return err
	}
	if rep.S3Memory {
		return fmt.Errorf("run %s used --s3-memory: its batches were gone when it ended", runID)
	}
	if rep.Incomplete() && rep.Manifest == "" {
		return fmt.Errorf("run %s is incomplete: %s; its batches are not known", runID, rep.Exit.Message)
	}
	// The batches are the ones the manifest (or, for older runs, the
	// report) lists, never whatever a LIST of the prefix finds: a PUT cut
	// off by Ctrl-C may have landed, and it is not data.
	objs := rep.Batches
	if batch == 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "BATCH\tKEY\tROWS\tBYTES\tFORMAT")
		for _, b := range objs {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\n", b.Index, SafeText(b.Key), b.Rows, b.Bytes, SafeText(formatOf(b.Key)))
		}
		return tw.Flush()
	}
	var key string
	for _, b := range objs {
		if b.Index == batch {
			key = b.Key
		}
	}
	if key == "" {
		return fmt.Errorf("run %s has no batch %d (it has %d)", runID, batch, len(objs))
	}
	f, _, err := past.Reader(rep).ReadBatch(ctx, key)
	if err != nil {
		return err
	}
	return WriteFrame(w, f, format)
}

// WriteFrame prints a frame as csv (the CSV batch codec's form) or jsonl
// (one object per row, keys in column order, nulls as null).
func WriteFrame(w io.Writer, f *connectors.Frame, format string) error {
	if format == "csv" {
		c, err := codec.ByName("csv")
		if err != nil {
			return err
		}
		b, err := c.Encode(nil, f)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	bw := bufio.NewWriter(w)
	cols := f.Columns()
	names := make([][]byte, len(cols))
	for i, c := range cols {
		names[i], _ = json.Marshal(c.Name)
	}
	var line []byte
	for r := 0; r < f.Len(); r++ {
		line = append(line[:0], '{')
		for i, c := range cols {
			if i > 0 {
				line = append(line, ',')
			}
			line = append(line, names[i]...)
			line = append(line, ':')
			line = appendJSONValue(line, c.Value(r))
		}
		line = append(line, '}', '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func appendJSONValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.AppendQuote(b, strconv.FormatFloat(x, 'g', -1, 64))
		}
		// As JavaScript prints numbers: no exponent for ordinary magnitudes.
		if a := math.Abs(x); a == 0 || (a >= 1e-6 && a < 1e21) {
			return strconv.AppendFloat(b, x, 'f', -1, 64)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case time.Time:
		return strconv.AppendQuote(b, x.UTC().Format(codec.TimeLayout))
	default:
		j, _ := json.Marshal(x)
		return append(b, j...)
	}
}
