package connectors

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func FuzzParseMapping(f *testing.F) {
	for _, s := range []string{
		"", "{}", "null", `{"columns":[]}`,
		`{"columns":[{"source":"Id","destination":"account_id"},{"source":"Name"}]}`,
		`{"columns":[{"source":" a ","destination":""},{"source":"b","destination":"a"}]}`,
		`{"columns":[{"source":"Id"}]} {}`, `{"columns":[{"source":"Id","x":1}]}`, `[]`, `{"columns":[{"source":"\u00e9"}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		m, err := ParseMapping(text)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "JobDataJSON: ") {
				t.Errorf("error %q does not name JobDataJSON", err)
			}
			if len(m.Columns) != 0 {
				t.Errorf("mapping %v returned with an error", m)
			}
			return
		}
		src, dst := m.SourceColumns(), m.DestinationColumns()
		if len(src) != len(dst) || len(src) != len(m.Columns) {
			t.Fatalf("%d sources, %d destinations for %d columns", len(src), len(dst), len(m.Columns))
		}
		seenSrc, seenDst := map[string]bool{}, map[string]bool{}
		for i := range src {
			for _, n := range []string{src[i], dst[i]} {
				if n == "" || n != strings.TrimSpace(n) {
					t.Errorf("column %d has an empty or untrimmed name %q", i, n)
				}
			}
			if seenSrc[src[i]] || seenDst[dst[i]] {
				t.Errorf("column %d (%s -> %s) repeats a name", i, src[i], dst[i])
			}
			seenSrc[src[i]], seenDst[dst[i]] = true, true
		}
		// What was accepted reads back the same once written out.
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseMapping(string(out))
		if err != nil {
			t.Fatalf("ParseMapping(%s), the marshalled form of an accepted mapping: %v", out, err)
		}
		if len(back.Columns) != len(m.Columns) || (len(m.Columns) > 0 && !reflect.DeepEqual(back, m)) {
			t.Errorf("round trip: %v, want %v", back, m)
		}
	})
}

func FuzzResolveWindow(f *testing.F) {
	f.Add("Today", "", "Today", "", 0.0, int64(1772335800))
	f.Add("Yesterday", "", "", "", -5.0, int64(1767211200))
	f.Add("Custom", "2026-01-01", "Custom", "2026-01-31", 5.75, int64(0))
	f.Add("custom", "2026-01-31T08:00:00Z", "CUSTOM", "2026-02-01 17:30", 14.0, int64(1772335800))
	f.Add("Custom", "2026-01-31T08:00:00.5+02:00", "Today", "x", -14.0, int64(-1))
	f.Add("Tomorrow", "", "Custom", "", 99.0, int64(1))
	f.Add("", "", "Custom", "0001-01-01T00:00:00Z", 5.3, int64(1))
	f.Fuzz(func(t *testing.T, start, startVal, end, endVal string, offset float64, nowUnix int64) {
		j := &JobDetails{StartSelectionNM: start, StartValueTXT: startVal, EndSelectionNM: end, EndValueTXT: endVal,
			TimezoneOffsetNBR: FlexFloat(offset)}
		now := time.Unix(nowUnix, 0)
		w, err := j.ResolveWindow(now)
		offsetOK := !math.IsNaN(offset) && offset >= -14 && offset <= 14 && offset*4 == math.Trunc(offset*4)
		if err != nil {
			if w != (Window{}) {
				t.Errorf("window %v returned with error %v", w, err)
			}
			if !offsetOK && !strings.HasPrefix(err.Error(), "TimezoneOffsetNBR is ") {
				t.Errorf("offset %v: error %q does not name TimezoneOffsetNBR", offset, err)
			}
			return
		}
		if !offsetOK {
			t.Fatalf("offset %v accepted", offset)
		}
		if !w.Start.IsZero() && !w.End.IsZero() && !w.Start.Before(w.End) {
			t.Errorf("window [%s, %s) is empty", w.Start, w.End)
		}
		for _, b := range []time.Time{w.Start, w.End} {
			if !b.IsZero() && b.Location() != time.UTC {
				t.Errorf("bound %s is not UTC", b)
			}
		}
		for _, bound := range []struct {
			sel string
			at  time.Time
		}{{start, w.Start}, {end, w.End}} {
			if strings.TrimSpace(bound.sel) == "" && !bound.at.IsZero() {
				t.Errorf("no selection gave the bound %s", bound.at)
			}
		}
		// Within calendar years a clock can show, Today holds now and
		// days are 24 hours in a fixed zone.
		if y := now.UTC().Year(); y > 1 && y < 9999 {
			if strings.EqualFold(strings.TrimSpace(start), "today") && strings.EqualFold(strings.TrimSpace(end), "today") {
				if now.Before(w.Start) || !now.Before(w.End) || w.End.Sub(w.Start) != 24*time.Hour {
					t.Errorf("Today [%s, %s) does not hold now %s in a 24-hour day", w.Start, w.End, now.UTC())
				}
			}
		}
	})
}

func FuzzJobJSON(f *testing.F) {
	for _, s := range []string{
		`{"ETLJobNM":"a","SourceConnectorNM":"s","UpdateMethodCD":1,"JobDataJSON":"{\"columns\":[{\"source\":\"Id\"}]}"}`,
		`{"ETLJobNM":"a","JobDataJSON":{"columns":[]},"TimezoneOffsetNBR":"-5.5","VersionNBR":3,"SourceConnectorID":"7"}`,
		`{"TimezoneOffsetNBR":"NaN","StartSelectionNM":"Custom","StartValueTXT":"2026-01-01"}`,
		`{"JobDataJSON":null,"VersionNBR":null,"TimezoneOffsetNBR":""}`,
		`{"JobDataJSON":[1,2],"UpdateMethodCD":2,"ETLJobNM":".."}`,
		`[]`, `null`, `{"TimezoneOffsetNBR":1e400}`,
	} {
		f.Add([]byte(s))
	}
	fields := []string{"ETLJobNM", "SourceConnectorNM", "UpdateMethodCD", "TimezoneOffsetNBR", "JobDataJSON"}
	f.Fuzz(func(t *testing.T, data []byte) {
		var j JobDetails
		if err := json.Unmarshal(data, &j); err != nil {
			return
		}
		errs := j.Validate()
		for _, err := range errs {
			named := false
			for _, fd := range fields {
				named = named || strings.HasPrefix(err.Error(), fd)
			}
			if !named {
				t.Errorf("Validate error %q names no field", err)
			}
		}
		_, _ = j.ResolveWindow(time.Unix(1772335800, 0))
		if len(errs) > 0 {
			return
		}
		// A valid job survives being written out and read back, as a job
		// saved beside a run's report is.
		out, err := json.Marshal(&j)
		if err != nil {
			t.Fatalf("marshal a valid job: %v", err)
		}
		var back JobDetails
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("read back %s: %v", out, err)
		}
		if !reflect.DeepEqual(back, j) {
			t.Errorf("round trip\n got %+v\nwant %+v", back, j)
		}
	})
}
