package config

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func cells(kv ...string) SampleRow {
	var r SampleRow
	for i := 0; i+1 < len(kv); i += 2 {
		r = append(r, SampleCell{Name: kv[i], Value: kv[i+1]})
	}
	return r
}

// Written samples read back as the same values, also the texts YAML
// would take for something else (a null, a number, a list).
func TestUpdateSamplesRoundTrip(t *testing.T) {
	rows := []SampleRow{
		cells("id", "1", "name", "~", "note", "null", "empty", ""),
		cells("id", "2", "name", "a: b", "note", "- x", "empty", "#c"),
		append(cells("id", "3", "name", "12.5", "note", "true"), SampleCell{Name: "empty", Value: "~", Null: true}),
	}
	out, changes, err := UpdateExpectations("x.expect.yaml", []byte("# mine\nexit: success\n"), ExpectUpdate{Samples: rows})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"samples: (none) -> 3 rows"}; !reflect.DeepEqual(changes, want) {
		t.Errorf("changes %q, want %q", changes, want)
	}
	if !strings.HasPrefix(string(out), "# mine\nexit: success\nsamples:\n  - {id: 1, name: \"~\", note: \"null\", empty: ''}\n") {
		t.Errorf("file:\n%s", out)
	}
	e, err := LoadExpectationsBytes("x.expect.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(e.Samples, rows) {
		t.Errorf("read back %+v\nwant %+v", e.Samples, rows)
	}
}

// A row the file lists and the update keeps keeps its comment and style;
// the others are named as added and removed; the same list is no change.
func TestUpdateSamplesKeepsRows(t *testing.T) {
	src := "samples:\n  - id: 1 # the first\n    name: one\n  - {id: 7}\n"
	out, changes, err := UpdateExpectations("x", []byte(src), ExpectUpdate{Samples: []SampleRow{cells("id", "1", "name", "one"), cells("id", "2", "name", "two")}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"samples: row {id: 2, name: two} added", "samples: row 2 {id: 7} removed"}
	if !reflect.DeepEqual(changes, want) {
		t.Errorf("changes %q, want %q", changes, want)
	}
	if got := string(out); got != "samples:\n  - id: 1 # the first\n    name: one\n  - {id: 2, name: two}\n" {
		t.Errorf("file:\n%s", got)
	}
	again, changes, err := UpdateExpectations("x", out, ExpectUpdate{Samples: []SampleRow{cells("id", "1", "name", "one"), cells("id", "2", "name", "two")}})
	if err != nil || len(changes) != 0 || string(again) != string(out) {
		t.Errorf("same samples: %v, changes %q\n%s", err, changes, again)
	}
	gone, changes, _ := UpdateExpectations("x", out, ExpectUpdate{Samples: []SampleRow{}})
	if string(gone) != "{}\n" || !reflect.DeepEqual(changes, []string{"samples: 2 rows -> (none)"}) {
		t.Errorf("no samples: changes %q\n%q", changes, gone)
	}
}

// FuzzUpdateSamples: any text written as a sample value reads back as
// that text, never as a null or another value.
func FuzzUpdateSamples(f *testing.F) {
	for _, s := range []string{"~", "null", "", "a: b", "- x", "'q'", "\"", "\n", "#", "1e3", "0x10", "  lead", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if !utf8.ValidString(v) {
			return // YAML holds text; a loaded string value is UTF-8
		}
		row := SampleRow{{Name: "c", Value: v}}
		out, _, err := UpdateExpectations("x", nil, ExpectUpdate{Samples: []SampleRow{row}})
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		e, err := LoadExpectationsBytes("x", out)
		if err != nil {
			t.Fatalf("wrote a file that does not load: %v\n%q", err, out)
		}
		if len(e.Samples) != 1 || !reflect.DeepEqual(e.Samples[0], row) {
			t.Fatalf("value %q read back as %+v from %q", v, e.Samples, out)
		}
	})
}
