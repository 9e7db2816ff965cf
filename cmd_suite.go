package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	flag "github.com/spf13/pflag"

	"connector-dev/connectors"
	"connector-dev/harness"
)

func suiteCommand() *command {
	return &command{
		Name:      "test",
		UsageLine: "test [NAME...] [flags]",
		Short:     "run every fixture job as a test, in parallel",
		Long: `Runs every fixture job (fixtures/*/*.json holding ETLJobNM), or those of the
connectors NAME..., or the --job files, each in its own process with its own
state folder, in-memory S3 and temporary warehouse, cassettes replayed, the
job's expectations applied. A fixture passes when its expectations hold
(without expectations: when its run succeeds). A fixture whose destination is
an external server (postgres) is skipped unless --external. Prints a line per
fixture and a summary. Exit 0 when all pass, 4 when any fails, 3 for a setup
problem of the suite (unknown connector, no fixtures, bad flags).
`,
		Flags: suiteFlags,
	}
}

// suiteOptions are the flags of test.
type suiteOptions struct {
	jobs     []string
	parallel int
	shard    string
	external bool
	json     bool
	junit    string
	repeat   int
	update   bool
}

func suiteFlags(fs *flag.FlagSet) func(*call) int {
	o := &suiteOptions{}
	fs.StringArrayVar(&o.jobs, "job", nil, "run this job file (repeatable) instead of finding fixtures")
	fs.IntVarP(&o.parallel, "jobs", "j", runtime.NumCPU(), "run this many fixtures at once")
	fs.StringVar(&o.shard, "shard", "", "run only shard K of N (K/N, 1-based): every Nth fixture, for a CI matrix")
	fs.BoolVar(&o.external, "external", false, "also run fixtures whose destination is an external server (postgres), with its settings")
	fs.BoolVar(&o.json, "json", false, "one JSON event per fixture, and a summary")
	fs.StringVar(&o.junit, "junit", "", "also write a JUnit XML report to this file")
	fs.BoolVar(&o.update, "update", false, "rewrite the expectation files of the fixtures run from what happened (exit, rows, batches, rows_checksum, schema, samples), creating missing ones, printing each change")
	fs.IntVar(&o.repeat, "repeat", 1, "run each fixture this many times; every repetition must load the same rows (their rows checksum)")
	return func(c *call) int { return runSuite(c, o) }
}

// fixture is one job file of the suite.
type fixture struct {
	Path      string // as the user sees it, relative to the project folder
	Source    string // SourceConnectorNM: what `run` is given
	Dest      string // DestinationConnectorNM
	Connector string // the fixtures/ folder it is in (the JUnit classname)
}

// parseShard reads --shard "K/N": shard K (1..N) of N.
func parseShard(s string) (k, n int, err error) {
	ks, ns, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, fmt.Errorf("--shard %q: give K/N, e.g. 1/3 (shard 1 of 3)", s)
	}
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return 0, 0, fmt.Errorf("--shard %q: K and N are whole numbers with 1 <= K <= N, e.g. 1/3", s)
	}
	return k, n, nil
}

// shardOf keeps every Nth fixture, starting at the Kth: the fixtures are
// sorted first, so every machine of a matrix splits the same list.
func shardOf(fx []fixture, k, n int) []fixture {
	var out []fixture
	for i, f := range fx {
		if i%n == k-1 {
			out = append(out, f)
		}
	}
	return out
}

