package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// closeHelp is the key hint of the help overlay for leaving it.
func (k keyMap) closeHelp() key.Binding {
	return key.NewBinding(key.WithKeys("esc", "?"), key.WithHelp("esc/?", "close"))
}

// helpGap is the room between two columns of keys.
const helpGap = "    "

// helpLines is every key of what is on screen (the page's FullHelp), its
// groups packed into as many rows of columns as the width needs.
func (m *model) helpLines() []string {
	h := m.help
	h.Width = 0
	var rows, row []string
	rowW := 0
	flush := func() {
		if len(row) > 0 {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
		}
		row, rowW = nil, 0
	}
	for _, g := range m.page.FullHelp() {
		block := h.FullHelpView([][]key.Binding{g})
		w := lipgloss.Width(block)
		if len(row) > 0 && rowW+len(helpGap)+w > m.width {
			flush()
		}
		if len(row) > 0 {
			row = append(row, helpGap)
			rowW += len(helpGap)
		}
		row = append(row, block)
		rowW += w
	}
	flush()
	var out []string
	for i, r := range rows {
		if i > 0 {
			out = append(out, "")
		}
		for _, l := range strings.Split(r, "\n") {
			out = append(out, strings.TrimRight(l, " "))
		}
	}
	return out
}

// helpRoom is how many lines of keys the overlay shows under its title.
func (m *model) helpRoom() int { return max(m.bodyHeight()-1, 1) }

// helpScroll moves the key list by d lines, within its ends.
func (m *model) helpScroll(d int) {
	m.helpTop = max(min(m.helpTop+d, len(m.helpLines())-m.helpRoom()), 0)
}

// helpView is the overlay of the keys of what is on screen. When the list
// is longer than the screen, its title says which lines show and how to
// scroll.
func (m *model) helpView() string {
	lines := m.helpLines()
	room := m.helpRoom()
	if len(lines)+1 <= room {
		// It fits with a blank line under the title, as it always did.
		return m.st.bold.Render("Keys") + "\n\n" + strings.Join(lines, "\n")
	}
	top := max(min(m.helpTop, len(lines)-room), 0)
	end := min(top+room, len(lines))
	title := m.st.bold.Render("Keys") + m.st.dim.Render(fmt.Sprintf(" · lines %d-%d of %d · ↑/↓ pgup/pgdn scroll", top+1, end, len(lines)))
	return fit(title, m.width) + "\n" + strings.Join(lines[top:end], "\n")
}

// helpKey handles a key while the overlay is open: it scrolls the list,
// esc or ? close it, q quits as it does everywhere.
func (m *model) helpKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	page := max(m.helpRoom()-1, 1)
	switch {
	case key.Matches(msg, k.Help), key.Matches(msg, k.Back):
		m.showHelp = false
	case key.Matches(msg, k.Quit):
		m.showHelp = false
		return m.key(msg)
	default:
		if d, ok := k.navDelta(msg, page); ok {
			m.helpScroll(d)
		}
	}
	return nil
}
