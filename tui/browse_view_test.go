package tui

import (
	"strings"
	"testing"
)

// TestSortKeys: ] sorts the batch by the cursor's column, down; [ by
// another column, up, keeps the first sort among its ties.
func TestSortKeys(t *testing.T) {
	m := sized(100, 30)
	feed(m, runEvents(0)...)
	openBatch(t, m)
	typeText(m, "llll") // id (pinned), account_name, region, email, score
	press(m, "]")
	tb := m.live.batches.table
	if got := tb.frame.Col("id").Ints[tb.row()]; got != 39 || !strings.Contains(footer(m), "sorted score↓") {
		t.Fatalf("] on score: first row id %d, want 39; footer %q", got, footer(m))
	}
	typeText(m, "hh")
	press(m, "[")
	var got []int64
	for p := 0; p < 3; p++ {
		got = append(got, tb.frame.Col("id").Ints[tb.rowAt(p)])
	}
	// east is first of the regions; among east rows the score sort holds.
	if want := []int64{38, 34, 30}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("region up after score down: ids %v, want %v", got, want)
	}
	if !strings.Contains(footer(m), "sorted region↑ score↓") {
		t.Errorf("the footer does not say the sorts: %q", footer(m))
	}
	// The row numbers are the rows' places in the batch.
	if !strings.Contains(m.View(), ">39       38│account-38") {
		t.Errorf("the cursor row is not numbered 39 (id 38):\n%s", m.View())
	}
}

// TestFreqRunAndFilter: F counts the cursor's column in the batch, a over
// the whole run (read batch by batch), enter filters the rows to a value,
// esc clears the filter.
func TestFreqRunAndFilter(t *testing.T) {
	m := sized(100, 30)
	feed(m, runEvents(0)...)
	openBatch(t, m)
	typeText(m, "ll")
	press(m, "F")
	v := m.View()
	if !strings.Contains(v, "frequency of region:string · batch 1 · 40 rows · 4 values") || !strings.Contains(v, "25.0%") {
		t.Fatalf("F on region:\n%s", v)
	}
	drain(t, m, press(m, "a"))
	v = m.View()
	if !strings.Contains(v, "frequency of region:string · whole run (3 batches) · 120 rows · 4 values") {
		t.Fatalf("a did not count the whole run:\n%s", v)
	}
	if !strings.Contains(v, "> east ") || !strings.Contains(v, "  north    30   25.0%") {
		t.Errorf("the values are not by count, then by name:\n%s", v)
	}
	press(m, "down")
	press(m, "enter")
	if f := footer(m); !strings.Contains(f, "region = north: 10 rows") {
		t.Fatalf("enter on north did not filter the rows: %q\n%s", f, m.View())
	}
	if v := m.View(); strings.Contains(v, "south") || strings.Contains(v, "east ") {
		t.Errorf("the filter shows other regions:\n%s", v)
	}
	press(m, "esc")
	if f := footer(m); strings.Contains(f, "region =") || !strings.Contains(f, "row 1 of 40") {
		t.Errorf("esc did not clear the filter: %q", f)
	}
	if !strings.Contains(m.View(), "[rows]") {
		t.Errorf("esc clearing the filter also closed the batch:\n%s", m.View())
	}
}

// TestFreqNulls: nulls count as one value, ∅, apart from the others, and
// filter like one.
func TestFreqNulls(t *testing.T) {
	m := sized(100, 30)
	feed(m, runEvents(0)...)
	openBatch(t, m)
	typeText(m, "lllllll") // note, the last column
	press(m, "F")
	v := m.View()
	if !strings.Contains(v, "> ∅ ") || !strings.Contains(v, "26   65.0%") {
		t.Fatalf("the nulls of note are not first, 26 of 40:\n%s", v)
	}
	press(m, "enter")
	if f := footer(m); !strings.Contains(f, "note = ∅: 26 rows") {
		t.Errorf("enter on ∅ did not filter to the nulls: %q", f)
	}
}
