package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	flag "github.com/spf13/pflag"

	"connector-dev/connectors"
	"connector-dev/harness"
	"connector-dev/tui"
)

func runCommand() *command {
	return &command{
		Name: "run",
		UsageLine: `run NAME [flags]
run DESTINATION --from-run RUN-ID [flags]`,
		Short: "run the job: source -> S3 -> destination",
		Long: `Runs source NAME with its job (fixtures/NAME/job.json unless --job), uploads
its rows to S3 in batches, then runs the destination the job names over them.
On a terminal it opens the live dashboard; with --ci, --json, CI=true or no
terminal it prints log lines. Every run keeps .connector-dev/runs/RUN-ID/
(report.json, run.log). Exit codes: 0 success/no_fail, 1 error, 2 unhandled,
3 setup, 4 expectation (the job's .expect.yaml did not hold), 124 timeout,
130 interrupted.
`,
		Shared: withState | withEndpoint,
		Flags:  func(fs *flag.FlagSet) func(*call) int { return runFlags(fs, false) },
	}
}

func checkCommand() *command {
	return &command{
		Name:      "check",
		UsageLine: "check NAME [flags]",
		Short:     "validate settings, credentials and the job; run nothing",
		Long: `Validates settings (.env), credentials (.env.credentials), connectors.yaml
and the job of source NAME, encrypts and decrypts its credentials as the
platform does, and resolves the date window. Starts and writes nothing.
Exit 0 when all is well, 3 with one line naming what to fix.
`,
		Flags: func(fs *flag.FlagSet) func(*call) int { return runFlags(fs, true) },
	}
}

// runOptions are the flags of run, and the few of them check has.
type runOptions struct {
	harness.Options
	checkOnly                      bool
	now, faultSpec, diff           string
	ci, json, record, replay, live bool
	prof                           profileFlags
}

// runFlags adds run's flags (check's, with checkOnly) to fs.
func runFlags(fs *flag.FlagSet, checkOnly bool) func(*call) int {
	o := &runOptions{checkOnly: checkOnly}
	fs.StringVar(&o.JobFile, "job", "", "job file (default fixtures/NAME/job.json)")
	fs.StringVar(&o.now, "now", "", "fix the clock (RFC 3339, e.g. 2026-01-31T12:00:00Z) for the date window and the connector")
	if !checkOnly {
		fs.BoolVar(&o.ci, "ci", false, "headless: plain log lines, no terminal UI (also when CI=true or without a terminal)")
		fs.BoolVar(&o.json, "json", false, "headless, one JSON event per line")
		fs.StringVar(&o.FromRun, "from-run", "", "run only the destination NAME over this earlier run's batches")
		fs.DurationVar(&o.Timeout, "timeout", 0, "stop the run after this long (e.g. 90s, 5m): exit 124")
		fs.BoolVar(&o.S3Memory, "s3-memory", false, "keep the embedded S3 in memory (batches are gone after the run)")
		fs.StringVar(&o.faultSpec, "faults", "", faultsUsage)
		fs.BoolVar(&o.record, "record", false, "talk to the real service and record a new cassette beside the job")
		fs.BoolVar(&o.replay, "replay", false, "serve HTTP from the job's cassette (the default when one exists)")
		fs.BoolVar(&o.live, "live", false, "talk to the real service without recording")
		fs.BoolVar(&o.Measure, "measure", false, "also measure the loaded rows' checksum, schema and a few sample rows into report.json (what test --update writes)")
		fs.StringVar(&o.diff, "diff", "", "after the run, show what changed since the job's previous run (--diff last); the exit code stays the run's")
		o.prof.add(fs)
	}
	return func(c *call) int { return runRun(c, o) }
}

