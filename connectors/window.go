package connectors

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Window is the job's date window, half-open: Start <= t < End, in UTC.
// A zero Start or End means no bound on that side.
type Window struct {
	Start time.Time
	End   time.Time
}

// Selections are the accepted StartSelectionNM and EndSelectionNM values.
var Selections = []string{"Today", "Yesterday", "Custom"}

// customLayouts are the forms a Custom StartValueTXT/EndValueTXT may take.
// Forms without an offset are read in the job's time zone.
var customLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// Location is the job's fixed time zone from TimezoneOffsetNBR.
func (j *JobDetails) Location() *time.Location {
	secs := int(math.Round(float64(j.TimezoneOffsetNBR) * 3600))
	sign, abs := '+', secs
	if secs < 0 {
		sign, abs = '-', -secs
	}
	return time.FixedZone(fmt.Sprintf("UTC%c%02d:%02d", sign, abs/3600, abs%3600/60), secs)
}

// ResolveWindow resolves the start and end selections against now:
//
//	Today      start: 00:00 today in the job's zone; end: 00:00 tomorrow
//	Yesterday  start: 00:00 yesterday;               end: 00:00 today
//	Custom     StartValueTXT / EndValueTXT: RFC 3339, or "2006-01-02[ 15:04[:05]]"
//	           in the job's zone; an end given as a bare date includes that day
//	""         no bound
func (j *JobDetails) ResolveWindow(now time.Time) (Window, error) {
	if err := j.TimezoneOffsetNBR.check(); err != nil {
		return Window{}, err
	}
	loc := j.Location()
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	var w Window
	var err error
	if w.Start, err = resolveBound("StartSelectionNM", j.StartSelectionNM, "StartValueTXT", j.StartValueTXT, today, loc, false); err != nil {
		return Window{}, err
	}
	if w.End, err = resolveBound("EndSelectionNM", j.EndSelectionNM, "EndValueTXT", j.EndValueTXT, today, loc, true); err != nil {
		return Window{}, err
	}
	if !w.Start.IsZero() && !w.End.IsZero() && !w.Start.Before(w.End) {
		return Window{}, fmt.Errorf("date window is empty: start %s is not before end %s", w.Start.Format(time.RFC3339), w.End.Format(time.RFC3339))
	}
	return w, nil
}

func resolveBound(selField, sel, valField, val string, today time.Time, loc *time.Location, isEnd bool) (time.Time, error) {
	var t time.Time
	switch strings.ToLower(strings.TrimSpace(sel)) {
	case "":
		return time.Time{}, nil
	case "today":
		t = today
		if isEnd {
			t = today.AddDate(0, 0, 1)
		}
	case "yesterday":
		t = today.AddDate(0, 0, -1)
		if isEnd {
			t = today
		}
	case "custom":
		v := strings.TrimSpace(val)
		if v == "" {
			return time.Time{}, fmt.Errorf("%s is Custom but %s is empty: give a date such as 2026-01-31 or 2026-01-31T08:00:00Z", selField, valField)
		}
		var err error
		for _, layout := range customLayouts {
			t, err = time.ParseInLocation(layout, v, loc)
			if err == nil {
				if isEnd && layout == "2006-01-02" {
					t = t.AddDate(0, 0, 1)
				}
				break
			}
		}
		if err != nil {
			return time.Time{}, fmt.Errorf("%s %q is not a date: use RFC 3339 (2026-01-31T08:00:00Z) or 2026-01-31 [15:04[:05]]", valField, v)
		}
		if t.IsZero() {
			// The zero instant means "no bound" in a Window.
			return time.Time{}, fmt.Errorf("%s %q is the zero time: leave %s empty for no bound", valField, v, selField)
		}
	default:
		return time.Time{}, fmt.Errorf("%s %q is not known: use one of %s, or leave it empty for no bound", selField, sel, strings.Join(Selections, ", "))
	}
	return t.UTC(), nil
}
