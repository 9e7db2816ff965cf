package tui

import (
	"slices"

	"connector-dev/harness"
)

// toggleMark marks the run under the cursor for diff, or unmarks it. A
// third mark drops the first, so two runs are always the last two marked.
func (l *runList) toggleMark() {
	if len(l.runs) == 0 {
		return
	}
	id := l.runs[l.cursor].RunID
	if i := slices.Index(l.marked, id); i >= 0 {
		l.marked = slices.Delete(l.marked, i, i+1)
		return
	}
	l.marked = append(l.marked, id)
	if len(l.marked) > 2 {
		l.marked = l.marked[1:]
	}
}

func (l *runList) isMarked(id string) bool { return slices.Contains(l.marked, id) }

// pair is the two marked runs, a the older (lower in the newest-first
// list), as `diff A B` wants them; ok is false unless two are marked.
func (l *runList) pair() (a, b string, ok bool) {
	if len(l.marked) != 2 {
		return "", "", false
	}
	ia := slices.IndexFunc(l.runs, func(r harness.Report) bool { return r.RunID == l.marked[0] })
	ib := slices.IndexFunc(l.runs, func(r harness.Report) bool { return r.RunID == l.marked[1] })
	if ia < ib {
		ia, ib = ib, ia
	}
	return l.runs[ia].RunID, l.runs[ib].RunID, true
}
