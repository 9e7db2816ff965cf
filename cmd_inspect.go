package main

import (
	"context"
	"errors"
	"fmt"

	flag "github.com/spf13/pflag"

	"connector-dev/connectors"
	"connector-dev/harness"
	"connector-dev/tui"
)

func inspectCommand() *command {
	return &command{
		Name:      "inspect",
		UsageLine: "inspect [RUN-ID] [flags]",
		Short:     "browse the batches of past runs",
		Long: `Browses the batches of past runs (newest first). Without a terminal, or with
--ci: lists the runs, or RUN-ID's batches, or with --batch N prints that
batch's rows as csv or jsonl. With --summary: a summary of RUN-ID's columns
(type, rows, nulls, distinct values, min, max, mean), read one batch at a
time; distinct is exact up to 1,000,000 values a column, then estimated
(~ in the table, "distinct_estimated": true in --json).
`,
		Shared: withState | withEndpoint,
		Flags: func(fs *flag.FlagSet) func(*call) int {
			var o inspectFlags
			fs.IntVar(&o.batch, "batch", 0, "print the rows of batch N (1-based) of RUN-ID")
			fs.StringVar(&o.format, "format", "csv", "rows format with --batch: csv or jsonl")
			fs.BoolVar(&o.summary, "summary", false, "print a summary of RUN-ID's columns (with --batch N: of that batch)")
			fs.BoolVar(&o.json, "json", false, "with --summary: one JSON array, an object per column")
			fs.BoolVar(&o.ci, "ci", false, "print instead of opening the browser (also when CI=true or without a terminal)")
			return func(c *call) int { return runInspect(c, o) }
		},
	}
}

// inspectFlags are inspect's own flags.
type inspectFlags struct {
	batch   int
	format  string
	ci      bool
	summary bool
	json    bool
}

func runInspect(c *call, o inspectFlags) int {
	if c.fs.NArg() > 1 {
		return c.fail("give at most one RUN-ID")
	}
	if o.format != "csv" && o.format != "jsonl" {
		return c.fail("--format %q: use csv or jsonl", o.format)
	}
	runID := c.fs.Arg(0)
	if c.fs.Changed("batch") && o.batch < 1 {
		return c.fail("--batch %d: batches are numbered from 1 (run `connector-dev inspect RUN-ID --ci` for the list)", o.batch)
	}
	if o.summary && c.fs.Changed("format") {
		return c.fail("--format does not apply to --summary; use --json")
	}
	if o.batch != 0 && runID == "" {
		return c.fail("--batch needs a RUN-ID")
	}
	if o.json && !o.summary {
		return c.fail("--json goes with --summary (inspect RUN-ID --summary --json)")
	}
	if o.summary && runID == "" {
		return c.fail("--summary needs a RUN-ID (run `connector-dev inspect --ci` for the list)")
	}
	runs, err := harness.ListRuns(c.state())
	if err != nil {
		return c.fail("%v", err)
	}
	if runID == "" && c.headless(o.ci) {
		harness.WriteRuns(c.Stdout, runs)
		return 0
	}
	ctx, stop := signalContext()
	defer stop()
	past, err := harness.OpenPastRuns(ctx, c.dir, c.state(), c.Environ(), c.s3Endpoint)
	if errors.Is(err, harness.ErrInterrupted) {
		fmt.Fprintln(c.Stderr, "interrupted")
		return connectors.Interrupted.Code()
	}
	if err != nil {
		return c.fail("%v", err)
	}
	defer past.Close()
	if o.summary {
		return printColumnSummary(ctx, c, past, runID, o)
	}
	if c.headless(o.ci) || o.batch != 0 {
		// Rows go out exact (csv, jsonl) unless a terminal would act on them.
		w := c.Stdout
		if c.terminal(c.Stdout) {
			tw := harness.TerminalWriter(c.Stdout)
			defer tw.Flush()
			w = tw
		}
		if err := harness.Inspect(ctx, w, c.state(), past, runID, o.batch, o.format); err != nil {
			return c.fail("%v", err)
		}
		return 0
	}
	if runID != "" {
		keep := runs[:0]
		for _, r := range runs {
			if r.RunID == runID {
				keep = append(keep, r)
			}
		}
		if len(keep) == 0 {
			return c.fail("no run %s in %s (run `connector-dev inspect --ci` for the list)", runID, c.state())
		}
		runs = keep
	}
	err = tui.Inspect(ctx, runs, func(ctx context.Context, id string) (harness.BatchReader, error) {
		rep, err := harness.LoadReport(c.state(), id)
		if err != nil {
			return nil, err
		}
		return past.Reader(rep), nil
	}, tui.Options{NoColor: c.Getenv("NO_COLOR") != "", Diff: func(ctx context.Context, a, b string) (*harness.DiffResult, error) {
		// As `diff A B` with its defaults: the same checks (an incomplete
		// run is refused), the default key and --limit.
		ra, rb, err := harness.DiffRuns(c.state(), []string{a, b})
		if err != nil {
			return nil, err
		}
		return harness.Diff(ctx, c.state(), past, ra, rb, harness.DiffOptions{Limit: 10})
	}})
	if err != nil {
		return c.fail("%v", err)
	}
	return 0
}
