package tui

import (
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// splitAlt handles the Esc half of an alt+key. bubbletea reads Esc and a
// key that follows it quickly (a fast typist, a slow link, tmux send-keys)
// as one alt+key. No binding of ours uses alt, so such a key is what the
// user typed: Esc, then the key. splitAlt acts on the Esc and says so (ok);
// the caller then handles the key without alt. Inside a prompt the alt
// keys of the text input (word moves and deletes) keep their meaning.
func (m *model) splitAlt(msg tea.KeyMsg) (tea.Cmd, bool) {
	if !msg.Alt || msg.Paste {
		return nil, false
	}
	if m.page.typing() {
		ik := textinput.DefaultKeyMap
		if key.Matches(msg, ik.WordForward, ik.WordBackward, ik.DeleteWordBackward, ik.DeleteWordForward) {
			return nil, false
		}
	}
	return m.key(tea.KeyMsg{Type: tea.KeyEsc}), true
}
