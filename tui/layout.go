package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// firstFit returns the first candidate that fits width cells. Callers list
// the candidates richest first, each dropping decoration before numbers, so
// a narrow terminal loses padding and labels and keeps rows/s and ETA; when
// none fits, the last is cut. Empty candidates are skipped (a variant that
// does not apply).
func firstFit(width int, candidates ...string) string {
	last := ""
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if lipgloss.Width(c) <= width {
			return c
		}
		last = c
	}
	return fit(last, width)
}

// fitAll picks for lines that stand in a column (a row per stage) the
// first variant that fits width for every one of them, so that they stay
// aligned; each row lists its variants as firstFit's candidates do.
func fitAll(width int, rows [][]string) []string {
	n := 0
	for _, r := range rows {
		n = max(n, len(r))
	}
	for i := 0; i < n; i++ {
		ok := true
		for _, r := range rows {
			if i < len(r) && (r[i] == "" || lipgloss.Width(r[i]) > width) {
				ok = false
				break
			}
		}
		if ok {
			out := make([]string, len(rows))
			for j, r := range rows {
				if i < len(r) {
					out[j] = r[i]
				} else {
					out[j] = firstFit(width, r...) // a row of another shape
				}
			}
			return out
		}
	}
	out := make([]string, len(rows))
	for j, r := range rows {
		out[j] = firstFit(width, r...)
	}
	return out
}

// joinNonEmpty joins the parts that are not empty with sep.
func joinNonEmpty(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// plural is n with thousands separators and the word that goes with it:
// "1 row", "2 rows", "1,000 batches".
func plural(n int64, one, many string) string {
	if n == 1 || n == -1 {
		return count(n) + " " + one
	}
	return count(n) + " " + many
}

// keysLine is a footer of key hints that fits width cells with right
// (a status) at its end. The keys in must are always shown, last (they are
// the ones a lost user looks for: help and quit); of the others, as many as
// fit, in order. The line is cut only when must and right alone do not fit.
func (m *model) keysLine(keys, must []key.Binding, right string) string {
	h := m.help
	h.Width = 0 // we choose what fits; help's own cut would drop must
	room := m.width
	if right != "" {
		room -= lipgloss.Width(right) + 1
	}
	n := 0
	for n < len(keys) && lipgloss.Width(h.ShortHelpView(append(append([]key.Binding{}, keys[:n+1]...), must...))) <= room {
		n++
	}
	left := h.ShortHelpView(append(append([]key.Binding{}, keys[:n]...), must...))
	if right == "" {
		return fit(left, m.width)
	}
	return spread(left, right, m.width)
}

// footer is the line under the body: the page's question or prompt, or
// the keys of what is on screen.
func (m *model) footer() string {
	if s := m.page.prompt(); s != "" {
		return s
	}
	// ? and q always show: they are what a user who is lost looks for.
	k := m.keys
	if m.showHelp {
		return m.keysLine([]key.Binding{k.Up, k.Down, k.PageUp, k.PageDown}, []key.Binding{k.closeHelp(), k.Quit}, "")
	}
	return m.keysLine(m.page.ShortHelp(), []key.Binding{k.Help, k.Quit}, m.page.status())
}
