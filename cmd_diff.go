package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	flag "github.com/spf13/pflag"

	"connector-dev/harness"
)

func diffCommand() *command {
	return &command{
		Name:      "diff",
		UsageLine: "diff [RUN-A] [RUN-B] [flags]",
		Short:     "what changed in the data between two runs",
		Long: `Compares the data two runs delivered, as each run's destination received it
(its own mapping applied): the runs, the schema (columns added, removed,
retyped, reordered) and the rows, matched by --key (default a column Id or
id when both runs have one, else whole rows as a multiset). With no run
named: the two latest finished runs of one job; with one: that run against
the previous finished run of its job. Exit 0 when data and schema are the
same, 1 when they differ, 3 when the comparison cannot be made.
`,
		Shared: withState | withEndpoint,
		Flags: func(fs *flag.FlagSet) func(*call) int {
			var o diffFlags
			fs.StringVar(&o.key, "key", "", "match rows by these columns (col[,col]); default Id or id, else whole rows")
			fs.IntVar(&o.limit, "limit", 10, "show the first N added, removed and changed rows")
			fs.BoolVar(&o.json, "json", false, "print the comparison as one JSON object")
			return func(c *call) int { return runDiff(c, o) }
		},
	}
}

// diffFlags are diff's own flags.
type diffFlags struct {
	key   string
	limit int
	json  bool
}

func runDiff(c *call, o diffFlags) int {
	if c.fs.NArg() > 2 {
		return c.fail("give at most two runs: diff [RUN-A] [RUN-B]")
	}
	if o.limit < 0 {
		return c.fail("--limit %d is negative: give how many rows of each kind to show, e.g. 10", o.limit)
	}
	opts := harness.DiffOptions{Limit: o.limit}
	if c.fs.Changed("key") {
		key, err := harness.ParseKey(o.key)
		if err != nil {
			return c.fail("%v", err)
		}
		opts.Key = key
	}
	a, b, err := harness.DiffRuns(c.state(), c.fs.Args())
	if err != nil {
		return c.fail("%v", err)
	}
	return diffReports(c, a, b, opts, o.json, c.Stdout)
}

// diffReports compares a and b and prints the result to w: 0 the same,
// 1 they differ, 3 it cannot be done (one line on stderr).
func diffReports(c *call, a, b *harness.Report, opts harness.DiffOptions, jsonOut bool, w io.Writer) int {
	ctx, stop := signalContext()
	defer stop()
	past, err := harness.OpenPastRuns(ctx, c.dir, c.state(), c.Environ(), c.s3Endpoint)
	if err != nil {
		return c.fail("%v", err)
	}
	defer past.Close()
	res, err := harness.Diff(ctx, c.state(), past, a, b, opts)
	if err != nil {
		var de *harness.DiffError
		if errors.As(err, &de) || ctx.Err() == nil {
			return c.fail("%v", err)
		}
		return c.fail("interrupted")
	}
	if jsonOut {
		out, err := json.Marshal(res)
		if err != nil {
			return c.fail("%v", err)
		}
		fmt.Fprintf(w, "%s\n", out)
	} else {
		var safe func(string) string
		if c.terminal(w) {
			safe = harness.SafeText
		}
		if err := harness.WriteDiff(w, res, safe); err != nil {
			return c.fail("%v", err)
		}
	}
	if res.Same {
		return 0
	}
	return 1
}
