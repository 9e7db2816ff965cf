package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// navEnd is how far top and bottom move: past either end of anything a
// view holds, which every view clamps to. It stays far from int's limits
// (on 32-bit too) so a cursor plus it cannot wrap.
const navEnd = 1 << 30

// navDelta is how far a navigation key moves the cursor or scroll of a view
// showing page lines at a time: a line for up and down, a page for page up
// and down, to either end for top and bottom. ok is false for any other
// key. Every scrolling view answers these keys through it, so they move
// alike everywhere; the view clamps the result.
func (k keyMap) navDelta(msg tea.KeyMsg, page int) (delta int, ok bool) {
	switch {
	case key.Matches(msg, k.Up):
		return -1, true
	case key.Matches(msg, k.Down):
		return 1, true
	case key.Matches(msg, k.PageUp):
		return -page, true
	case key.Matches(msg, k.PageDown):
		return page, true
	case key.Matches(msg, k.Top):
		return -navEnd, true
	case key.Matches(msg, k.Bottom):
		return navEnd, true
	}
	return 0, false
}
