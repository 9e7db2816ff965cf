package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap is every key the program answers to, one DefaultKeyMap for every
// component (as soft-serve's keymap.KeyMap); each component's help lists
// the ones it answers to from here, so the list on screen cannot drift from
// what the program does.
type keyMap struct {
	Quit, ForceQuit, Tab, Help, Back key.Binding
	// QuitNow is ctrl+c where no run goes on to cancel (inspect).
	QuitNow                          key.Binding
	Up, Down, PageUp, PageDown       key.Binding
	Top, Bottom, Left, Right         key.Binding
	Filter, Search, Next, Prev, Wrap key.Binding
	Open, Value, Jump                key.Binding
	Rows, Schema, Meta               key.Binding
	Yes, No                          key.Binding
	// Mark and Diff pick two past runs and compare them (inspect).
	Mark, Diff key.Binding
	// Summary opens the column summary of the open run (the I view).
	Summary key.Binding
	// Find, the sorts, the frequency table and its scope work on the
	// column under the rows table's column cursor.
	Find, SortAsc, SortDesc, Freq, Scope key.Binding
}

func newKeyMap() keyMap {
	b := func(help string, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return keyMap{
		Quit:      b("q", "quit", "q"),
		ForceQuit: b("ctrl+c", "cancel run and quit", "ctrl+c"),
		QuitNow:   b("ctrl+c", "quit", "ctrl+c"),
		Tab:       b("tab", "switch view", "tab", "shift+tab"),
		Help:      b("?", "help", "?"),
		Back:      b("esc", "back", "esc"),
		Up:        b("↑/k", "up", "up", "k"),
		Down:      b("↓/j", "down", "down", "j"),
		PageUp:    b("pgup/b", "page up", "pgup", "b"),
		PageDown:  b("pgdn/spc", "page down", "pgdown", " "),
		Top:       b("home", "top", "home"),
		Bottom:    b("end/G", "bottom (follow)", "end", "G"),
		Left:      b("←/h", "column left", "left", "h"),
		Right:     b("→/l", "column right", "right", "l"),
		Filter:    b("f", "level filter", "f"),
		Search:    b("/", "search", "/"),
		Next:      b("n", "next match", "n"),
		Prev:      b("N", "prev match", "N"),
		Wrap:      b("w", "wrap log lines", "w"),
		Open:      b("enter", "open", "enter"),
		Value:     b("v", "whole row", "v"),
		Jump:      b("g", "go to row", "g"),
		Rows:      b("r", "rows", "r"),
		Schema:    b("s", "schema", "s"),
		Meta:      b("m", "metadata", "m"),
		Yes:       b("y", "yes", "y"),
		No:        b("n", "no", "n", "esc"),
		Mark:      b("x", "mark", "x"),
		Diff:      b("d", "diff marked", "d"),
		Summary:   b("I", "column summary", "I"),
		Find:      b("/", "find value", "/"),
		SortAsc:   b("[", "sort ↑", "["),
		SortDesc:  b("]", "sort ↓", "]"),
		Freq:      b("F", "frequency", "F"),
		Scope:     b("a", "batch / whole run", "a"),
	}
}
