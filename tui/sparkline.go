package tui

import (
	"sort"
	"strings"
	"time"

	"connector-dev/harness"
)

// rateSample is a stage's row count at a moment of the run, from its
// progress events: the sparkline's data.
type rateSample struct {
	at   time.Duration // since the run began
	rows int64
}

// maxSamples bounds a stage's samples; past it every other one is
// dropped, so a long run keeps an even picture in bounded memory.
const maxSamples = 1024

// sparkMinBody is the body height from which the dashboard has room for
// the sparkline under the log (a terminal of 34 rows or more): on a
// shorter one the log keeps every line.
const sparkMinBody = 30

// sparkLevels are the eighths of a cell, from idle (a space) to full.
var sparkLevels = []rune(" ▁▂▃▄▅▆▇█")

// sample records a stage's rows at an event's time.
func (d *dashboard) sample(s *stageState, e harness.Event) {
	if e.Stats == nil {
		return
	}
	at := e.Time
	if at.IsZero() {
		at = d.now()
	}
	smp := rateSample{at: max(at.Sub(d.begin), 0), rows: e.Stats.Rows}
	if n := len(s.samples); n > 0 && s.samples[n-1].at > smp.at {
		return // out of order: the picture is of the run going forward
	}
	s.samples = append(s.samples, smp)
	if len(s.samples) > maxSamples {
		kept := s.samples[:0]
		for i, x := range s.samples {
			if i%2 == 0 || i == len(s.samples)-1 {
				kept = append(kept, x)
			}
		}
		s.samples = kept
	}
}

// rowsAt is a stage's row count at t, between its samples linearly: 0
// before the first, the last after it.
func rowsAt(smp []rateSample, t time.Duration) float64 {
	if len(smp) == 0 || t <= 0 {
		return 0
	}
	i := sort.Search(len(smp), func(i int) bool { return smp[i].at >= t })
	if i == len(smp) {
		return float64(smp[i-1].rows)
	}
	prev, x := rateSample{}, smp[i]
	if i > 0 {
		prev = smp[i-1]
	}
	if x.at == prev.at {
		return float64(x.rows)
	}
	f := float64(t-prev.at) / float64(x.at-prev.at)
	return float64(prev.rows) + f*float64(x.rows-prev.rows)
}

// sparkLines are the rows/s of each stage over the run so far, a cell a
// slice of time, on one scale for all stages so they compare; nil when
// the body is too short or no stage has moved rows.
func (d *dashboard) sparkLines() []string {
	if d.height < sparkMinBody || d.width < 40 {
		return nil
	}
	var span time.Duration
	for _, s := range d.stages {
		if n := len(s.samples); n > 0 {
			span = max(span, s.samples[n-1].at)
		}
	}
	if span <= 0 {
		return nil
	}
	const label = 13
	cells := d.width - label - 1 - len("peak 00,000,000 rows/s")
	if cells < 10 {
		return nil
	}
	step := span / time.Duration(cells)
	if step <= 0 {
		step = 1
	}
	rates := make([][]float64, len(d.stages))
	peaks := make([]float64, len(d.stages))
	top := 0.0
	for i, s := range d.stages {
		rates[i] = make([]float64, cells)
		for c := range cells {
			a, b := time.Duration(c)*step, time.Duration(c+1)*step
			r := (rowsAt(s.samples, b) - rowsAt(s.samples, a)) / (b - a).Seconds()
			rates[i][c] = r
			peaks[i] = max(peaks[i], r)
		}
		top = max(top, peaks[i])
	}
	if top <= 0 {
		return nil
	}
	title := "── rows/s over the run (" + duration(span) + ") "
	if w := d.width - len([]rune(title)); w > 0 {
		title += strings.Repeat("─", w)
	}
	out := []string{d.st.dim.Render(fit(title, d.width))}
	for i, s := range d.stages {
		var b strings.Builder
		for _, r := range rates[i] {
			lvl := int(r / top * float64(len(sparkLevels)-1))
			if r > 0 && lvl == 0 {
				lvl = 1 // moving at all shows
			}
			b.WriteRune(sparkLevels[min(lvl, len(sparkLevels)-1)])
		}
		peak := ""
		if peaks[i] > 0 {
			peak = "peak " + count(int64(peaks[i]+0.5)) + " rows/s"
		}
		out = append(out, fit(pad(s.name, label-1)+" "+d.st.barFull.Render(b.String())+" "+peak, d.width))
	}
	return out
}
