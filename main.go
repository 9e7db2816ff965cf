// Command connector-dev runs a compiled-in ETL connector locally, exactly as
// the platform would, against an embedded fake S3, and shows it live in a
// terminal UI (or headless with --ci).
//
// Each command is one entry of the table in commands.go (its usage, help,
// flags and run function, in its own cmd_*.go file); usage, --help,
// dispatch and "did you mean" are all derived from that table.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/mattn/go-isatty"

	"connector-dev/connectors"
	_ "connector-dev/connectors/all" // what "compiled-in" means
	"connector-dev/harness"
)

// Env is what a command takes from its process: the output streams, the
// environment and whether it talks to a terminal. main passes the real
// ones; a test passes its own, so that none has to change the process's
// environment (CI=true) to get headless output.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv and Environ read the environment, as os.Getenv and os.Environ.
	Getenv  func(key string) string
	Environ func() []string
	// IsTerminal reports whether the file descriptor is a terminal.
	IsTerminal func(fd uintptr) bool
}

// processEnv is the Env of this process.
func processEnv() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Environ: os.Environ, IsTerminal: isatty.IsTerminal}
}

// terminal reports whether stream (Stdin, Stdout) is a file on a terminal.
func (e Env) terminal(stream any) bool {
	f, ok := stream.(interface{ Fd() uintptr })
	return ok && e.IsTerminal != nil && e.IsTerminal(f.Fd())
}

// headless is true with --ci, CI=true, or when stdin or stdout is not a terminal.
func (e Env) headless(flagged bool) bool {
	if flagged {
		return true
	}
	if v := strings.ToLower(e.Getenv("CI")); v == "true" || v == "1" {
		return true
	}
	return !e.terminal(e.Stdout) || !e.terminal(e.Stdin)
}

func main() {
	// A run holds a few batches at a time; collecting at 50% growth instead
	// of Go's 100% keeps peak memory near that working set (measured in
	// README) for a few percent of CPU. GOGC set in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		tuneMemoryLimit()
	}
	os.Exit(run(os.Args[1:], processEnv()))
}

// run is connector-dev with its arguments (without the program name): it
// finds the command in the table and runs it, and returns the exit code.
func run(args []string, env Env) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		writeUsage(env.Stdout, commands())
		return 0
	}
	name, rest := args[0], args[1:]
	cmds := commands()
	for _, cmd := range cmds {
		if cmd.Name == name {
			return cmd.call(rest, env)
		}
	}
	names := make([]string, len(cmds))
	for i, cmd := range cmds {
		names[i] = cmd.Name
	}
	fmt.Fprintf(env.Stderr, "connector-dev: unknown command %q%s (commands: %s)\n", name, harness.Suggest(name, names), strings.Join(names, ", "))
	return connectors.Setup.Code()
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