// findFixtures lists the fixture jobs under fixtures/ (of names, when given):
// every *.json holding an ETLJobNM, sorted by path.
func findFixtures(names []string) ([]fixture, error) {
	dirs := names
	if len(dirs) == 0 {
		entries, err := os.ReadDir("fixtures")
		if err != nil {
			return nil, fmt.Errorf("no fixtures: %w (run in a project folder or give -C DIR)", err)
		}
		for _, e := range entries {
			if e.IsDir() {
				dirs = append(dirs, e.Name())
			}
		}
	}
	var out []fixture
	for _, d := range dirs {
		files, err := filepath.Glob(filepath.Join("fixtures", d, "*.json"))
		if err != nil {
			return nil, fmt.Errorf("fixtures/%s: %w", d, err)
		}
		for _, f := range files {
			fx, ok, err := readFixture(f)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, fx)
			}
		}
	}
	slices.SortFunc(out, func(a, b fixture) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// readFixture reads the connector names of a job file; ok is false for a
// JSON file that is not a job (no ETLJobNM).
func readFixture(path string) (fixture, bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return fixture{}, false, fmt.Errorf("job %s: %w", path, err)
	}
	var j struct {
		ETLJobNM               *string
		SourceConnectorNM      string
		DestinationConnectorNM string
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return fixture{}, false, fmt.Errorf("job %s: not JSON: %v", path, err)
	}
	if j.ETLJobNM == nil {
		return fixture{}, false, nil
	}
	conn := filepath.Base(filepath.Dir(path))
	return fixture{Path: filepath.ToSlash(path), Source: j.SourceConnectorNM, Dest: j.DestinationConnectorNM, Connector: conn}, true, nil
}

func runSuite(c *call, o *suiteOptions) int {
	if err := harness.NeedProject("."); err != nil {
		return c.fail("%v", err)
	}
	for _, name := range c.fs.Args() {
		if _, ok := connectors.Lookup(name); !ok {
			var names []string
			for _, r := range connectors.Registered() {
				names = append(names, r.Name)
			}
			return c.fail("unknown connector %q%s (connectors: %s)", name, harness.Suggest(name, names), strings.Join(names, ", "))
		}
	}
	if o.repeat < 1 {
		return c.fail("--repeat %d: run each fixture at least once", o.repeat)
	}
	if o.parallel < 1 {
		return c.fail("-j %d: run at least 1 fixture at a time", o.parallel)
	}
	if o.junit != "" {
		// Checked before any fixture runs: finding out at the end would
		// cost the whole suite and replace its exit code with 3.
		if err := checkWritable(o.junit); err != nil {
			return c.fail("--junit %s: %v", o.junit, err)
		}
	}
	var fx []fixture
	if len(o.jobs) > 0 {
		if c.fs.NArg() > 0 {
			return c.fail("give connector names or --job files, not both")
		}
		for _, j := range o.jobs {
			f, ok, err := readFixture(j)
			if err != nil {
				return c.fail("%v", err)
			}
			if !ok {
				return c.fail("--job %s: not a job (it has no ETLJobNM)", j)
			}
			fx = append(fx, f)
		}
	} else {
		var err error
		if fx, err = findFixtures(c.fs.Args()); err != nil {
			return c.fail("%v", err)
		}
	}
	if o.shard != "" {
		k, n, err := parseShard(o.shard)
		if err != nil {
			return c.fail("%v", err)
		}
		fx = shardOf(fx, k, n)
	}
	if len(fx) == 0 {
		return c.fail("no fixtures to run (fixture jobs are fixtures/NAME/*.json with an ETLJobNM)")
	}
	self, err := os.Executable()
	if err != nil {
		return c.fail("find connector-dev's own binary: %v", err)
	}
	proj, err := filepath.Abs(".")
	if err != nil {
		return c.fail("%v", err)
	}
	s := &suite{self: self, project: proj, env: c.Env, opts: o}
	results := s.runAll(fx)
	sum := summarize(results)
	s.printSummary(sum)
	unresolved := sum.failed
	if o.update {
		unresolved = s.updateAll(results)
	}
	if o.junit != "" {
		if err := writeJUnit(o.junit, results, sum); err != nil {
			return c.fail("--junit %s: %v", o.junit, err)
		}
	}
	if unresolved > 0 {
		return connectors.Expectation.Code()
	}
	return 0
}

// checkWritable says whether a file can be written at path, without
// changing an existing one: it opens it for writing without truncating,
// and removes it again when it did not exist.
func checkWritable(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return errors.New("is a folder: name a file, e.g. " + filepath.Join(path, "junit.xml"))
	}
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("cannot create it (%v): name a file in a folder that exists and that you can write", pathless(err))
	}
	f.Close()
	if statErr != nil {
		os.Remove(path)
	}
	return nil
}
