package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"connector-dev/harness"
)

// stageWord is how a stage stands: its mark, its word and their style.
func (d *dashboard) stageWord(s *stageState) (mark, word string, st lipgloss.Style) {
	switch {
	case s.done && s.exit != nil && s.exit.Code != 0:
		return "✘", string(s.exit.Reason), d.st.bad
	case s.done && s.exit != nil:
		return "✔", string(s.exit.Reason), d.st.ok
	case s.done:
		return "✔", "done", d.st.ok
	case s.started && d.finished():
		return "■", "stopped", d.st.warn
	case s.started:
		return "●", "running", d.st.title
	case d.finished():
		// The run is over and this stage never began (the source failed
		// first): it will not run, so "waiting" would mislead.
		return "–", "not run", d.st.dim
	}
	return "○", "waiting", d.st.dim
}

// stageLines are the stages' states and counts, aligned (see fitAll).
func (d *dashboard) stageLines() []string {
	var rows [][]string
	for _, s := range d.stages {
		rows = append(rows, d.stageLineVariants(s))
	}
	return fitAll(d.width, rows)
}

// stageLine is one stage's line as stageLines draws it.
func (d *dashboard) stageLine(s *stageState) string {
	return firstFit(d.width, d.stageLineVariants(s)...)
}

// stageLineVariants are a stage's state and counts, richest first: a narrow
// terminal gives up the state's padding, then bytes, then batches, then the
// state's word, then the word "rows" and the mark; the numbers of rows and
// rows/s go last.
func (d *dashboard) stageLineVariants(s *stageState) []string {
	mark, word, st := d.stageWord(s)
	name := pad(s.name, 12)
	if !s.started {
		return []string{name + " " + st.Render(mark+" "+word), s.name + " " + st.Render(mark)}
	}
	rows := plural(s.stats.Rows, "row", "rows")
	batches := plural(s.stats.Batches, "batch", "batches")
	size := bytesize(s.stats.Bytes)
	r := rate(s.stats.Rows, s.stats.Seconds)
	return []string{
		name + " " + st.Render(pad(mark+" "+word, 14)) + " " + joinNonEmpty("  ", rows, batches, size, r),
		name + " " + st.Render(pad(mark+" "+word, 10)) + " " + joinNonEmpty("  ", rows, batches, size, r),
		name + " " + st.Render(pad(mark+" "+word, 10)) + " " + joinNonEmpty("  ", rows, batches, r),
		name + " " + st.Render(pad(mark+" "+word, 10)) + " " + joinNonEmpty("  ", rows, r),
		name + " " + st.Render(mark) + " " + joinNonEmpty("  ", rows, r),
		s.name + " " + st.Render(mark) + " " + joinNonEmpty(" ", rows, r),
		// Narrower still: the word "rows" (rows/s says the unit), then the
		// mark; the two numbers stay.
		s.name + " " + st.Render(mark) + " " + joinNonEmpty(" ", count(s.stats.Rows), r),
		s.name + " " + joinNonEmpty(" ", count(s.stats.Rows), r),
	}
}

// stageTotal is the rows a stage will have moved when done, 0 when nobody
// said: the connector's own expectation; for a stage that ended well, what
// it moved; for a later stage, what the source moved (or expects to).
func (d *dashboard) stageTotal(s *stageState) int64 {
	st := s.stats
	switch {
	case st.ExpectedRows > 0:
		return st.ExpectedRows
	case s.done && (s.exit == nil || s.exit.Code == 0):
		return st.Rows
	case s.name == "source":
		return 0
	}
	for _, src := range d.stages {
		if src.name != "source" {
			continue
		}
		if src.done && (src.exit == nil || src.exit.Code == 0) && src.stats.Rows > 0 {
			return src.stats.Rows
		}
		return src.stats.ExpectedRows
	}
	return 0
}

// stageBars are the stages' progress bars, one per stage, each labelled
// with its stage: rows done of the total and, while it runs, the time left.
// The bars share one width, so they compare at a glance. A narrow terminal
// shrinks them, then drops the word "rows", then the bars, then the
// counts; the percentage and the ETA go last.
func (d *dashboard) stageBars() []string {
	parts := make([]barParts, len(d.stages))
	for i, s := range d.stages {
		parts[i] = d.barParts(s)
	}
	// The widest bar the lines leave room for with rest (0: full counts,
	// 1: without the unit). While a stage runs, room for the longest ETA is
	// kept whether one shows or not, so the bars do not change width as
	// ETAs come and go.
	eta := 0
	for _, s := range d.stages {
		if s.started && !s.done && !d.finished() {
			eta = etaW
		}
	}
	barRoom := func(rest int) int {
		w := min(max(d.width/3, 10), 40)
		for _, p := range parts {
			if p.text == "" {
				w = min(w, d.width-lipgloss.Width(p.label)-max(lipgloss.Width(p.rests[rest][0])+eta, lipgloss.Width(p.rests[rest][1])))
			}
		}
		return w
	}
	rest, barW := 0, barRoom(0)
	if barW < 8 {
		rest, barW = 1, barRoom(1)
	}
	rows := make([][]string, len(parts))
	for i, p := range parts {
		if p.text != "" {
			rows[i] = []string{p.text}
			continue
		}
		var withBar string
		if barW >= 5 {
			full := int(p.frac*float64(barW) + 0.5)
			withBar = p.label + d.st.barFull.Render(strings.Repeat("█", full)) + d.st.barEmpty.Render(strings.Repeat("░", barW-full)) + p.rests[rest][1]
		}
		rows[i] = []string{withBar, p.label + p.short[0], p.label + p.short[1], p.name + " " + p.short[2]}
	}
	return fitAll(d.width, rows)
}

