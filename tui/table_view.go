package tui

import (
	"strings"

	"connector-dev/connectors"
)

// colMark is drawn before the header of the column under the column
// cursor, so the cursor shows without colour (NO_COLOR, the goldens); pinSep
// parts the pinned key column from the scrolled ones.
const colMark, pinSep = "▸", "│"

// align pads a cell to width: numbers to the right, the rest to the left.
func align(c *connectors.Column, s string, width int) string {
	if numeric(c) {
		return padLeft(s, width)
	}
	return pad(s, width)
}

// sepBefore is the separator drawn before visible column d (an index into
// cols): the pin line after the pinned column, else a space.
func (t *rowTable) sepBefore(d int) string {
	if t.pinned && d != 0 && t.lastPinnedShown(d) {
		return pinSep
	}
	return " "
}

// lastPinnedShown says d is the first scrolled column drawn, right of the
// pinned one.
func (t *rowTable) lastPinnedShown(d int) bool { l, _ := t.shown(); return d == l }

// View implements tea.Model: the header and the rows that fit.
func (t *rowTable) View() string {
	cols := t.frame.Columns()
	vis := t.visible()
	nw := t.numWidth()
	var b strings.Builder

	// The header, a piece at a time, so the cursor's column has a style of
	// its own.
	var hd strings.Builder
	plain := padLeft("#", nw-1)
	for k, d := range vis {
		j := t.cols[d]
		sep := t.sepBefore(d)
		if d == t.col {
			sep = colMark
		}
		text := align(cols[j], header(cols[j]), t.widths[j])
		if k == len(vis)-1 {
			text = strings.TrimRight(text, " ")
		}
		if d == t.col {
			hd.WriteString(t.st.header.Render(plain + sep))
			hd.WriteString(t.st.colCursor.Render(text))
			plain = ""
			continue
		}
		plain += sep + text
	}
	if plain != "" {
		hd.WriteString(t.st.header.Render(plain))
	}
	b.WriteString(fit(hd.String(), t.width))

	for p := t.top; p < min(t.top+t.rows(), t.n()); p++ {
		i := t.rowAt(p)
		b.WriteByte('\n')
		on := p == t.cursor
		mark := " "
		if on {
			mark = ">"
		}
		var line strings.Builder
		run := mark + padLeft(count(int64(i+1)), nw-2) // plain text not yet written
		flush := func() {
			if on {
				line.WriteString(t.st.cursor.Render(run))
			} else {
				line.WriteString(run)
			}
			run = ""
		}
		for _, d := range vis {
			j := t.cols[d]
			run += t.sepBefore(d)
			s, ok := cell(cols[j], i)
			s = align(cols[j], oneLine(s), t.widths[j])
			switch {
			case t.hit != nil && t.hit.row == i && t.hit.col == j:
				flush()
				line.WriteString(t.st.hit.Render(s))
			case !ok && !on:
				flush()
				line.WriteString(t.st.null.Render(s))
			default:
				run += s
			}
		}
		flush()
		b.WriteString(fit(line.String(), t.width))
	}
	return b.String()
}