func runRun(c *call, o *runOptions) int {
	fail := c.fail
	if o.json {
		// --json promises one JSON event per line: a setup error is one too,
		// on stdout, besides the line on stderr.
		fail = func(format string, a ...any) int {
			harness.PrintSetupError(c.Stdout, fmt.Sprintf(format, a...))
			return c.fail(format, a...)
		}
	}
	if c.fs.NArg() != 1 {
		return fail("name one connector, e.g. `connector-dev %s synthetic` (see `connector-dev list`)", c.cmd.Name)
	}
	opts := o.Options
	opts.Connector = c.fs.Arg(0)
	opts.Dir, opts.StateDir, opts.S3Endpoint, opts.Environ = c.dir, c.state(), c.s3Endpoint, c.Environ()
	if opts.Timeout < 0 {
		return fail("--timeout %s is negative: give how long the run may take, e.g. 5m", opts.Timeout)
	}
	spec, ferr := parseFaults(o.faultSpec)
	if ferr != nil {
		return fail("%v", ferr)
	}
	opts.Faults = spec
	if o.now != "" {
		t, err := time.Parse(time.RFC3339, o.now)
		if err != nil {
			return fail("--now %q is not RFC 3339: use e.g. 2026-01-31T12:00:00Z", o.now)
		}
		opts.Now = t
	}
	modes := 0
	for m, on := range map[string]bool{"record": o.record, "replay": o.replay, "live": o.live} {
		if on {
			modes++
			opts.HTTPMode = m
		}
	}
	if modes > 1 {
		return fail("--record, --replay and --live exclude each other: pick one")
	}
	if o.diff != "" && o.diff != "last" {
		return fail("--diff %q: the one form is --diff last (the job's previous run); for others use `connector-dev diff RUN-A RUN-B`", o.diff)
	}
	r, err := harness.Plan(opts)
	if err != nil {
		return fail("%v", err)
	}
	if o.checkOnly {
		for _, l := range r.Check() {
			fmt.Fprintln(c.Stdout, harness.SafeText(l))
		}
		fmt.Fprintln(c.Stdout, "check: ok")
		return 0
	}
	prof, err := o.prof.start(projectFiles(c.dir, r.JobFile()))
	if err != nil {
		return fail("%v", err)
	}
	defer prof.stop(c.Stderr)
	// Ctrl-C from here on stops the run, start-up included.
	ctx, stop := signalContext()
	defer stop()
	if err := r.Start(ctx); err != nil {
		if errors.Is(err, harness.ErrInterrupted) {
			fmt.Fprintln(c.Stderr, "interrupted")
			return connectors.Interrupted.Code()
		}
		return fail("%v", err)
	}
	defer r.Close()
	code := execute(ctx, r, c.state(), c.Stdout, c.Stderr, o.json, !c.headless(o.ci || o.json), tui.Options{NoColor: c.Getenv("NO_COLOR") != ""})
	if o.diff != "" && ctx.Err() == nil {
		diffLast(c, r.Info().RunID, o.json)
	}
	return code
}

// diffLast shows what changed between run id and the previous finished
// run of its job; it is shown, not judged: the run's code stands.
func diffLast(c *call, id string, jsonOut bool) {
	if !jsonOut {
		fmt.Fprintln(c.Stdout)
	}
	a, b, err := harness.DiffRuns(c.state(), []string{id})
	if err != nil {
		c.fail("--diff last: %v", err)
		return
	}
	diffReports(c, a, b, harness.DiffOptions{Limit: 10}, jsonOut, c.Stdout)
}

// execute runs r headless (plain or JSON lines on stdout) or in the
// dashboard, with the process's fd 1 and 2 captured into the run's log for
// the whole run: what a connector or a library prints becomes scrubbed log
// lines, and connector-dev's own output goes to the original descriptors.
func execute(ctx context.Context, r *harness.Run, stateDir string, stdout, stderr io.Writer, jsonOut, dashboard bool, topts tui.Options) int {
	// Restore closes the duplicates handed out as out.Stdout/out.Stderr:
	// whatever is written after it (the closing line, a Close error) goes
	// to the writers we were given, which are fds 1 and 2 again by then.
	origOut, origErr := stdout, stderr
	out, err := r.CaptureOutput()
	if err == nil {
		defer out.Restore()
		if f, ok := stdout.(*os.File); ok && f == os.Stdout {
			stdout = out.Stdout
		}
		if f, ok := stderr.(*os.File); ok && f == os.Stderr {
			stderr = out.Stderr
		}
	}
	restore := func() {
		if out != nil {
			out.Restore()
		}
		stdout, stderr = origOut, origErr
	}
	if !dashboard {
		p := harness.NewPrinter(stdout, jsonOut)
		rep := r.Execute(ctx, p)
		p.Close()
		restore()
		if err := r.Close(); err != nil {
			fmt.Fprintf(stderr, "connector-dev: %s\n", harness.SafeText(err.Error()))
		}
		return rep.ExitCode
	}
	var rep *harness.Report
	exec := func(ctx context.Context, sink harness.Sink) *harness.Report {
		rep = r.Execute(ctx, sink)
		return rep
	}
	if topts.Out == nil {
		topts.Out = stdout
	}
	code, err := tui.RunDashboard(ctx, r.Info(), r.Batches(), exec, topts)
	restore()
	if err != nil {
		fmt.Fprintf(stderr, "connector-dev: terminal UI: %s\n", harness.SafeText(err.Error()))
	}
	if err := r.Close(); err != nil {
		fmt.Fprintf(stderr, "connector-dev: %s\n", harness.SafeText(err.Error()))
	}
	if rep != nil {
		// The dashboard leaves the alternate screen: say what happened
		// where it stays, with the run id --from-run and inspect need.
		fmt.Fprintln(stdout, harness.Outcome(rep, stateDir))
	}
	return code
}
