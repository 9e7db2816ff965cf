package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	flag "github.com/spf13/pflag"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// A command is one of connector-dev's commands, as cmd/go's base.Command:
// the usage listing, its --help, dispatch and the suggestion for a
// mistyped name all come from the table of them (commands), so a new
// command is one new entry and nothing else to keep in step.
type command struct {
	// Name is what the user types: "run".
	Name string
	// UsageLine is each form of the command, one a line, as --help shows
	// it after "connector-dev ": "run NAME [flags]". The first line, its
	// optional --flags left out, stands in the list of commands.
	UsageLine string
	// Short is the command's line in the list of commands.
	Short string
	// Long is its --help between the usage line(s) and the flags.
	Long string
	// Shared says which shared flags the command takes besides -C/--dir
	// (withState, withEndpoint), so --help lists nothing it ignores.
	Shared int
	// Flags adds the command's own flags to fs and returns its run
	// function, which the dispatcher calls once they are parsed. The flag
	// values live in the closure: each call has its own, and none is
	// package state (cmd/go's package-level flag variables are what this
	// replaces).
	Flags func(fs *flag.FlagSet) func(c *call) int
}

// commands is the table: the order is the order of the usage listing.
func commands() []*command {
	return []*command{listCommand(), checkCommand(), runCommand(), inspectCommand(), diffCommand(), s3Command(), pruneCommand(), suiteCommand(), newCommand()}
}

const usageHead = `connector-dev runs a compiled-in connector locally, as the platform would,
against an embedded fake S3, and shows it live.

Usage:
`

const usageTail = `
Run "connector-dev COMMAND --help" for a command's flags.
Exit codes: 0 success/no_fail, 1 error, 2 unhandled, 3 setup, 4 expectation,
124 timeout, 130 interrupted.
`

// writeUsage prints connector-dev's usage: one line per command of cmds.
func writeUsage(w io.Writer, cmds []*command) {
	lines := make([]string, len(cmds))
	width := 0
	for i, cmd := range cmds {
		lines[i] = cmd.synopsis()
		width = max(width, len(lines[i]))
	}
	fmt.Fprint(w, usageHead)
	for i, cmd := range cmds {
		fmt.Fprintf(w, "  connector-dev %-*s   %s\n", width, lines[i], cmd.Short)
	}
	fmt.Fprint(w, usageTail)
}

// synopsis is the first usage line without its optional --flags: the
// command's entry in the usage listing ("prune [flags]").
func (cmd *command) synopsis() string {
	s, _, _ := strings.Cut(cmd.UsageLine, "\n")
	for {
		i := strings.Index(s, " [--")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], "]")
		if j < 0 {
			return s
		}
		s = s[:i] + s[i+j+1:]
	}
}

// help is the head of the command's --help, before its flags.
func (cmd *command) help() string {
	forms := strings.Split(cmd.UsageLine, "\n")
	var b strings.Builder
	for i, f := range forms {
		if i == 0 {
			b.WriteString("Usage: connector-dev " + f + "\n")
		} else {
			b.WriteString("       connector-dev " + f + "\n")
		}
	}
	b.WriteString("\n" + cmd.Long)
	return b.String()
}

// call is one invocation of a command: its flags once parsed, the shared
// ones, and the process's Env.
type call struct {
	Env
	common
	cmd *command
	fs  *flag.FlagSet
}

// call parses args against the command's flags, enters --dir and runs it.
func (cmd *command) call(args []string, env Env) int {
	c, run := cmd.newCall(env)
	if code := c.parse(args); code >= 0 {
		return code
	}
	if err := c.enter(); err != nil {
		return c.fail("%v", err)
	}
	return run(c)
}

// newCall is a call of cmd with its flags defined, not yet parsed, and the
// function that runs it.
func (cmd *command) newCall(env Env) (*call, func(*call) int) {
	c := &call{Env: env, cmd: cmd, fs: flag.NewFlagSet(cmd.Name, flag.ContinueOnError)}
	run := cmd.Flags(c.fs)
	c.common.add(c.fs, cmd.Shared)
	return c, run
}

// fail is a command's way to fail: one line on stderr, exit 3 (setup).
func (c *call) fail(format string, a ...any) int {
	fmt.Fprintf(c.Stderr, "connector-dev %s: %s\n", c.cmd.Name, harness.SafeText(fmt.Sprintf(format, a...)))
	return connectors.Setup.Code()
}

// parse parses the command's flags; it returns a code >= 0 when the
// command is already done (--help, a bad flag).
func (c *call) parse(args []string) int {
	fs := c.fs
	fs.SetOutput(c.Stderr)
	fs.SortFlags = false
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(c.Stdout, "%s\nFlags:\n", c.cmd.help())
			fs.SetOutput(c.Stdout)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintf(c.Stderr, "connector-dev %s: %s\n", c.cmd.Name, harness.SafeText(flagError(fs, err)))
		return connectors.Setup.Code()
	}
	return -1
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
