package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"connector-dev/harness"
)

// styles are built once per program from one renderer: View runs after every
// message, and building styles there would cost more than drawing.
type styles struct {
	r *lipgloss.Renderer

	title, dim, bold, tabOn, tabOff lipgloss.Style
	levels                          map[harness.Level]lipgloss.Style
	match, cursor, header           lipgloss.Style
	ok, bad, warn                   lipgloss.Style
	barFull, barEmpty               lipgloss.Style
	bannerOK, bannerBad             lipgloss.Style
	null                            lipgloss.Style
	colCursor, hit                  lipgloss.Style // the rows table's column cursor and find match
}

// newStyles builds the theme on r; with noColor the renderer drops every
// colour and attribute (NO_COLOR), so markers that matter use characters too.
func newStyles(r *lipgloss.Renderer, noColor bool) *styles {
	if noColor {
		r.SetColorProfile(termenv.Ascii)
	}
	c := func(light, dark string) lipgloss.AdaptiveColor {
		return lipgloss.AdaptiveColor{Light: light, Dark: dark}
	}
	s := &styles{r: r}
	s.title = r.NewStyle().Bold(true).Foreground(c("#5A3FC0", "#B4A4FF"))
	s.dim = r.NewStyle().Foreground(c("#777777", "#8A8A8A"))
	s.bold = r.NewStyle().Bold(true)
	s.tabOn = r.NewStyle().Bold(true).Reverse(true)
	s.tabOff = r.NewStyle().Foreground(c("#777777", "#8A8A8A"))
	s.levels = map[harness.Level]lipgloss.Style{
		harness.LevelDebug: r.NewStyle().Foreground(c("#888888", "#6C6C6C")),
		harness.LevelInfo:  r.NewStyle().Foreground(c("#1F6FD1", "#6CB6FF")),
		harness.LevelWarn:  r.NewStyle().Foreground(c("#A66A00", "#E5C07B")),
		harness.LevelError: r.NewStyle().Foreground(c("#C0262D", "#FF6B6B")).Bold(true),
	}
	s.match = r.NewStyle().Reverse(true)
	s.cursor = r.NewStyle().Reverse(true)
	s.header = r.NewStyle().Bold(true).Underline(true)
	s.ok = r.NewStyle().Foreground(c("#1A7F37", "#7EE787"))
	s.bad = r.NewStyle().Foreground(c("#C0262D", "#FF6B6B"))
	s.warn = r.NewStyle().Foreground(c("#A66A00", "#E5C07B"))
	s.barFull = r.NewStyle().Foreground(c("#5A3FC0", "#B4A4FF"))
	s.barEmpty = r.NewStyle().Foreground(c("#CCCCCC", "#444444"))
	s.bannerOK = r.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(c("#1A7F37", "#7EE787")).Padding(0, 1)
	s.bannerBad = r.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(c("#C0262D", "#FF6B6B")).Padding(0, 1)
	s.null = r.NewStyle().Italic(true).Foreground(c("#888888", "#6C6C6C"))
	s.colCursor = r.NewStyle().Bold(true).Underline(true).Reverse(true)
	s.hit = r.NewStyle().Bold(true).Underline(true).Foreground(c("#A66A00", "#E5C07B"))
	return s
}

// level returns the style of a log level; unknown levels render plain.
func (s *styles) level(l harness.Level) lipgloss.Style {
	if st, ok := s.levels[l]; ok {
		return st
	}
	return s.r.NewStyle()
}

// helpModel is bubbles/help drawn with our renderer, so that NO_COLOR holds
// for it too and the default renderer never queries the terminal.
func (s *styles) helpModel() help.Model {
	h := help.New()
	h.Styles = help.Styles{
		Ellipsis:       s.dim,
		ShortKey:       s.bold,
		ShortDesc:      s.dim,
		ShortSeparator: s.dim,
		FullKey:        s.bold,
		FullDesc:       s.dim,
		FullSeparator:  s.dim,
	}
	return h
}

// input is a one-line prompt (search, jump to row) drawn with our renderer.
func (s *styles) input(prompt string) textinput.Model {
	ti := textinput.New()
	ti.Prompt = prompt
	ti.PromptStyle = s.bold
	ti.TextStyle = s.r.NewStyle()
	ti.PlaceholderStyle = s.dim
	ti.Cursor.Style = s.cursor
	ti.Cursor.TextStyle = s.r.NewStyle()
	ti.CharLimit = 200
	return ti
}
