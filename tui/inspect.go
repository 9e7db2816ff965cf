package tui

import (
	"context"
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"connector-dev/harness"
)

// inspectPage is the browser over past runs: the runs list and, once a run
// is opened, the batch browser over its batches, tab between them. No run
// goes on, so every quit key quits at once.
type inspectPage struct {
	st            *styles
	keys          *keyMap
	width, height int

	runs      *runList
	batches   *batchBrowser
	onBatches bool // the open run's batches are shown, not the runs list

	info     harness.RunInfo // the open run
	readFrom string          // where the open run's batches are read from now
	runErr   error           // opening the run under the cursor failed

	diff   *diffView // the diff of the two marked runs
	onDiff bool      // the diff is shown
	diffFn DiffFunc  // computes a diff; nil: d says it is not available
}

func newInspectPage(ctx context.Context, st *styles, keys *keyMap, runs []harness.Report, open func(context.Context, string) (harness.BatchReader, error)) *inspectPage {
	return &inspectPage{st: st, keys: keys, runs: newRunList(ctx, st, keys, runs, open), batches: newBatchBrowser(ctx, st, keys, nil), diff: newDiffView(ctx, st, keys)}
}

// Init implements tea.Model.
func (p *inspectPage) Init() tea.Cmd { return nil }

// SetSize implements component.
func (p *inspectPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.runs.SetSize(w, h)
	p.batches.SetSize(w, h)
	p.diff.SetSize(w, h)
}

// current is the component on screen.
func (p *inspectPage) current() component {
	if p.onDiff {
		return p.diff
	}
	if p.onBatches {
		return p.batches
	}
	return p.runs
}

// Update implements tea.Model.
func (p *inspectPage) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case runOpenedMsg:
		p.opened(msg)
	case batchLoadedMsg, summaryLoadedMsg:
		p.batches.Update(msg)
	case browseMsg:
		return p, cmdOf(p.batches.Update(msg))
	case diffLoadedMsg:
		p.diff.Update(msg)
	case wheelMsg:
		return p, cmdOf(p.current().Update(msg))
	case tea.KeyMsg:
		k := p.keys
		if p.onDiff || (!p.onBatches && (key.Matches(msg, k.Diff) || key.Matches(msg, k.Mark))) {
			return p, p.diffKey(msg)
		}
		if !p.typing() {
			switch {
			case key.Matches(msg, k.Tab):
				p.onBatches = !p.onBatches && p.batches.reader != nil
				return p, nil
			case p.onBatches && !p.batches.open && !p.batches.onSummary && key.Matches(msg, k.Back):
				p.onBatches = false
				return p, nil
			}
		}
		return p, cmdOf(p.current().Update(msg))
	}
	return p, nil
}

// opened shows the batches of the run just opened, or says why it failed.
func (p *inspectPage) opened(msg runOpenedMsg) {
	if msg.err != nil {
		p.runErr = msg.err
		return
	}
	p.runErr = nil
	p.info = harness.RunInfo{RunID: msg.rep.RunID, Job: msg.rep.Job, Source: msg.rep.Connector}
	if msg.rep.Run != nil {
		p.info = *msg.rep.Run
	}
	items := make([]batchItem, len(msg.rep.Batches))
	for i, b := range msg.rep.Batches {
		items[i] = batchItem{stage: "source", info: b}
	}
	p.batches.reset(msg.reader, items)
	p.readFrom = readFrom(msg.reader)
	p.onBatches = true
}

// diffKey handles a key of the diff view, or d and x on the runs list.
func (p *inspectPage) diffKey(msg tea.KeyMsg) tea.Cmd {
	k := p.keys
	switch {
	case p.onDiff && key.Matches(msg, k.Back):
		p.onDiff = false
		p.diff.close()
	case p.onDiff:
		if !key.Matches(msg, k.Tab) {
			p.diff.Update(msg)
		}
	case key.Matches(msg, k.Mark):
		p.runErr = nil
		p.runs.Update(msg)
	default:
		a, b, ok := p.runs.pair()
		if !ok {
			p.runErr = fmt.Errorf("mark two runs with x to diff them (%d marked)", len(p.runs.marked))
			return nil
		}
		p.runErr = nil
		p.onDiff = true
		return p.diff.start(p.diffFn, a, b)
	}
	return nil
}

