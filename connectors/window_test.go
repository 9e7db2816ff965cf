package connectors

import (
	"math"
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestResolveWindow(t *testing.T) {
	// 03:30 UTC on 1 March 2026 is still 28 February west of UTC-3:30,
	// and 2026 is not a leap year: the month boundary is crossed both ways.
	march := utc("2026-03-01T03:30:00Z")
	// 20:00 UTC on New Year's Eve is already 2026 east of UTC+4.
	newYear := utc("2025-12-31T20:00:00Z")
	// The US moved to summer time on 8 March 2026; a fixed offset does not.
	dst := utc("2026-03-08T12:00:00Z")

	type sel struct{ start, startVal, end, endVal string }
	today := sel{start: "Today", end: "Today"}
	yesterday := sel{start: "Yesterday", end: "Yesterday"}
	tests := []struct {
		name   string
		now    time.Time
		offset FlexFloat
		sel    sel
		start  string // "" for no bound
		end    string
	}{
		{"today UTC", march, 0, today, "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"},
		{"yesterday UTC", march, 0, yesterday, "2026-02-28T00:00:00Z", "2026-03-01T00:00:00Z"},
		{"today -5 is still February", march, -5, today, "2026-02-28T05:00:00Z", "2026-03-01T05:00:00Z"},
		{"yesterday -5", march, -5, yesterday, "2026-02-27T05:00:00Z", "2026-02-28T05:00:00Z"},
		{"today +5.5", march, 5.5, today, "2026-02-28T18:30:00Z", "2026-03-01T18:30:00Z"},
		{"yesterday +5.5", march, 5.5, yesterday, "2026-02-27T18:30:00Z", "2026-02-28T18:30:00Z"},
		{"today +5.75", march, 5.75, today, "2026-02-28T18:15:00Z", "2026-03-01T18:15:00Z"},
		{"today +14", march, 14, today, "2026-02-28T10:00:00Z", "2026-03-01T10:00:00Z"},
		{"today -14", march, -14, today, "2026-02-28T14:00:00Z", "2026-03-01T14:00:00Z"},
		{"yesterday -14", march, -14, yesterday, "2026-02-27T14:00:00Z", "2026-02-28T14:00:00Z"},
		{"today +5.5 is already next year", newYear, 5.5, today, "2025-12-31T18:30:00Z", "2026-01-01T18:30:00Z"},
		{"yesterday +5.5 is last year", newYear, 5.5, yesterday, "2025-12-30T18:30:00Z", "2025-12-31T18:30:00Z"},
		{"today +14 new year", newYear, 14, today, "2025-12-31T10:00:00Z", "2026-01-01T10:00:00Z"},
		{"today -5 is still last year", newYear, -5, today, "2025-12-31T05:00:00Z", "2026-01-01T05:00:00Z"},
		{"yesterday -5 across new year", utc("2026-01-01T04:59:59Z"), -5, yesterday, "2025-12-30T05:00:00Z", "2025-12-31T05:00:00Z"},
		{"fixed zone keeps 24 hours over a DST change", dst, -5, today, "2026-03-08T05:00:00Z", "2026-03-09T05:00:00Z"},
		{"now in another zone is the same instant", march.In(time.FixedZone("X", -11*3600)), 0, today, "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"},
		{"selection case and spaces", march, 0, sel{start: " yesterday ", end: "TODAY"}, "2026-02-28T00:00:00Z", "2026-03-02T00:00:00Z"},

		{"no bounds", march, -5, sel{}, "", ""},
		{"start only", march, -5, sel{start: "Yesterday"}, "2026-02-27T05:00:00Z", ""},
		{"end only", march, -5, sel{end: "Today"}, "", "2026-03-01T05:00:00Z"},
		{"value ignored unless Custom", march, 0, sel{start: "Today", startVal: "garbage", end: "Today", endVal: "x"}, "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"},

		{"custom dates: the end day is included", march, 0, sel{"Custom", "2026-01-01", "Custom", "2026-01-31"}, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"},
		{"custom dates -5", march, -5, sel{"Custom", "2026-01-01", "Custom", "2026-01-31"}, "2026-01-01T05:00:00Z", "2026-02-01T05:00:00Z"},
		{"custom dates +5.5", march, 5.5, sel{"Custom", "2026-01-01", "Custom", "2026-01-31"}, "2025-12-31T18:30:00Z", "2026-01-31T18:30:00Z"},
		{"custom one day +14 over new year", march, 14, sel{"Custom", "2025-12-31", "Custom", "2025-12-31"}, "2025-12-30T10:00:00Z", "2025-12-31T10:00:00Z"},
		{"custom one day -14", march, -14, sel{"Custom", "2026-02-28", "Custom", "2026-02-28"}, "2026-02-28T14:00:00Z", "2026-03-01T14:00:00Z"},
		{"custom RFC 3339 keeps its own offset", march, -5, sel{"Custom", "2026-01-31T08:00:00Z", "Custom", "2026-02-01T08:00:00+02:00"}, "2026-01-31T08:00:00Z", "2026-02-01T06:00:00Z"},
		{"custom RFC 3339 fraction", march, 0, sel{"Custom", "2026-01-31T08:00:00.25Z", "", ""}, "2026-01-31T08:00:00.25Z", ""},
		{"custom minutes in the job's zone, end not widened", march, -5, sel{"Custom", "2026-01-31 08:00", "Custom", "2026-01-31 17:30"}, "2026-01-31T13:00:00Z", "2026-01-31T22:30:00Z"},
		{"custom minutes +5.75 across midnight", march, 5.75, sel{"Custom", "2026-01-01 00:00", "Custom", "2026-01-01 06:00"}, "2025-12-31T18:15:00Z", "2026-01-01T00:15:00Z"},
		{"custom T and seconds forms", march, 0, sel{"Custom", "2026-01-31T08:00", "Custom", "2026-01-31 08:00:05"}, "2026-01-31T08:00:00Z", "2026-01-31T08:00:05Z"},
		{"custom T seconds", march, 0, sel{"Custom", "2026-01-31T08:00:05", "", ""}, "2026-01-31T08:00:05Z", ""},
		{"custom value with spaces", march, 0, sel{"custom", " 2026-01-31 ", "", ""}, "2026-01-31T00:00:00Z", ""},
		{"custom start, today end", march, 0, sel{start: "Custom", startVal: "2026-02-01", end: "Today"}, "2026-02-01T00:00:00Z", "2026-03-02T00:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := &JobDetails{TimezoneOffsetNBR: tc.offset, StartSelectionNM: tc.sel.start, StartValueTXT: tc.sel.startVal,
				EndSelectionNM: tc.sel.end, EndValueTXT: tc.sel.endVal}
			w, err := j.ResolveWindow(tc.now)
			if err != nil {
				t.Fatal(err)
			}
			var want Window
			if tc.start != "" {
				want.Start = utc(tc.start)
			}
			if tc.end != "" {
				want.End = utc(tc.end)
			}
			if !w.Start.Equal(want.Start) || !w.End.Equal(want.End) {
				t.Errorf("window [%s, %s), want [%s, %s)", w.Start.Format(time.RFC3339Nano), w.End.Format(time.RFC3339Nano),
					want.Start.Format(time.RFC3339Nano), want.End.Format(time.RFC3339Nano))
			}
			for _, b := range []time.Time{w.Start, w.End} {
				if !b.IsZero() && b.Location() != time.UTC {
					t.Errorf("bound %s is not in UTC", b)
				}
			}
		})
	}
}

