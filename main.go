// Command connector-dev runs a compiled-in ETL connector locally, exactly as
// the platform would, against an embedded fake S3, and shows it live in a
// terminal UI (or headless with --ci).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
	flag "github.com/spf13/pflag"

	"connector-dev/connectors"
	_ "connector-dev/connectors/all" // what "compiled-in" means
	"connector-dev/harness"
	"connector-dev/tui"
)

const usage = `connector-dev runs a compiled-in connector locally, as the platform would,
against an embedded fake S3, and shows it live.

Usage:
  connector-dev list                       compiled-in connectors: kind, credentials, env
  connector-dev check NAME [flags]         validate settings, credentials and the job; run nothing
  connector-dev run NAME [flags]           run the job: source -> S3 -> destination
  connector-dev inspect [RUN-ID] [flags]   browse the batches of past runs
  connector-dev s3 [flags]                 serve the embedded S3 alone (for aws-cli, boto3, benchmarks)
  connector-dev prune [flags]              remove old runs and their batches (--keep N, --older-than 7d)

Run "connector-dev COMMAND --help" for a command's flags.
Exit codes: 0 success/no_fail, 1 error, 2 unhandled, 3 setup, 4 expectation,
124 timeout, 130 interrupted.
`

func main() {
	// A run holds a few batches at a time; collecting at 50% growth instead
	// of Go's 100% keeps peak memory near that working set (measured in
	// README) for a few percent of CPU. GOGC set in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "list":
		return cmdList(rest, stdout, stderr)
	case "check":
		return cmdRun(rest, stdout, stderr, true)
	case "run":
		return cmdRun(rest, stdout, stderr, false)
	case "inspect":
		return cmdInspect(rest, stdout, stderr)
	case "s3":
		return cmdS3(rest, stdout, stderr)
	case "prune":
		return cmdPrune(rest, stdout, stderr)
	}
	fmt.Fprintf(stderr, "connector-dev: unknown command %q%s (commands: list, check, run, inspect, s3, prune)\n", cmd, harness.Suggest(cmd, []string{"list", "check", "run", "inspect", "s3", "prune"}))
	return connectors.Setup.Code()
}

// common holds the flags several commands share; each command adds only
// the ones it uses, so --help lists nothing that is ignored.
type common struct {
	dir, stateDir, s3Endpoint string
}

const (
	withState    = 1 << iota // --state-dir
	withEndpoint             // --s3-endpoint
)

func (c *common) add(fs *flag.FlagSet, which int) {
	fs.StringVarP(&c.dir, "dir", "C", ".", "run as if started in this folder (it holds .env, connectors.yaml, fixtures/)")
	if which&withState != 0 {
		fs.StringVar(&c.stateDir, "state-dir", "", "state folder for runs and the embedded S3 (default .connector-dev)")
	}
	if which&withEndpoint != 0 {
		fs.StringVar(&c.s3Endpoint, "s3-endpoint", "", "use this S3 (http(s)://host:port) instead of the embedded one; overrides S3_ENDPOINT")
	}
}

func (c *common) state() string {
	if c.stateDir != "" {
		return c.stateDir
	}
	return ".connector-dev"
}

// enter changes to --dir, so that every relative path (fixtures, the state
// folder, a SQLite file named in credentials) means the same as when
// connector-dev is started there, as with make -C and git -C.
func (c *common) enter() error {
	if c.dir == "." || c.dir == "" {
		return nil
	}
	if err := os.Chdir(c.dir); err != nil {
		return fmt.Errorf("--dir: %w", err)
	}
	c.dir = "."
	return nil
}

// commandHelp is the head of each command's --help.
var commandHelp = map[string]string{
	"list": `Usage: connector-dev list [flags]

Lists the compiled-in connectors with the kind, credentials (and the
variable each comes from) and env settings connectors.yaml gives them.
`,
	"check": `Usage: connector-dev check NAME [flags]

Validates settings (.env), credentials (.env.credentials), connectors.yaml
and the job of source NAME, encrypts and decrypts its credentials as the
platform does, and resolves the date window. Starts and writes nothing.
Exit 0 when all is well, 3 with one line naming what to fix.
`,
	"run": `Usage: connector-dev run NAME [flags]
       connector-dev run DESTINATION --from-run RUN-ID [flags]

Runs source NAME with its job (fixtures/NAME/job.json unless --job), uploads
its rows to S3 in batches, then runs the destination the job names over them.
On a terminal it opens the live dashboard; with --ci, --json, CI=true or no
terminal it prints log lines. Every run keeps .connector-dev/runs/RUN-ID/
(report.json, run.log). Exit codes: 0 success/no_fail, 1 error, 2 unhandled,
3 setup, 4 expectation (the job's .expect.yaml did not hold), 124 timeout,
130 interrupted.
`,
	"inspect": `Usage: connector-dev inspect [RUN-ID] [flags]

Browses the batches of past runs (newest first). Without a terminal, or with
--ci: lists the runs, or RUN-ID's batches, or with --batch N prints that
batch's rows as csv or jsonl.
`,
	"prune": pruneHelp,
	"s3": `Usage: connector-dev s3 [flags]

Serves the embedded S3 alone, over the state folder, with the S3_* settings'
keys, until Ctrl-C: point aws-cli or boto3 at it to look at batches.
`,
}