// barParts are the pieces of a stage's bar line; text is the whole line
// instead when there is no bar to draw (no total, not started).
type barParts struct {
	name, label, text string
	frac              float64
	rests             [2][2]string // after the bar: with the unit, without; each without and with the ETA
	short             [3]string    // without the bar: counts, then less
}

// etaW is the room an ETA takes at most: "  ETA 59m59s".
const etaW = len("  ETA 59m59s")

func (d *dashboard) barParts(s *stageState) barParts {
	p := barParts{name: s.name, label: pad(s.name, 12) + " "}
	total := d.stageTotal(s)
	st := s.stats
	switch {
	case !s.started && d.finished():
		p.text = fit(p.label+d.st.dim.Render("not run"), d.width)
		return p
	case !s.started && total == 0:
		p.text = fit(p.label+d.st.dim.Render("waiting"), d.width)
		return p
	case total <= 0:
		p.text = firstFit(d.width,
			p.label+plural(st.Rows, "row", "rows")+" · "+plural(st.Batches, "batch", "batches")+d.st.dim.Render(" (no total given)"),
			p.label+plural(st.Rows, "row", "rows")+" · "+plural(st.Batches, "batch", "batches"),
			p.label+plural(st.Rows, "row", "rows"))
		return p
	}
	done := st.Rows
	p.frac = min(float64(done)/float64(total), 1)
	pct := fmt.Sprintf("%3.0f%%", p.frac*100)
	counts := count(done) + "/" + count(total)
	eta := ""
	if s.started && !s.done && st.Seconds > 0 && done > 0 && done < total {
		left := time.Duration(float64(total-done) * st.Seconds / float64(done) * float64(time.Second))
		eta = "ETA " + duration(left)
	}
	withUnit := counts + " rows"
	if total == 1 {
		withUnit = counts + " row"
	}
	p.rests = [2][2]string{
		{" " + joinNonEmpty("  ", pct, withUnit), " " + joinNonEmpty("  ", pct, withUnit, eta)},
		{" " + joinNonEmpty("  ", pct, counts), " " + joinNonEmpty("  ", pct, counts, eta)},
	}
	p.short = [3]string{joinNonEmpty("  ", pct, withUnit, eta), joinNonEmpty("  ", pct, eta), joinNonEmpty(" ", pct, eta)}
	return p
}

// summaryLines are the stages' lines in the exit banner, width cells at
// most and aligned: decoration and the least telling counts go first, rows
// and rows/s last.
func summaryLines(stages []harness.StageReport, width int) []string {
	var w summaryWidths
	for _, s := range stages {
		f := summaryFieldsOf(s)
		w.conn = max(w.conn, lipgloss.Width(s.Connector))
		w.rows = max(w.rows, lipgloss.Width(f.rows))
		w.batches = max(w.batches, lipgloss.Width(f.batches))
		w.size = max(w.size, lipgloss.Width(f.size))
		w.took = max(w.took, lipgloss.Width(f.took))
	}
	rows := make([][]string, len(stages))
	for i, s := range stages {
		rows[i] = summaryVariants(s, w)
	}
	return fitAll(width, rows)
}

// summaryWidths are the widest of each field over the banner's stages, so
// the stages' lines line up column by column (a 108ms beside a 1.4s).
type summaryWidths struct{ conn, rows, batches, size, took int }

type summaryFields struct{ rows, batches, size, took, rate string }

func summaryFieldsOf(s harness.StageReport) summaryFields {
	f := summaryFields{
		rows:    plural(s.Rows, "row", "rows"),
		batches: plural(s.Batches, "batch", "batches"),
		size:    bytesize(s.Bytes),
		took:    duration(time.Duration(s.Seconds * float64(time.Second))),
	}
	if s.RowsPerS > 0 {
		f.rate = count(int64(s.RowsPerS+0.5)) + " rows/s"
	}
	return f
}

func summaryVariants(s harness.StageReport, w summaryWidths) []string {
	f := summaryFieldsOf(s)
	rows, batches := padLeft(f.rows, w.rows), pad(f.batches, w.batches)
	size, took, r := padLeft(f.size, w.size), padLeft(f.took, w.took), f.rate
	name, conn := pad(s.Name, 12)+" ", pad(s.Connector, w.conn)+"  "
	return []string{
		name + pad(s.Connector, 12) + " " + joinNonEmpty("  ", rows, batches, size, took, r),
		name + conn + joinNonEmpty("  ", rows, batches, size, took, r),
		name + conn + joinNonEmpty("  ", rows, batches, took, r),
		name + conn + joinNonEmpty("  ", rows, took, r),
		name + joinNonEmpty("  ", rows, took, r),
		s.Name + " " + joinNonEmpty(" ", rows, r),
	}
}
