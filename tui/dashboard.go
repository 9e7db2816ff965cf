package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// dashTop is the dashboard above the log: a line per stage, a progress
// bar per stage (each labelled, so the destination's bar does not seem to be
// the source's starting over), and once the run ended the exit banner.
func (m *model) dashTop() []string {
	if m.inspect {
		return nil
	}
	out := append(m.stageLines(), m.stageBars()...)
	if m.finished() {
		out = append(out, strings.Split(m.banner(), "\n")...)
	}
	return out
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
	lines = append(lines, summaryLines(m.summary, inner)...)
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
