package tui

import (
	"strings"
	"time"

	"connector-dev/harness"
)

// barsMinWidth is the width from which the batch list has room for each
// batch's size and time as bars; narrower, it keeps the columns it had.
const barsMinWidth = 100

// barCells is how wide each bar is.
const barCells = 10

// batchClock remembers, per stage, when its last batch (or its start)
// was reported, so each batch's time is the time its stage took for it:
// from the previous batch of the stage, or from the stage's start.
type batchClock map[string]time.Time

// since is the time e's stage took for the batch e reports (0 for other
// events, or when the clock has no earlier mark), and moves the clock.
func (c batchClock) since(e harness.Event) time.Duration {
	if e.Time.IsZero() {
		return 0
	}
	switch e.Kind {
	case harness.EventStageStarted:
		c[e.Stage] = e.Time
	case harness.EventBatchWritten, harness.EventBatchRead:
		last, ok := c[e.Stage]
		c[e.Stage] = e.Time
		if ok {
			return max(e.Time.Sub(last), 0)
		}
	}
	return 0
}

// barsWidth is the room the bars take on a list line, 0 when they do not
// show.
func (b *batchBrowser) barsWidth() int {
	if b.width < barsMinWidth {
		return 0
	}
	w := 1 + barCells
	if b.timed() {
		w += 1 + 7 + 1 + barCells
	}
	return w
}

// timed says some batch has a time: a live run's do, a past run's not
// (its report keeps no time per batch).
func (b *batchBrowser) timed() bool {
	for _, it := range b.items {
		if it.took > 0 {
			return true
		}
	}
	return false
}

// barsHead is the bars' heading.
func (b *batchBrowser) barsHead() string {
	if b.barsWidth() == 0 {
		return ""
	}
	h := "  " + pad("SIZE", barCells) // after FORMAT, as wide as "parquet"
	if b.timed() {
		h += " " + padLeft("TIME", 7)
	}
	return h
}

// barsCells are one batch's bars: its bytes against the biggest batch's,
// its time against the slowest's, so an oversized or slow batch stands
// out at a glance.
func (b *batchBrowser) barsCells(it batchItem) string {
	if b.barsWidth() == 0 {
		return ""
	}
	var big int64
	var slow time.Duration
	for _, x := range b.items {
		big, slow = max(big, x.info.Bytes), max(slow, x.took)
	}
	s := " " + b.bar(float64(it.info.Bytes), float64(big))
	if b.timed() {
		t := "-"
		if it.took > 0 {
			t = duration(it.took)
		}
		s += " " + padLeft(t, 7) + " " + b.bar(float64(it.took), float64(slow))
	}
	return s
}

// bar is v of top as a bar of barCells cells, in eighths of a cell; any
// v above 0 shows.
func (b *batchBrowser) bar(v, top float64) string {
	if top <= 0 || v <= 0 {
		return strings.Repeat(" ", barCells)
	}
	eighths := int(v / top * barCells * 8)
	eighths = max(eighths, 1)
	full, part := eighths/8, eighths%8
	s := strings.Repeat("█", full)
	if part > 0 && full < barCells {
		s += string([]rune(" ▏▎▍▌▋▊▉")[part])
	}
	return b.st.barFull.Render(pad(s, barCells))
}

// barsPad is a list line's bars after its format, which is padded to the
// heading's FORMAT column first; "" when the bars do not show.
func (b *batchBrowser) barsPad(it batchItem) string {
	if b.barsWidth() == 0 {
		return ""
	}
	return strings.Repeat(" ", max(7-len(it.info.Format), 0)) + b.barsCells(it)
}
