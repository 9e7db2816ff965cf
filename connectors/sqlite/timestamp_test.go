package sqlite

import (
	"math"
	"testing"
	"time"
)

// FuzzAppendTimestamp checks the fast formatter against time.Format for any
// instant and zone.
func FuzzAppendTimestamp(f *testing.F) {
	f.Add(int64(1_767_225_600), int64(0), 0)
	f.Add(int64(1_767_225_600), int64(123_456_789), 3600)
	f.Add(int64(0), int64(100_000), -5*3600)
	f.Add(int64(-62_135_596_800), int64(999_999_999), 0)              // year 1
	f.Add(int64(253_402_300_799), int64(1_000), 0)                    // 9999-12-31 23:59:59
	f.Add(int64(253_402_300_800), int64(0), 0)                        // year 10000
	f.Add(int64(-62_167_219_201), int64(0), 0)                        // year -1
	f.Add(int64(math.MaxInt64-62_135_596_800), int64(999_999_999), 0) // the last instant
	f.Add(int64(math.MinInt64+2*62_135_596_800), int64(999_999), 0)   // a 12-digit negative year
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int) {
		tm := time.Unix(sec, nsec%1_000_000_000).In(time.FixedZone("z", offset%(24*3600)))
		got := string(appendTimestamp([]byte("x"), tm))
		if want := "x" + tm.UTC().Format(TimeLayout); got != want {
			t.Errorf("appendTimestamp(%v) = %q, want %q", tm, got, want)
		}
	})
}

func BenchmarkAppendTimestamp(b *testing.B) {
	tm := time.Date(2026, 5, 6, 7, 8, 9, 123_000, time.UTC)
	var buf []byte
	for b.Loop() {
		buf = appendTimestamp(buf[:0], tm)
	}
}

// FuzzAppendMicros checks the arithmetic formatter against time.Format for
// any microsecond an int64 holds.
func FuzzAppendMicros(f *testing.F) {
	for _, us := range []int64{0, -1, 1, 1_767_225_600_123_456, -62_135_596_800_000_000, -62_135_596_800_000_001,
		253_402_300_799_999_999, 253_402_300_800_000_000, 951_782_400_000_000 /* 2000-02-29 */, math.MaxInt64, math.MinInt64} {
		f.Add(us)
	}
	f.Fuzz(func(t *testing.T, us int64) {
		got := string(appendMicros([]byte("x"), us))
		if want := "x" + time.UnixMicro(us).UTC().Format(TimeLayout); got != want {
			t.Errorf("appendMicros(%d) = %q, want %q", us, got, want)
		}
	})
}
