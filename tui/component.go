package tui

import (
	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
)

// component is one part of a screen, as soft-serve's common.Component is: a
// tea.Model that its parent sizes and that says its own keys. The dashboard,
// the log pane, the batch browser, the rows table and the runs list are
// each one; the live dashboard and inspect are two pages composed of them.
// Help reads the keys from the components on screen (ShortHelp for the
// footer, FullHelp for the ? overlay), so it lists what can be pressed
// there and nothing else.
//
// Components are pointers: Update changes the component in place and
// returns it, so a parent ignores the returned model.
type component interface {
	tea.Model
	help.KeyMap
	// SetSize gives the component its room in cells; View fills no more.
	SetSize(width, height int)
}

// page is a composition of components that fills the program's body:
// the live run (livePage) or the browser over past runs (inspectPage). The
// program (model) draws the header, the body and the footer, owns the help
// overlay and the keys every page shares (?, q, ctrl+c), and hands every
// other message to its page.
type page interface {
	component
	// header is the three lines above the body.
	header() []string
	// prompt replaces the footer's keys while it is not "": a question, a
	// text prompt or an error.
	prompt() string
	// status is shown at the right end of the footer, beside the keys.
	status() string
	// typing says a text prompt owns the keyboard: letters are text.
	typing() bool
	// modal says the page takes every key itself (a yes/no question).
	modal() bool
	// quit answers q (force false) or ctrl+c (force true): a command that
	// ends the program, or nil when the page asks or cancels first.
	quit(force bool) tea.Cmd
}

// wheelMsg scrolls what a component shows by that many lines (the mouse
// wheel); each component decides what scrolling means for it.
type wheelMsg int

// The parts, each a component, and the two pages composed of them.
var (
	_ component = (*dashboard)(nil)
	_ component = (*logPane)(nil)
	_ component = (*batchBrowser)(nil)
	_ component = (*rowTable)(nil)
	_ component = (*runList)(nil)
	_ page      = (*livePage)(nil)
	_ page      = (*inspectPage)(nil)
)
