package harness

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteDiff prints a comparison for a person: the runs, the schema, the
// row counts, then the first rows of each kind. safe makes a text value
// fit to show (SafeText on a terminal; the identity elsewhere).
func WriteDiff(w io.Writer, res *DiffResult, safe func(string) string) error {
	if safe == nil {
		safe = func(s string) string { return s }
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, side := range []string{"a", "b"} {
		r := res.Runs[side]
		fmt.Fprintf(tw, "%s  %s  job %s  %s (exit %d)  started %s\n", side, safe(r.RunID), safe(r.Job), safe(r.Exit), r.ExitCode, safe(r.Started))
		for _, st := range r.Stages {
			fmt.Fprintf(tw, "   %s\t%s\t%s\t%s\t%s\n", st.Name, safe(st.Connector), rows(st.Rows), batches(st.Batches), HumanBytes(st.Bytes))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := res.Schema
	if len(s.Added)+len(s.Removed)+len(s.Changed)+len(s.Reordered) == 0 {
		fmt.Fprintln(w, "schema: the same")
	} else {
		var parts []string
		for _, p := range []struct {
			n    int
			word string
		}{{len(s.Added), "added"}, {len(s.Removed), "removed"}, {len(s.Changed), "retyped"}} {
			if p.n > 0 {
				parts = append(parts, fmt.Sprintf("%s %s", Quantity(int64(p.n), "column", "columns"), p.word))
			}
		}
		if len(s.Reordered) > 0 {
			parts = append(parts, "columns reordered")
		}
		fmt.Fprintf(w, "schema: %s\n", strings.Join(parts, ", "))
		for _, f := range s.Added {
			fmt.Fprintf(w, "  + %s %s\n", safe(f.Name), typeWord(f))
		}
		for _, f := range s.Removed {
			fmt.Fprintf(w, "  - %s %s\n", safe(f.Name), typeWord(f))
		}
		for _, c := range s.Changed {
			fmt.Fprintf(w, "  ~ %s %s -> %s\n", safe(c.Name), typeWord(c.A), typeWord(c.B))
		}
		if len(s.Reordered) > 0 {
			fmt.Fprintf(w, "  order in b: %s\n", safe(strings.Join(s.Reordered, ", ")))
		}
	}
	by := "whole rows (no key: pass --key COLUMN to match rows by it)"
	if res.Key != nil {
		by = "key " + safe(strings.Join(res.Key, ","))
	}
	n := res.Rows
	fmt.Fprintf(w, "rows by %s: %s in a, %s in b: %s added, %s removed, %s changed\n", by, Number(n.A), Number(n.B), Number(n.Added), Number(n.Removed), Number(n.Changed))
	if len(res.Cols) > 0 {
		var parts []string
		for _, c := range res.common {
			if k := res.Cols[c]; k > 0 {
				parts = append(parts, fmt.Sprintf("%s %s", safe(c), Number(k)))
			}
		}
		fmt.Fprintf(w, "  changed columns: %s\n", strings.Join(parts, ", "))
	}
	if len(res.Sample.Added) > 0 {
		fmt.Fprintf(w, "added (first %s):\n", Number(int64(len(res.Sample.Added))))
		for _, r := range res.Sample.Added {
			fmt.Fprintf(w, "  + %s\n", rowText(r, safe))
		}
	}
	if len(res.Sample.Removed) > 0 {
		fmt.Fprintf(w, "removed (first %s):\n", Number(int64(len(res.Sample.Removed))))
		for _, r := range res.Sample.Removed {
			fmt.Fprintf(w, "  - %s\n", rowText(r, safe))
		}
	}
	if len(res.Sample.Changed) > 0 {
		fmt.Fprintf(w, "changed (first %s), a -> b:\n", Number(int64(len(res.Sample.Changed))))
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, c := range res.Sample.Changed {
			fmt.Fprintf(tw, "  ~ %s\n", rowText(c.Key, safe))
			for _, f := range c.Fields {
				fmt.Fprintf(tw, "      %s\t%s\t->\t%s\n", safe(f.Column), safe(valueText(f.A)), safe(valueText(f.B)))
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	verdict := "differ"
	if res.Same {
		verdict = "the same data and schema"
	}
	_, err := fmt.Fprintf(w, "%s and %s: %s\n", safe(res.A), safe(res.B), verdict)
	return err
}

func typeWord(f SchemaField) string {
	if f.Nullable {
		return f.Type + " (nullable)"
	}
	return f.Type
}

// valueText is one value as jsonl would write it (strings quoted).
func valueText(v any) string { return string(appendJSONValue(nil, v)) }

func rowText(r DiffRow, safe func(string) string) string {
	parts := make([]string, len(r))
	for i, c := range r {
		parts[i] = c.Column + "=" + valueText(c.Value)
	}
	return safe(strings.Join(parts, " "))
}
