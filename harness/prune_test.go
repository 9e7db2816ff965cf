package harness

import (
	"strings"
	"testing"
	"time"
)

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"7d": 7 * 24 * time.Hour, "36h": 36 * time.Hour, "90m": 90 * time.Minute, "1d12h": 36 * time.Hour, " 2d ": 48 * time.Hour, "1h30m": 90 * time.Minute,
	} {
		if got, err := ParseAge(in); err != nil || got != want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "0d", "-1h", "7", "d", "xd", "1d-2h", "7days", "1.5d", "999999999d"} {
		if d, err := ParseAge(in); err == nil {
			t.Errorf("ParseAge(%q) = %v, want an error", in, d)
		} else if !strings.Contains(err.Error(), "7d") {
			t.Errorf("ParseAge(%q): %q does not show an example", in, err)
		}
	}
}

// Whatever the input, ParseAge gives a positive age or an error naming it.
func FuzzParseAge(f *testing.F) {
	for _, s := range []string{"7d", "1d12h", "36h", "-1d", "0d0h", "9223372036854775807d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseAge(s)
		if err != nil {
			if !strings.Contains(err.Error(), "7d") && !strings.Contains(err.Error(), "e.g.") {
				t.Fatalf("%q: error %q shows no example", s, err)
			}
			return
		}
		if d <= 0 {
			t.Fatalf("ParseAge(%q) = %v, not positive", s, d)
		}
	})
}
