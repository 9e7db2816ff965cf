package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	flag "github.com/spf13/pflag"

	"connector-dev/harness"
)

func pruneCommand() *command {
	return &command{
		Name:      "prune",
		UsageLine: "prune [--keep N] [--older-than DURATION] [flags]",
		Short:     "remove old runs and their batches (--keep N, --older-than 7d)",
		Long:      pruneHelp,
		Shared:    withState,
		Flags: func(fs *flag.FlagSet) func(*call) int {
			var opts harness.PruneOptions
			var olderThan, keep string
			fs.StringVar(&keep, "keep", "", "keep the `N` newest runs")
			fs.StringVar(&olderThan, "older-than", "", "remove runs older than `DURATION` (7d, 36h, 90m)")
			fs.StringVar(&opts.Job, "job", "", "only runs of job `NAME` (its ETLJobNM, as inspect lists it)")
			fs.BoolVar(&opts.DryRun, "dry-run", false, "list what would be removed; remove nothing")
			return func(c *call) int { return runPrune(c, opts, keep, olderThan) }
		},
	}
}

const pruneHelp = `Removes old runs from the state folder: each run's folder under runs/
(report.json, run.log) and its batches in the embedded S3 on disk (s3/),
and says how much space that freed. Give at least one rule; a run goes when
every rule given picks it:
  --keep N               keep the N newest runs (of all jobs, or of --job)
  --older-than DURATION  remove runs started longer ago (7d, 36h, 1d12h)
Runs without report.json (killed, incomplete) are dated by their folder.
Batches in an external S3 (--s3-endpoint, S3_ENDPOINT) are left there.
The SQLite warehouse (.connector-dev/warehouse.db) is not touched.
`

func runPrune(c *call, opts harness.PruneOptions, keep, olderThan string) int {
	if c.fs.NArg() > 0 {
		return c.fail("takes no arguments (got %q): use --keep N or --older-than DURATION", strings.Join(c.fs.Args(), " "))
	}
	opts.Keep = -1
	if keep != "" {
		n, err := strconv.Atoi(keep)
		if err != nil || n < 0 {
			return c.fail("--keep %q: give how many runs to keep, a whole number from 0", keep)
		}
		opts.Keep = n
	}
	if olderThan != "" {
		d, err := harness.ParseAge(olderThan)
		if err != nil {
			return c.fail("--older-than %v", err)
		}
		opts.OlderThan = d
	}
	ctx, stop := signalContext()
	defer stop()
	res, err := harness.Prune(ctx, c.state(), opts)
	if err != nil {
		return c.fail("%v", err)
	}
	writePrune(c.Stdout, res, c.state(), opts.DryRun)
	return 0
}

// writePrune prints the runs removed and what that freed.
func writePrune(w io.Writer, res *harness.PruneResult, state string, dry bool) {
	verb, freed := "removed", "freed"
	if dry {
		verb, freed = "would remove", "would free"
	}
	if len(res.Removed) == 0 {
		fmt.Fprintf(w, "nothing to prune in %s: %s kept\n", state, harness.Quantity(int64(res.Kept), "run", "runs"))
		return
	}
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', 0)
	for _, r := range res.Removed {
		job := r.Job
		if job == "" {
			job = "?"
		}
		note := ""
		if r.Incomplete {
			note = "incomplete"
		}
		if r.External != "" {
			note = "batches left in " + r.External
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", verb, r.RunID, job, r.Time.Local().Format("2006-01-02 15:04"),
			harness.HumanBytes(r.FolderBytes+r.S3Bytes), note)
	}
	tw.Flush()
	for _, l := range strings.SplitAfter(table.String(), "\n") {
		fmt.Fprint(w, strings.TrimRight(l, " \n")+strings.Repeat("\n", strings.Count(l, "\n")))
	}
	fmt.Fprintf(w, "%s %s, %s kept: %s %s (runs/ %s, embedded S3 %s)\n", verb, harness.Quantity(int64(len(res.Removed)), "run", "runs"),
		harness.Quantity(int64(res.Kept), "run", "runs"), freed, harness.HumanBytes(res.Freed()), harness.HumanBytes(res.FolderBytes), harness.HumanBytes(res.S3Bytes))
	for _, e := range res.External {
		fmt.Fprintf(w, "batches in the external S3 at %s are left alone: delete them there\n", e)
	}
}
