package tui

import (
	"fmt"
	"strings"
	"testing"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// The frequency table's title counts values as the summary's DISTINCT
// does, nulls apart; past its cap it says the count is a lower bound.
func TestFreqTitleCountsAsSummary(t *testing.T) {
	c := &connectors.Column{Field: connectors.Field{Name: "v", Type: connectors.String, Nullable: true}}
	for i := 0; i < 20; i++ {
		c.Strings = append(c.Strings, fmt.Sprintf("x%d", i%6))
		c.Null = append(c.Null, i%7 == 0)
	}
	s := harness.NewSummarizer(harness.SummaryOptions{})
	if err := s.Add(connectors.FrameOf(c)); err != nil {
		t.Fatal(err)
	}
	distinct := s.Result()[0].Distinct
	v := &freqView{col: "v", typ: "string", where: "batch 1", counter: newFreqCounter(freqLimit)}
	v.counter.addColumn(c)
	v.finish()
	if want := fmt.Sprintf("· 20 rows · %d values + null", distinct); !strings.HasSuffix(v.title(), want) {
		t.Errorf("title %q, want it to end %q (the summary's distinct is %d)", v.title(), want, distinct)
	}

	u := &connectors.Column{Field: connectors.Field{Name: "u", Type: connectors.String}}
	for i := 0; i < 300; i++ {
		u.Strings = append(u.Strings, fmt.Sprintf("u%d", i))
	}
	p := &freqView{col: "u", typ: "string", where: "batch 1", counter: newFreqCounter(100)}
	p.counter.addColumn(u)
	p.finish()
	if want := "· 300 rows · ≥ 100 values (approximate)"; !strings.HasSuffix(p.title(), want) {
		t.Errorf("capped title %q, want it to end %q", p.title(), want)
	}
}