func TestResolveWindowErrors(t *testing.T) {
	now := utc("2026-03-01T03:30:00Z")
	tests := []struct {
		name string
		job  JobDetails
		want string
	}{
		{"unknown start", JobDetails{StartSelectionNM: "Tomorrow"},
			`StartSelectionNM "Tomorrow" is not known: use one of Today, Yesterday, Custom, or leave it empty for no bound`},
		{"unknown end", JobDetails{EndSelectionNM: "LastWeek"},
			`EndSelectionNM "LastWeek" is not known: use one of Today, Yesterday, Custom, or leave it empty for no bound`},
		{"custom start without value", JobDetails{StartSelectionNM: "Custom", StartValueTXT: "  "},
			"StartSelectionNM is Custom but StartValueTXT is empty: give a date such as 2026-01-31 or 2026-01-31T08:00:00Z"},
		{"custom end without value", JobDetails{EndSelectionNM: "Custom"},
			"EndSelectionNM is Custom but EndValueTXT is empty: give a date such as 2026-01-31 or 2026-01-31T08:00:00Z"},
		{"bad start value", JobDetails{StartSelectionNM: "Custom", StartValueTXT: "31/01/2026"},
			`StartValueTXT "31/01/2026" is not a date: use RFC 3339 (2026-01-31T08:00:00Z) or 2026-01-31 [15:04[:05]]`},
		{"bad end value", JobDetails{EndSelectionNM: "Custom", EndValueTXT: "2026-02-30"},
			`EndValueTXT "2026-02-30" is not a date: use RFC 3339 (2026-01-31T08:00:00Z) or 2026-01-31 [15:04[:05]]`},
		{"start equals end", JobDetails{StartSelectionNM: "Today", EndSelectionNM: "Yesterday"},
			"date window is empty: start 2026-03-01T00:00:00Z is not before end 2026-03-01T00:00:00Z"},
		{"start after end", JobDetails{StartSelectionNM: "Custom", StartValueTXT: "2026-02-01", EndSelectionNM: "Custom", EndValueTXT: "2026-01-01T12:00:00Z", TimezoneOffsetNBR: -5},
			"date window is empty: start 2026-02-01T05:00:00Z is not before end 2026-01-01T12:00:00Z"},
		{"offset 99", JobDetails{TimezoneOffsetNBR: 99}, "TimezoneOffsetNBR is 99: use hours from -14 to 14, such as -5 or 5.5"},
		{"offset -14.25", JobDetails{TimezoneOffsetNBR: -14.25}, "TimezoneOffsetNBR is -14.25: use hours from -14 to 14, such as -5 or 5.5"},
		{"offset NaN", JobDetails{TimezoneOffsetNBR: FlexFloat(math.NaN())}, "TimezoneOffsetNBR is NaN: use hours from -14 to 14, such as -5 or 5.5"},
		{"offset 5.3", JobDetails{TimezoneOffsetNBR: 5.3}, "TimezoneOffsetNBR is 5.3: use whole quarter hours, such as 5.5 or 5.75"},
		{"offset -0.1", JobDetails{TimezoneOffsetNBR: -0.1}, "TimezoneOffsetNBR is -0.1: use whole quarter hours, such as 5.5 or 5.75"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := tc.job.ResolveWindow(now)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("ResolveWindow = %v, %v; want error %q", w, err, tc.want)
			}
			if w != (Window{}) {
				t.Errorf("window %v returned with the error, want none", w)
			}
		})
	}
}

func TestLocationOffset(t *testing.T) {
	for _, tc := range []struct {
		hours FlexFloat
		secs  int
	}{{0, 0}, {-5, -5 * 3600}, {5.5, 5*3600 + 1800}, {5.75, 5*3600 + 2700}, {-9.5, -(9*3600 + 1800)}, {14, 14 * 3600}, {-14, -14 * 3600}} {
		_, got := time.Date(2026, 1, 1, 0, 0, 0, 0, (&JobDetails{TimezoneOffsetNBR: tc.hours}).Location()).Zone()
		if got != tc.secs {
			t.Errorf("Location for %v hours is %d s east of UTC, want %d", tc.hours, got, tc.secs)
		}
	}
}
