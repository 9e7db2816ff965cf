package harness

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestNumber(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", 5000: "5,000", 200000: "200,000",
		3800000: "3,800,000", -1234567: "-1,234,567", math.MinInt64: "-9,223,372,036,854,775,808",
	} {
		if got := Number(n); got != want {
			t.Errorf("Number(%d) = %q, want %q", n, got, want)
		}
	}
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "0 batches"}, {1, "1 batch"}, {2, "2 batches"}, {1000, "1,000 batches"}} {
		if got := Quantity(c.n, "batch", "batches"); got != c.want {
			t.Errorf("Quantity(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// Removing the separators gives the number back, for any number.
func FuzzNumber(f *testing.F) {
	f.Add(int64(0))
	f.Add(int64(-1000))
	f.Add(int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, n int64) {
		s := Number(n)
		if back, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64); err != nil || back != n {
			t.Fatalf("Number(%d) = %q reads back as %d (%v)", n, s, back, err)
		}
		for _, g := range strings.Split(strings.TrimPrefix(s, "-"), ",")[1:] {
			if len(g) != 3 {
				t.Fatalf("Number(%d) = %q: group %q", n, s, g)
			}
		}
	})
}
