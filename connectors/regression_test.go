package connectors

import (
	"testing"
	"time"
)

func TestRegressionParseMappingTrailingCloser(t *testing.T) {
	for _, in := range []string{`{"columns":[]}}`, `{"columns":[{"source":"Id"}]}]`} {
		if _, err := ParseMapping(in); err == nil {
			t.Errorf("ParseMapping(%s) accepted text that is not JSON", in)
		}
	}
}

func TestRegressionReserveDirectNullable(t *testing.T) {
	f := FrameOf(&Column{Field: Field{Name: "a", Type: String, Nullable: true}, Strings: []string{"x", "y"}})
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	f.Reserve(10)
	if err := f.Validate(); err != nil {
		t.Errorf("Validate after Reserve: %v", err)
	}
}

func TestRegressionAppendDirectNullable(t *testing.T) {
	f := FrameOf(&Column{Field: Field{Name: "a", Type: String, Nullable: true}, Strings: []string{"x", "y"}})
	if err := f.AppendRow(nil); err != nil {
		t.Fatal(err)
	}
	if v := f.Col("a").Value(0); v != "x" {
		t.Errorf("row 0 is %v after appending a null row 2, want x", v)
	}
	if err := f.Validate(); err != nil {
		t.Errorf("Validate after AppendRow: %v", err)
	}
}

func TestRegressionLocationName(t *testing.T) {
	for h, want := range map[FlexFloat]string{5.75: "UTC+05:45", 10.5: "UTC+10:30", 12.75: "UTC+12:45", -9.5: "UTC-09:30"} {
		if got := (&JobDetails{TimezoneOffsetNBR: h}).Location().String(); got != want {
			t.Errorf("Location() for %v is named %q, want %q", h, got, want)
		}
	}
}

func TestRegressionCustomYearOneEnd(t *testing.T) {
	w, err := (&JobDetails{EndSelectionNM: "Custom", EndValueTXT: "0001-01-01T00:00:00Z"}).ResolveWindow(time.Now())
	if err == nil && w.End.IsZero() {
		t.Errorf("End Custom 0001-01-01T00:00:00Z resolved to no bound")
	}
}
