package tui

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"connector-dev/harness"
)

// livePage is the dashboard of a run going on now: the dashboard (stages,
// bars, banner, log) and the batch browser fed as batches are stored, tab
// between them. Quitting cancels the run, after asking while it goes.
type livePage struct {
	st            *styles
	keys          *keyMap
	now           func() time.Time
	width, height int

	dash      *dashboard
	batches   *batchBrowser
	onBatches bool // the batch browser is shown, not the dashboard

	runDone   bool // exec returned
	cancel    context.CancelFunc
	cancelled bool
	confirm   bool // asking whether to cancel the run and quit
}

func newLivePage(ctx context.Context, st *styles, keys *keyMap, info harness.RunInfo, r harness.BatchReader, cancel context.CancelFunc, now func() time.Time) *livePage {
	return &livePage{st: st, keys: keys, now: now, cancel: cancel,
		dash: newDashboard(st, keys, info, now), batches: newBatchBrowser(ctx, st, keys, r)}
}

// tickMsg keeps the elapsed clock moving while a run is quiet.
type tickMsg struct{}

func tick() tea.Cmd { return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{} }) }

// Init implements tea.Model.
func (p *livePage) Init() tea.Cmd { return tick() }

// SetSize implements component.
func (p *livePage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.dash.SetSize(w, h)
	p.batches.SetSize(w, h)
}

// current is the component on screen.
func (p *livePage) current() component {
	if p.onBatches {
		return p.batches
	}
	return p.dash
}

// Update implements tea.Model.
func (p *livePage) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case eventsMsg:
		p.dash.Update(msg)
		p.batches.Update(msg)
		p.SetSize(p.width, p.height)
	case runDoneMsg:
		p.runDone = true
		p.dash.Update(msg)
		p.SetSize(p.width, p.height)
		if p.cancelled {
			return p, tea.Quit
		}
	case tickMsg:
		if !p.dash.finished() {
			return p, tick()
		}
	case batchLoadedMsg, summaryLoadedMsg:
		p.batches.Update(msg)
	case browseMsg:
		return p, cmdOf(p.batches.Update(msg))
	case wheelMsg:
		return p, cmdOf(p.current().Update(msg))
	case tea.KeyMsg:
		return p, p.key(msg)
	}
	return p, nil
}

func (p *livePage) key(msg tea.KeyMsg) tea.Cmd {
	k := p.keys
	if p.confirm {
		switch {
		case key.Matches(msg, k.Yes):
			p.confirm = false
			p.cancelRun()
		case key.Matches(msg, k.No):
			p.confirm = false
		}
		return nil
	}
	if !p.typing() && key.Matches(msg, k.Tab) {
		p.onBatches = !p.onBatches
		return nil
	}
	return cmdOf(p.current().Update(msg))
}

func (p *livePage) cancelRun() {
	p.cancelled = true
	if p.cancel != nil {
		p.cancel()
	}
}

// quit implements page: after the run, q and ctrl+c quit; while it goes,
// ctrl+c cancels it (and quits once it stopped, or at a second ctrl+c) and
// q asks first.
func (p *livePage) quit(force bool) tea.Cmd {
	switch {
	case p.runDone, force && p.cancelled:
		return tea.Quit
	case force:
		p.cancelRun()
	case !p.cancelled:
		p.confirm = true
	}
	return nil
}

func (p *livePage) typing() bool {
	if p.onBatches {
		return p.batches.inputActive()
	}
	return p.dash.logs.searching
}

func (p *livePage) modal() bool { return p.confirm }

// prompt implements page.
func (p *livePage) prompt() string {
	switch {
	case p.confirm:
		return p.st.warn.Render("The run is still going. Cancel it and quit? (y/n)")
	case p.cancelled && !p.runDone:
		return p.st.warn.Render("Cancelling the run… (ctrl+c again quits at once)")
	case !p.onBatches && p.dash.logs.searching:
		return p.dash.logs.input.View()
	case p.onBatches && p.batches.inputActive():
		return p.batches.status()
	case p.onBatches && p.batches.alertText() != "":
		return p.st.bad.Render(p.batches.alertText())
	}
	return ""
}

// status implements page: where the batch browser is.
func (p *livePage) status() string {
	if s := p.batches.status(); p.onBatches && s != "" {
		return p.st.dim.Render(s)
	}
	return ""
}

// View implements tea.Model.
func (p *livePage) View() string { return p.current().View() }

// ShortHelp implements help.KeyMap: the keys of the component on screen,
// with tab where it leads somewhere worth saying.
func (p *livePage) ShortHelp() []key.Binding {
	k := p.keys
	if !p.onBatches {
		return append([]key.Binding{k.Tab}, p.dash.ShortHelp()...)
	}
	keys := p.batches.ShortHelp()
	if !p.batches.open {
		keys = append(keys, k.Tab)
	}
	return keys
}

// FullHelp implements help.KeyMap: the page's own keys, then those of the
// component on screen.
func (p *livePage) FullHelp() [][]key.Binding {
	k := p.keys
	return append([][]key.Binding{{k.Tab, k.Help, k.Quit, k.ForceQuit}}, p.current().FullHelp()...)
}

// header implements page: the run, where its batches go, and the clock.
func (p *livePage) header() []string {
	d := p.dash
	end := d.end
	if end.IsZero() {
		end = p.now()
	}
	return runHeader(p.st, p.width, d.info, "s3 "+orDash(d.info.Endpoint), "elapsed "+clock(end.Sub(d.begin)),
		tabs(p.st, []string{"dashboard", "batches"}, p.onBatches))
}

// runHeader is the three lines about a run: job, source and destination;
// container, version and run id; where its batches are (s3, then bucket,
// format and the run they came from).
func runHeader(st *styles, width int, i harness.RunInfo, s3, right, tabs string) []string {
	left := st.title.Render(orDash(i.Job)) + "  " + orDash(i.Source) + " → " + orDash(i.Destination)
	second := "run " + orDash(i.RunID)
	if i.Container != "" || i.Version != "" {
		second = i.Container + ":" + i.Version + " · " + second
	}
	third := s3
	if i.Bucket != "" {
		third += " · bucket " + i.Bucket
	}
	if i.Format != "" {
		third += " · " + i.Format
	}
	if i.FromRun != "" {
		third += " · batches of run " + i.FromRun
	}
	if lipgloss.Width(second)+lipgloss.Width(right)+1 > width {
		second = "run " + orDash(i.RunID) // the id is what --from-run and inspect need
	}
	return []string{spread(left, tabs, width), spread(second, right, width), st.dim.Render(fit(third, width))}
}

// tabs shows which of two screens is on: the first, or the second when second is set.
func tabs(st *styles, names []string, second bool) string {
	on := 0
	if second {
		on = 1
	}
	out := ""
	for i, n := range names {
		if i == on {
			out += st.tabOn.Render("[" + n + "]")
		} else {
			out += st.tabOff.Render(" " + n + " ")
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
