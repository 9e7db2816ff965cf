package tui

import (
	"io"
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-isatty"
)

// darkBackground says whether the terminal behind r has a dark background,
// so that the theme's adaptive colours pick their dark or light half. It
// asks the terminal (OSC 11, then $COLORFGBG, through termenv) only when
// the answer matters and can come: not under NO_COLOR (no colours to
// choose), not when the output is no terminal (nobody to answer). Then,
// and when the terminal does not say, it assumes dark, as most are.
func darkBackground(r *lipgloss.Renderer, noColor, tty bool) bool {
	if noColor || !tty {
		return true
	}
	return r.HasDarkBackground()
}

// isTerminal says whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
