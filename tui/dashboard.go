package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// dashTop is the dashboard above the log: a line per stage, the progress
// bar, and once the run ended the exit banner.
func (m *model) dashTop() []string {
	if m.inspect {
		return nil
	}
	var out []string
	for _, s := range m.stages {
		out = append(out, m.stageLine(s))
	}
	out = append(out, m.progressLine())
	if m.finished() {
		out = append(out, strings.Split(m.banner(), "\n")...)
	}
	return out
}

func (m *model) stageLine(s *stageState) string {
	var state string
	switch {
	case s.done && s.exit != nil:
		st := m.st.ok
		if s.exit.Code != 0 {
			st = m.st.bad
		}
		state = st.Render(pad("✔ "+string(s.exit.Reason), 14))
		if s.exit.Code != 0 {
			state = st.Render(pad("✘ "+string(s.exit.Reason), 14))
		}
	case s.done:
		state = m.st.ok.Render(pad("✔ done", 14))
	case s.started && m.finished():
		state = m.st.warn.Render(pad("■ stopped", 14))
	case s.started:
		state = m.st.title.Render(pad("● running", 14))
	case m.finished():
		// The run is over and this stage never began (the source failed
		// first): it will not run, so "waiting" would mislead.
		state = m.st.dim.Render(pad("– not run", 14))
	default:
		state = m.st.dim.Render(pad("○ waiting", 14))
	}
	line := pad(s.name, 12) + " " + state
	if s.started {
		st := s.stats
		parts := []string{count(st.Rows) + " rows", count(st.Batches) + " batches", bytesize(st.Bytes)}
		if r := rate(st.Rows, st.Seconds); r != "" {
			parts = append(parts, r)
		}
		line += " " + strings.Join(parts, "  ")
	}
	return line
}

// active is the stage the progress bar follows: the last one started.
func (m *model) active() *stageState {
	var a *stageState
	for _, s := range m.stages {
		if s.started {
			a = s
		}
	}
	return a
}

// progressLine is a bar of rows against the expected rows when the
// connector said how many; for a later stage, of batches against those the
// source wrote; otherwise the bare counts.
func (m *model) progressLine() string {
	s := m.active()
	if s == nil {
		return m.st.dim.Render("waiting for the first stage")
	}
	st := s.stats
	var done, total int64
	unit := "rows"
	switch {
	case st.ExpectedRows > 0:
		done, total = st.Rows, st.ExpectedRows
	case s.name != "source" && m.stage("source").done && m.stage("source").stats.Batches > 0:
		done, total, unit = st.Batches, m.stage("source").stats.Batches, "batches"
	}
	barW := min(max(m.width/3, 10), 40)
	if total <= 0 {
		return pad(s.name, 12) + " " + count(st.Rows) + " rows · " + count(st.Batches) + " batches (no total given)"
	}
	frac := min(float64(done)/float64(total), 1)
	full := int(frac*float64(barW) + 0.5)
	bar := m.st.barFull.Render(strings.Repeat("█", full)) + m.st.barEmpty.Render(strings.Repeat("░", barW-full))
	line := fmt.Sprintf("%s %3.0f%%  %s/%s %s", bar, frac*100, count(done), count(total), unit)
	if !s.done && st.Seconds > 0 && st.Rows > 0 && unit == "rows" && done < total {
		perRow := st.Seconds / float64(st.Rows)
		eta := time.Duration(float64(total-done) * perRow * float64(time.Second))
		line += "  ETA " + duration(eta)
	}
	return line
}

// processCode is the exit code the program ends with: the run's, or what
// the fixture's expectations made of it.
func (m *model) processCode() int {
	if m.exitCode != nil {
		return *m.exitCode
	}
	return m.exit.Code
}

// banner is the exit box: reason word, code, message and the summary.
func (m *model) banner() string {
	e := m.exit
	code := m.processCode()
	box := m.st.bannerOK
	mark := "✔"
	if code != 0 {
		box, mark = m.st.bannerBad, "✘"
	}
	inner := max(m.width-4, 10)
	// The message often ends with what to do about it, so it wraps rather
	// than being cut; past bannerMsgLines it is cut, to leave room for the log.
	// The closing message's first line, built by harness, says how the
	// code came about (expectations, recording): the printer shows the same.
	head, rest, _ := strings.Cut(m.closing, "\n")
	if head == "" {
		head = fmt.Sprintf("%s · exit %d", orDash(string(e.Reason)), code)
	}
	first := mark + " " + head
	if e.Message != "" && e.Message != string(e.Reason) {
		first += " · " + oneLine(e.Message)
	}
	var lines []string
	for _, l := range wrapLines(first, inner, bannerMsgLines) {
		lines = append(lines, m.st.bold.Render(l))
	}
	if rest != "" {
		lines = append(lines, strings.Split(rest, "\n")...)
	}
	for _, s := range m.summary {
		l := pad(s.Name, 12) + " " + pad(s.Connector, 12) + " " + count(s.Rows) + " rows  " + count(s.Batches) + " batches  " + bytesize(s.Bytes) + "  " + duration(time.Duration(s.Seconds*float64(time.Second)))
		if s.RowsPerS > 0 {
			l += "  " + count(int64(s.RowsPerS+0.5)) + " rows/s"
		}
		lines = append(lines, l)
	}
	for i := range lines {
		lines[i] = fit(lines[i], inner)
	}
	return box.Width(m.width - 2).Render(strings.Join(lines, "\n"))
}

// bannerMsgLines is how many lines the exit message may take in the banner.
const bannerMsgLines = 3

// wrapLines word-wraps a plain one-line string to width cells (breaking
// inside a word only when it is longer than a line), keeping at most n
// lines; the last kept line ends in an ellipsis when text was left over.
func wrapLines(s string, width, n int) []string {
	lines := strings.Split(ansi.Wrap(s, max(width, 1), ""), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	if len(lines) > n {
		rest := strings.Join(lines[n-1:], " ")
		lines = lines[:n]
		lines[n-1] = fit(rest, width)
	}
	return lines
}

// dashboard is the whole dashboard body.
func (m *model) dashboard() string {
	top := m.dashTop()
	title := "── " + m.logs.title() + " "
	if w := m.width - len([]rune(title)); w > 0 {
		title += strings.Repeat("─", w)
	}
	return strings.Join(top, "\n") + "\n" + m.st.dim.Render(fit(title, m.width)) + "\n" + m.logs.view()
}
