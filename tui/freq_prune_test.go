package tui

import (
	"fmt"
	"reflect"
	"testing"

	"connector-dev/connectors"
)

// Past its limit the table keeps the most frequent half, ties by value,
// however many counts are equal: a column of unique values does not empty
// the table, and the same column always keeps the same values.
func TestFreqCounterPruneKeepsHalf(t *testing.T) {
	c := &connectors.Column{Field: connectors.Field{Name: "v", Type: connectors.String}}
	c.Strings = []string{"hot", "hot", "warm", "warm"}
	for i := 9; i >= 0; i-- { // unique values, one each, arriving out of order
		c.Strings = append(c.Strings, fmt.Sprintf("u%d", i))
	}
	fc := newFreqCounter(10) // u1, the 11th distinct value, prunes to 5: u4..u9 go
	fc.addColumn(c)
	want := []freqEntry{
		{value: "hot", count: 2}, {value: "warm", count: 2},
		{value: "u0", count: 1}, // arrived after the prune
		{value: "u1", count: 1}, {value: "u2", count: 1}, {value: "u3", count: 1},
	}
	if got := fc.entries(); !reflect.DeepEqual(got, want) {
		t.Errorf("entries after a prune = %+v, want %+v", got, want)
	}
	if !fc.pruned || fc.dropped != 6 || fc.rows != 14 {
		t.Errorf("pruned %v, dropped %d, rows %d; want pruned, 6 dropped of 14", fc.pruned, fc.dropped, fc.rows)
	}
}