func (p *inspectPage) quit(bool) tea.Cmd { return tea.Quit }

func (p *inspectPage) typing() bool { return p.onBatches && p.batches.inputActive() }

func (p *inspectPage) modal() bool { return false }

// prompt implements page.
func (p *inspectPage) prompt() string {
	switch {
	case p.typing():
		return p.batches.status()
	case p.onBatches && p.batches.alertText() != "":
		return p.st.bad.Render(p.batches.alertText())
	case p.runErr != nil:
		return p.st.bad.Render(p.runErr.Error())
	}
	return ""
}

// status implements page: where the batch browser is.
func (p *inspectPage) status() string {
	if s := p.batches.status(); p.onBatches && s != "" {
		return p.st.dim.Render(s)
	}
	if l := p.runs; !p.onBatches && !p.onDiff && l.cursor < len(l.runs) {
		// A run that died of a Go fatal error says where its trace is.
		if note := l.runs[l.cursor].CrashNote(); note != "" {
			return p.st.bad.Render(note)
		}
	}
	return ""
}

// View implements tea.Model.
func (p *inspectPage) View() string { return p.current().View() }

// ShortHelp implements help.KeyMap.
func (p *inspectPage) ShortHelp() []key.Binding {
	if p.onDiff {
		return p.diff.ShortHelp()
	}
	keys := p.current().ShortHelp()
	if !p.onBatches || !p.batches.open {
		keys = append(keys, p.keys.Tab)
	}
	return keys
}

// FullHelp implements help.KeyMap: the page's own keys (esc goes back to
// the runs from the batch list), then those of the component on screen.
func (p *inspectPage) FullHelp() [][]key.Binding {
	k := p.keys
	own := []key.Binding{k.Tab, k.Help, k.Quit, k.QuitNow}
	if p.onBatches && !p.batches.open {
		own = []key.Binding{k.Tab, k.Help, k.Back, k.Quit, k.QuitNow}
	}
	if p.onDiff {
		own = []key.Binding{k.Help, k.Back, k.Quit, k.QuitNow}
	}
	return append([][]key.Binding{own}, p.current().FullHelp()...)
}

// header implements page: the runs' count, or the open run and where its
// batches are read from now.
func (p *inspectPage) header() []string {
	t := tabs(p.st, []string{"runs", "batches"}, p.onBatches)
	if p.onDiff {
		return []string{
			spread(p.st.title.Render("connector-dev inspect"), t, p.width),
			p.st.dim.Render(fit("diff of two past runs: a is the older, esc goes back to the runs", p.width)),
			"",
		}
	}
	if !p.onBatches {
		return []string{
			spread(p.st.title.Render("connector-dev inspect"), t, p.width),
			p.st.dim.Render(fit(plural(int64(len(p.runs.runs)), "past run", "past runs")+", newest first", p.width)),
			"",
		}
	}
	return runHeader(p.st, p.width, p.info, p.pastS3(), "", t)
}

// placed is a batch reader that says where it reads from; the readers of
// past runs do (harness.PastRuns.Reader).
type placed interface{ Where() string }

// readFrom is where r reads batches from, or "" when it does not say.
func readFrom(r harness.BatchReader) string {
	if p, ok := r.(placed); ok {
		return p.Where()
	}
	return ""
}

// pastS3 is the S3 part of a past run's header: where its batches are read
// from now. The run's own endpoint is shown only as where it was, when the
// reader does not say: an embedded S3's port died with its run.
func (p *inspectPage) pastS3() string {
	switch {
	case p.readFrom != "":
		return "batches from " + p.readFrom
	case p.info.Endpoint != "":
		return "s3 was at " + p.info.Endpoint
	}
	return "s3 -"
}
