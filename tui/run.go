// Package tui is the terminal UI of connector-dev: the live dashboard of a
// run (stages, progress, log, exit banner), the batch browser (rows, schema,
// object metadata) and `inspect` over past runs. It renders the harness's
// event stream and reports; every fact it shows comes from them.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"connector-dev/harness"
)

// Options says where the program draws and whether it may use colour.
type Options struct {
	In      io.Reader // nil: os.Stdin
	Out     io.Writer // nil: os.Stdout
	NoColor bool      // NO_COLOR set: no colours at all
	// Diff compares two past runs for inspect's diff view (mark two, d);
	// nil: the view says it is not available.
	Diff DiffFunc
}

func (o Options) out() io.Writer {
	if o.Out == nil {
		return os.Stdout
	}
	return o.Out
}

// program builds the bubbletea program around m with the options' streams,
// the alternate screen and the mouse wheel.
func (o Options) program(m tea.Model) *tea.Program {
	opts := []tea.ProgramOption{tea.WithOutput(o.out()), tea.WithAltScreen(), tea.WithMouseCellMotion()}
	if o.In != nil {
		opts = append(opts, tea.WithInput(o.In))
	}
	return tea.NewProgram(m, opts...)
}

// renderStyles builds the styles for the options' output, with the
// terminal's background asked for now, before the program starts: asked
// later (lazily, by the first adaptive colour drawn) the answer would race
// the program's own reading of the input.
func (o Options) renderStyles() *styles {
	r := lipgloss.NewRenderer(o.out())
	dark := darkBackground(r, o.NoColor, isTerminal(o.out()))
	r.SetHasDarkBackground(dark)
	// The default renderer too, in case a component draws with it.
	lipgloss.SetHasDarkBackground(dark)
	return newStyles(r, o.NoColor)
}

// RunDashboard shows the live dashboard while exec runs in a goroutine with
// a Sink that feeds the program. It returns the run's exit code once the user
// quits with q after the run ended. Ctrl-C (or q while running, after a
// confirm) cancels exec's ctx; exec then returns a Report whose exit is
// interrupted (130) and that code is returned.
func RunDashboard(ctx context.Context, info harness.RunInfo, batches harness.BatchReader,
	exec func(ctx context.Context, sink harness.Sink) *harness.Report, opts Options) (int, error) {
	if exec == nil {
		return connectorsUnhandled, errors.New("tui: RunDashboard needs a run to execute (exec is nil)")
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := newRunModel(runCtx, opts.renderStyles(), harness.SafeRunInfo(info), batches, cancel, time.Now)
	p := opts.program(m)

	f := newFeeder(logCap)
	done := make(chan *harness.Report, 1)
	go func() { done <- exec(runCtx, f) }()
	// progCtx ends when the program does, so forward stops sending.
	progCtx, progDone := context.WithCancel(context.Background())
	fwd := make(chan *harness.Report, 1)
	go func() { fwd <- f.forward(progCtx, p.Send, done, frameInterval) }()

	final, err := p.Run()
	progDone()
	// The user has left: a run still going is cancelled, and waited for, so
	// that no goroutine outlives RunDashboard.
	cancel()
	rep := <-fwd
	code := exitCode(rep, final, m)
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, tea.ErrInterrupted) {
		return code, fmt.Errorf("run the dashboard: %w", err)
	}
	return code, nil
}

// connectorsUnhandled is the exit code of a run that ended without saying how.
const connectorsUnhandled = 2

// exitCode is the process exit code: the report's, else the exit the events
// gave, else interrupted when the user cancelled.
func exitCode(rep *harness.Report, final tea.Model, m *model) int {
	if rep != nil {
		return rep.ExitCode // what expectations made of the exit, as --ci returns
	}
	if fm, ok := final.(*model); ok && fm != nil {
		m = fm
	}
	if m.live.dash.exit != nil {
		return m.live.dash.processCode()
	}
	if m.live.cancelled {
		return 130
	}
	return connectorsUnhandled
}

// Inspect is the batch browser over past runs (reports newest first). open
// gives the reader of one run's batches.
func Inspect(ctx context.Context, runs []harness.Report,
	open func(ctx context.Context, runID string) (harness.BatchReader, error), opts Options) error {
	m := newInspectModel(ctx, opts.renderStyles(), safeRuns(runs), open, time.Now)
	if p, ok := m.page.(*inspectPage); ok {
		p.diffFn = opts.Diff
	}
	if _, err := opts.program(m).Run(); err != nil {
		return fmt.Errorf("run the batch browser: %w", err)
	}
	return nil
}
