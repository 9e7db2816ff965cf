package connectors

import (
	"strconv"
	"strings"
	"testing"
)

// Thousands groups digits by three and keeps the value: removing the
// commas gives the number back.
func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 200000: "200,000", -1234567: "-1,234,567", 9223372036854775807: "9,223,372,036,854,775,807"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
		if back, err := strconv.ParseInt(strings.ReplaceAll(Thousands(n), ",", ""), 10, 64); err != nil || back != n {
			t.Errorf("Thousands(%d) does not read back: %v %d", n, err, back)
		}
	}
}
