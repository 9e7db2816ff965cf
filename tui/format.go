package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"connector-dev/harness"
)

// count renders n with thousands separators: 1,234,567.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// bytesize renders a byte count in binary units: 512 B, 48.2 KiB, 3.0 MiB.
func bytesize(n int64) string { return harness.HumanBytes(n) }

// number renders a float64 the way JavaScript's String(x) does, so that a
// value reads the same here as in the JSON a connector author knows: plain
// digits from 1e-6 up to 1e21 (84947165.7, not 8.49471657e+07), exponent
// notation outside that, NaN and ±Inf as Go spells them.
func number(v float64) string {
	if a := math.Abs(v); a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// duration renders a span the way a person reads it: 850ms, 12.3s, 4m05s, 1h02m.
func duration(d time.Duration) string {
	switch {
	case d < 0:
		d = 0
		fallthrough
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// clock renders an elapsed time as a ticking clock: 00:12, 1:02:03.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d.Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// rate renders rows per second, or "" when no time has passed.
func rate(rows int64, seconds float64) string {
	if seconds <= 0 {
		return ""
	}
	return count(int64(float64(rows)/seconds+0.5)) + " rows/s"
}

// fit cuts a rendered line to width cells, marking the cut with an ellipsis.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

// fitLeft cuts a plain string to width cells from the left, keeping its end
// (the informative part of an S3 key), and pads it to width.
func fitLeft(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if w := ansi.StringWidth(s); w > width {
		s = "…" + ansi.TruncateLeft(s, w-width+1, "")
	}
	return pad(s, width)
}

// pad right-pads a plain string with spaces to width cells, cutting it with an
// ellipsis if it is longer.
func pad(s string, width int) string {
	s = fit(s, width)
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// padLeft right-aligns a plain string in width cells.
func padLeft(s string, width int) string {
	s = fit(s, width)
	if w := ansi.StringWidth(s); w < width {
		s = strings.Repeat(" ", width-w) + s
	}
	return s
}

// spread puts left and right on one line of width cells, right-aligned, cutting
// left first when both do not fit.
func spread(left, right string, width int) string {
	rw := lipgloss.Width(right)
	if rw >= width {
		return fit(right, width)
	}
	left = fit(left, width-rw-1)
	gap := width - lipgloss.Width(left) - rw
	return left + strings.Repeat(" ", gap) + right
}