// start parses a command's flags and enters --dir. It returns the
// command's way to fail (one line on stderr, exit 3), and a code >= 0 when
// the command is already done (--help, a bad flag).
func start(fs *flag.FlagSet, c *common, args []string, stdout, stderr io.Writer) (func(string, ...any) int, int) {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "connector-dev %s: %s\n", fs.Name(), harness.SafeText(fmt.Sprintf(format, a...)))
		return connectors.Setup.Code()
	}
	if code := parse(fs, args, stdout, stderr); code >= 0 {
		return fail, code
	}
	if err := c.enter(); err != nil {
		return fail, fail("%v", err)
	}
	return fail, -1
}

// parse parses a command's flags; it returns a code >= 0 when the command is done.
func parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) int {
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, "%s\nFlags:\n", commandHelp[fs.Name()])
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "connector-dev %s: %s\n", fs.Name(), harness.SafeText(flagError(fs, err)))
		return connectors.Setup.Code()
	}
	return -1
}

func cmdList(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	var c common
	c.add(fs, 0)
	fail, code := start(fs, &c, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	lines, err := harness.ListConnectors(c.dir, os.Environ())
	if err != nil {
		return fail("%v", err)
	}
	fmt.Fprint(stdout, strings.Join(lines, "\n")+"\n")
	return 0
}

func cmdRun(args []string, stdout, stderr io.Writer, checkOnly bool) int {
	name := "run"
	if checkOnly {
		name = "check"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var c common
	var opts harness.Options
	var now, faultSpec string
	var ci, jsonOut, record, replay, live bool
	fs.StringVar(&opts.JobFile, "job", "", "job file (default fixtures/NAME/job.json)")
	fs.StringVar(&now, "now", "", "fix the clock (RFC 3339, e.g. 2026-01-31T12:00:00Z) for the date window and the connector")
	if !checkOnly {
		fs.BoolVar(&ci, "ci", false, "headless: plain log lines, no terminal UI (also when CI=true or without a terminal)")
		fs.BoolVar(&jsonOut, "json", false, "headless, one JSON event per line")
		fs.StringVar(&opts.FromRun, "from-run", "", "run only the destination NAME over this earlier run's batches")
		fs.DurationVar(&opts.Timeout, "timeout", 0, "stop the run after this long (e.g. 90s, 5m): exit 124")
		fs.BoolVar(&opts.S3Memory, "s3-memory", false, "keep the embedded S3 in memory (batches are gone after the run)")
		fs.StringVar(&faultSpec, "faults", "", faultsUsage)
	}
	if !checkOnly {
		fs.BoolVar(&record, "record", false, "talk to the real service and record a new cassette beside the job")
		fs.BoolVar(&replay, "replay", false, "serve HTTP from the job's cassette (the default when one exists)")
		fs.BoolVar(&live, "live", false, "talk to the real service without recording")
		c.add(fs, withState|withEndpoint)
	} else {
		c.add(fs, 0)
	}
	fail, code := start(fs, &c, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if jsonOut {
		// --json promises one JSON event per line: a setup error is one too,
		// on stdout, besides the line on stderr.
		plain := fail
		fail = func(format string, a ...any) int {
			harness.PrintSetupError(stdout, fmt.Sprintf(format, a...))
			return plain(format, a...)
		}
	}
	if fs.NArg() != 1 {
		return fail("name one connector, e.g. `connector-dev %s synthetic` (see `connector-dev list`)", name)
	}
	opts.Connector = fs.Arg(0)
	opts.Dir, opts.StateDir, opts.S3Endpoint, opts.Environ = c.dir, c.state(), c.s3Endpoint, os.Environ()
	if opts.Timeout < 0 {
		return fail("--timeout %s is negative: give how long the run may take, e.g. 5m", opts.Timeout)
	}
	spec, ferr := parseFaults(faultSpec)
	if ferr != nil {
		return fail("%v", ferr)
	}
	opts.Faults = spec
	if now != "" {
		t, err := time.Parse(time.RFC3339, now)
		if err != nil {
			return fail("--now %q is not RFC 3339: use e.g. 2026-01-31T12:00:00Z", now)
		}
		opts.Now = t
	}
	modes := 0
	for m, on := range map[string]bool{"record": record, "replay": replay, "live": live} {
		if on {
			modes++
			opts.HTTPMode = m
		}
	}
	if modes > 1 {
		return fail("--record, --replay and --live exclude each other: pick one")
	}
	r, err := harness.Plan(opts)
	if err != nil {
		return fail("%v", err)
	}
	if checkOnly {
		for _, l := range r.Check() {
			fmt.Fprintln(stdout, harness.SafeText(l))
		}
		fmt.Fprintln(stdout, "check: ok")
		return 0
	}
	if err := r.Start(context.Background()); err != nil {
		return fail("%v", err)
	}
	defer r.Close()
	ctx, stop := signalContext()
	defer stop()
	return execute(ctx, r, c.state(), stdout, stderr, jsonOut, !headless(ci || jsonOut), tui.Options{NoColor: os.Getenv("NO_COLOR") != ""})
}

// execute runs r headless (plain or JSON lines on stdout) or in the
// dashboard, with the process's fd 1 and 2 captured into the run's log for
// the whole run: what a connector or a library prints becomes scrubbed log
// lines, and connector-dev's own output goes to the original descriptors.
func execute(ctx context.Context, r *harness.Run, stateDir string, stdout, stderr io.Writer, jsonOut, dashboard bool, topts tui.Options) int {
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

func cmdInspect(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	var c common
	var batch int
	var format string
	var ci bool
	fs.IntVar(&batch, "batch", 0, "print the rows of batch N (1-based) of RUN-ID")
	fs.StringVar(&format, "format", "csv", "rows format with --batch: csv or jsonl")
	fs.BoolVar(&ci, "ci", false, "print instead of opening the browser (also when CI=true or without a terminal)")
	c.add(fs, withState|withEndpoint)
	fail, code := start(fs, &c, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if fs.NArg() > 1 {
		return fail("give at most one RUN-ID")
	}
	if format != "csv" && format != "jsonl" {
		return fail("--format %q: use csv or jsonl", format)
	}
	runID := fs.Arg(0)
	if batch != 0 && runID == "" {
		return fail("--batch needs a RUN-ID")
	}
	runs, err := harness.ListRuns(c.state())
	if err != nil {
		return fail("%v", err)
	}
	if runID == "" && headless(ci) {
		harness.WriteRuns(stdout, runs)
		return 0
	}
	past, err := harness.OpenPastRuns(context.Background(), c.dir, c.state(), os.Environ(), c.s3Endpoint)
	if err != nil {
		return fail("%v", err)
	}
	defer past.Close()
	ctx, stop := signalContext()
	defer stop()
	if headless(ci) || batch != 0 {
		// Rows go out exact (csv, jsonl) unless a terminal would act on them.
		w := stdout
		if f, ok := stdout.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			tw := harness.TerminalWriter(stdout)
			defer tw.Flush()
			w = tw
		}
		if err := harness.Inspect(ctx, w, c.state(), past, runID, batch, format); err != nil {
			return fail("%v", err)
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
			return fail("no run %s in %s (run `connector-dev inspect --ci` for the list)", runID, c.state())
		}
		runs = keep
	}
	err = tui.Inspect(ctx, runs, func(ctx context.Context, id string) (harness.BatchReader, error) {
		rep, err := harness.LoadReport(c.state(), id)
		if err != nil {
			return nil, err
		}
		return past.Reader(rep), nil
	}, tui.Options{NoColor: os.Getenv("NO_COLOR") != ""})
	if err != nil {
		return fail("%v", err)
	}
	return 0
}

func cmdS3(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("s3", flag.ContinueOnError)
	var c common
	var addr, faultSpec string
	var memory bool
	fs.StringVar(&addr, "addr", "127.0.0.1:0", "listen address on loopback (port 0 picks a free one)")
	fs.BoolVar(&memory, "s3-memory", false, "keep objects in memory instead of the state folder")
	fs.StringVar(&faultSpec, "faults", "", faultsUsage)
	c.add(fs, withState)
	fail, code := start(fs, &c, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	// The keys are the committed development ones unless .env says
	// otherwise: never serve them beyond this machine.
	if host, _, err := net.SplitHostPort(addr); err != nil || !isLoopback(host) {
		return fail("--addr %q: give a loopback host and a port, e.g. 127.0.0.1:9000", addr)
	}
	spec, err := parseFaults(faultSpec)
	if err != nil {
		return fail("%v", err)
	}
	ctx, stop := signalContext()
	defer stop()
	err = harness.ServeS3(ctx, c.state(), addr, memory, os.Environ(), spec, func(url, storage, bucket string) {
		fmt.Fprintf(stdout, "S3 at %s (%s), bucket %s, keys from S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY; Ctrl-C stops it\n", url, storage, bucket)
	}, func(msg string) { fmt.Fprintln(stdout, msg) })
	if err != nil {
		return fail("%v", err)
	}
	return 0
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// headless is true with --ci, CI=true, or when stdin or stdout is not a terminal.
func headless(flagged bool) bool {
	if flagged {
		return true
	}
	if v := strings.ToLower(os.Getenv("CI")); v == "true" || v == "1" {
		return true
	}
	return !isatty.IsTerminal(os.Stdout.Fd()) || !isatty.IsTerminal(os.Stdin.Fd())
}

// signalContext is cancelled with harness.ErrInterrupted on Ctrl-C or
// SIGTERM; a second signal exits at once.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			cancel(harness.ErrInterrupted)
		case <-done:
			return
		}
		select {
		case <-sigs:
			os.Exit(connectors.Interrupted.Code())
		case <-done:
		}
	}()
	return ctx, func() { signal.Stop(sigs); close(done); cancel(nil) }
}
