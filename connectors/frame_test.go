package connectors

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestColumnAppend(t *testing.T) {
	ts := time.Date(2026, 1, 31, 8, 0, 0, 123456000, time.UTC)
	tests := []struct {
		typ      Type
		nullable bool
		in       any
		want     any    // Value(0); nil for a null
		err      string // "" when accepted
	}{
		{String, false, "x", "x", ""},
		{String, false, ptr("p"), "p", ""},
		{String, true, (*string)(nil), nil, ""},
		{String, false, (*string)(nil), nil, `column "c": null in a non-nullable string column`},
		{String, false, 1, nil, `column "c": cannot store int in a string column`},
		{String, false, []byte("x"), nil, `column "c": cannot store []uint8 in a string column`},

		{Int64, false, int64(-1 << 62), int64(-1 << 62), ""},
		{Int64, false, 7, int64(7), ""},
		{Int64, false, int32(-7), int64(-7), ""},
		{Int64, false, int16(300), int64(300), ""},
		{Int64, false, int8(-8), int64(-8), ""},
		{Int64, false, uint32(1 << 31), int64(1 << 31), ""},
		{Int64, false, uint16(65535), int64(65535), ""},
		{Int64, false, uint8(255), int64(255), ""},
		{Int64, false, ptr(int64(9)), int64(9), ""},
		{Int64, true, (*int64)(nil), nil, ""},
		{Int64, false, (*int64)(nil), nil, `column "c": null in a non-nullable int64 column`},
		{Int64, false, uint64(1), nil, `column "c": cannot store uint64 in a int64 column`},
		{Int64, false, uint(1), nil, `column "c": cannot store uint in a int64 column`},
		{Int64, false, 1.0, nil, `column "c": cannot store float64 in a int64 column`},
		{Int64, false, "1", nil, `column "c": cannot store string in a int64 column`},
		{Int64, false, ptr(7), nil, `column "c": cannot store *int in a int64 column`},

		{Float64, false, 1.5, 1.5, ""},
		{Float64, false, float32(0.25), 0.25, ""},
		{Float64, false, 3, 3.0, ""},
		{Float64, false, int64(-4), -4.0, ""},
		{Float64, false, ptr(2.5), 2.5, ""},
		{Float64, true, (*float64)(nil), nil, ""},
		{Float64, false, int32(1), nil, `column "c": cannot store int32 in a float64 column`},
		{Float64, false, "1.5", nil, `column "c": cannot store string in a float64 column`},

		{Bool, false, true, true, ""},
		{Bool, false, ptr(false), false, ""},
		{Bool, true, (*bool)(nil), nil, ""},
		{Bool, false, 1, nil, `column "c": cannot store int in a bool column`},
		{Bool, false, "true", nil, `column "c": cannot store string in a bool column`},

		{Timestamp, false, ts, ts, ""},
		{Timestamp, false, ptr(ts), ts, ""},
		{Timestamp, true, (*time.Time)(nil), nil, ""},
		{Timestamp, false, (*time.Time)(nil), nil, `column "c": null in a non-nullable timestamp column`},
		{Timestamp, false, "2026-01-31", nil, `column "c": cannot store string in a timestamp column`},
		{Timestamp, false, ts.Unix(), nil, `column "c": cannot store int64 in a timestamp column`},
	}
	for _, nullable := range []bool{false, true} {
		for _, typ := range []Type{String, Int64, Float64, Bool, Timestamp} {
			// A bare nil is a null in every type.
			want := ""
			if !nullable {
				want = `column "c": null in a non-nullable ` + typ.String() + " column"
			}
			tests = append(tests, struct {
				typ      Type
				nullable bool
				in       any
				want     any
				err      string
			}{typ, nullable, nil, nil, want})
		}
	}
	for _, tc := range tests {
		name := tc.typ.String()
		if tc.nullable {
			name += "?"
		}
		t.Run(fmt.Sprintf("%s/%T", name, tc.in), func(t *testing.T) {
			f := NewFrame(Field{Name: "c", Type: tc.typ, Nullable: tc.nullable})
			err := f.AppendRow(tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("AppendRow(%#v) error %v, want %q", tc.in, err, tc.err)
				}
				if f.Len() != 0 || len(f.Columns()[0].Null) != 0 {
					t.Errorf("after the error the frame has %d rows, %d null flags; want none", f.Len(), len(f.Columns()[0].Null))
				}
				return
			}
			if err != nil {
				t.Fatalf("AppendRow(%#v): %v", tc.in, err)
			}
			if err := f.Validate(); err != nil {
				t.Fatalf("Validate after AppendRow: %v", err)
			}
			c := f.Col("c")
			if got := c.Value(0); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Value(0) = %#v, want %#v", got, tc.want)
			}
			if got := c.IsNull(0); got != (tc.want == nil) {
				t.Errorf("IsNull(0) = %v, want %v", got, tc.want == nil)
			}
			if got := f.Row(0); !reflect.DeepEqual(got, []any{tc.want}) {
				t.Errorf("Row(0) = %#v, want [%#v]", got, tc.want)
			}
		})
	}
}

func fiveColumns() *Frame {
	return NewFrame(
		Field{Name: "id", Type: Int64},
		Field{Name: "name", Type: String, Nullable: true},
		Field{Name: "score", Type: Float64, Nullable: true},
		Field{Name: "ok", Type: Bool},
		Field{Name: "at", Type: Timestamp, Nullable: true},
	)
}

func TestAppendRowErrorLeavesFrameUnchanged(t *testing.T) {
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	first := []any{int64(1), nil, 0.5, true, at}
	tests := []struct {
		name string
		row  []any
		err  string
	}{
		{"too few values", []any{int64(2), "b"}, "AppendRow: 2 values for 5 columns"},
		{"too many values", []any{int64(2), "b", 1.0, false, at, 6}, "AppendRow: 6 values for 5 columns"},
		{"first column wrong", []any{"2", "b", 1.0, false, at}, `column "id": cannot store string in a int64 column`},
		{"middle column wrong", []any{int64(2), nil, "1.0", false, at}, `column "score": cannot store string in a float64 column`},
		{"null in non-nullable", []any{int64(2), "b", nil, nil, at}, `column "ok": null in a non-nullable bool column`},
		{"last column wrong", []any{int64(2), "b", nil, false, "2026-02-02"}, `column "at": cannot store string in a timestamp column`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := fiveColumns()
			if err := f.AppendRow(first...); err != nil {
				t.Fatal(err)
			}
			err := f.AppendRow(tc.row...)
			if err == nil || err.Error() != tc.err {
				t.Fatalf("AppendRow error %v, want %q", err, tc.err)
			}
			if f.Len() != 1 {
				t.Errorf("Len %d after the error, want 1", f.Len())
			}
			for _, c := range f.Columns() {
				if c.Len() != 1 || (c.Nullable && len(c.Null) != 1) {
					t.Errorf("column %s has %d values, %d null flags after the error; want 1, 1 if nullable", c.Name, c.Len(), len(c.Null))
				}
			}
			if err := f.Validate(); err != nil {
				t.Errorf("Validate after the error: %v", err)
			}
			// The frame goes on: the next good row lands as row 1.
			second := []any{int64(2), "b", nil, false, nil}
			if err := f.AppendRow(second...); err != nil {
				t.Fatal(err)
			}
			if got := f.Row(0); !reflect.DeepEqual(got, first) {
				t.Errorf("Row(0) = %v, want %v", got, first)
			}
			if got := f.Row(1); !reflect.DeepEqual(got, second) {
				t.Errorf("Row(1) = %v, want %v", got, second)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cols []*Column
		err  string
	}{
		{"no columns", nil, ""},
		{"empty columns", []*Column{{Field: Field{Name: "a", Type: String}}, {Field: Field{Name: "b", Type: Int64, Nullable: true}}}, ""},
		{"filled directly, nullable without flags", []*Column{
			{Field: Field{Name: "a", Type: String}, Strings: []string{"x", "y"}},
			{Field: Field{Name: "b", Type: Int64, Nullable: true}, Ints: []int64{1, 2}},
		}, ""},
		{"filled directly with flags", []*Column{
			{Field: Field{Name: "a", Type: Bool, Nullable: true}, Bools: []bool{true, false}, Null: []bool{false, true}},
		}, ""},
		{"no name", []*Column{{Field: Field{Name: "a", Type: String}}, {Field: Field{Type: String}}}, "frame: a column has no name"},
		{"twice", []*Column{{Field: Field{Name: "a", Type: String}}, {Field: Field{Name: "a", Type: Int64}}}, `frame: column "a" appears twice`},
		{"no type", []*Column{{Field: Field{Name: "a"}}}, `frame: column "a" has no valid type`},
		{"unknown type", []*Column{{Field: Field{Name: "a", Type: Type(42)}}}, `frame: column "a" has no valid type`},
		{"lengths differ", []*Column{
			{Field: Field{Name: "a", Type: String}, Strings: []string{"x", "y"}},
			{Field: Field{Name: "b", Type: Float64}, Floats: []float64{1}},
		}, `frame: column "b" has 1 rows, column "a" has 2`},
		{"values in the slice of another type", []*Column{
			{Field: Field{Name: "a", Type: String}, Strings: []string{"x"}},
			{Field: Field{Name: "b", Type: Float64}, Ints: []int64{1}},
		}, `frame: column "b" has 0 rows, column "a" has 1`},
		{"null flags short", []*Column{
			{Field: Field{Name: "a", Type: Timestamp, Nullable: true}, Micros: make([]int64, 2), Null: []bool{true}},
		}, `frame: column "a" has 1 null flags for 2 rows`},
		{"null flags on a non-nullable column", []*Column{
			{Field: Field{Name: "a", Type: String}, Strings: []string{"x"}, Null: []bool{false}},
		}, `frame: column "a" is not nullable but has null flags`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := FrameOf(tc.cols...).Validate()
			if tc.err == "" && err != nil {
				t.Errorf("Validate: %v, want nil", err)
			}
			if tc.err != "" && (err == nil || err.Error() != tc.err) {
				t.Errorf("Validate: %v, want %q", err, tc.err)
			}
		})
	}
}

// rowsOf returns every row of f.
func rowsOf(f *Frame) [][]any {
	var out [][]any
	for i := range f.Len() {
		out = append(out, f.Row(i))
	}
	return out
}

func filled(t *testing.T, n int) *Frame {
	t.Helper()
	f := fiveColumns()
	for i := range n {
		var name any = string(rune('a' + i))
		if i%2 == 1 {
			name = nil
		}
		if err := f.AppendRow(int64(i), name, float64(i)/2, i%3 == 0, time.Unix(int64(i)*3600, 0).UTC()); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestSlice(t *testing.T) {
	f := filled(t, 5)
	all := rowsOf(f)
	tests := []struct{ i, j int }{{0, 5}, {1, 3}, {4, 5}, {2, 2}, {0, 0}, {5, 5}}
	for _, tc := range tests {
		s := f.Slice(tc.i, tc.j)
		if err := s.Validate(); err != nil {
			t.Errorf("Slice(%d, %d).Validate: %v", tc.i, tc.j, err)
		}
		if got, want := rowsOf(s), all[tc.i:tc.j]; !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("Slice(%d, %d) rows %v, want %v", tc.i, tc.j, got, want)
		}
		if !reflect.DeepEqual(s.Fields(), f.Fields()) {
			t.Errorf("Slice(%d, %d) fields %v, want %v", tc.i, tc.j, s.Fields(), f.Fields())
		}
	}

	// A slice shares memory with its frame ...
	s := f.Slice(1, 3)
	s.Col("id").Ints[0] = 100
	if got := f.Col("id").Ints[1]; got != 100 {
		t.Errorf("the frame's row 1 id is %d after writing through the slice, want 100", got)
	}
	// ... but appending to it never overwrites the frame's next row.
	if err := s.AppendRow(int64(-1), "z", nil, false, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := f.Row(3), all[3]; !reflect.DeepEqual(got, want) {
		t.Errorf("the frame's row 3 is %v after appending to a slice of rows 1-2, want %v", got, want)
	}
}

func TestSelect(t *testing.T) {
	f := filled(t, 3)
	tests := []struct {
		name  string
		names []string
		as    []string
		want  []string // the selected frame's names
		err   string
	}{
		{"reorder", []string{"at", "id"}, nil, []string{"at", "id"}, ""},
		{"rename", []string{"id", "name"}, []string{"account_id", "who"}, []string{"account_id", "who"}, ""},
		{"none", []string{}, nil, []string{}, ""},
		{"missing", []string{"id", "email"}, nil, nil, `no column "email" (the frame has id, name, score, ok, at)`},
		{"case matters", []string{"ID"}, nil, nil, `no column "ID" (the frame has id, name, score, ok, at)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := f.Select(tc.names, tc.as)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("Select error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, fd := range s.Fields() {
				got = append(got, fd.Name)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("names %v, want %v", got, tc.want)
			}
			for k, name := range tc.names {
				src, dst := f.Col(name), s.Columns()[k]
				if dst.Type != src.Type || dst.Nullable != src.Nullable {
					t.Errorf("column %s is %s nullable %v, want %s nullable %v", dst.Name, dst.Type, dst.Nullable, src.Type, src.Nullable)
				}
				for i := range f.Len() {
					if !reflect.DeepEqual(dst.Value(i), src.Value(i)) {
						t.Errorf("column %s row %d = %v, want %v", dst.Name, i, dst.Value(i), src.Value(i))
					}
				}
			}
		})
	}
	// Renaming in the selection leaves the frame's names alone.
	if _, err := f.Select([]string{"id"}, []string{"renamed"}); err != nil {
		t.Fatal(err)
	}
	if f.Col("id") == nil || f.Col("renamed") != nil {
		t.Errorf("Select renamed the frame's own column: %v", f.Fields())
	}
}

func TestReserve(t *testing.T) {
	f := filled(t, 2)
	before := rowsOf(f)
	f.Reserve(100)
	if got := rowsOf(f); !reflect.DeepEqual(got, before) {
		t.Fatalf("rows after Reserve %v, want %v", got, before)
	}
	if err := f.Validate(); err != nil {
		t.Fatalf("Validate after Reserve: %v", err)
	}
	firsts := map[string]any{}
	for _, c := range f.Columns() {
		firsts[c.Name] = firstElem(c)
	}
	for i := range 100 {
		if err := f.AppendRow(int64(i), nil, 1.0, true, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range f.Columns() {
		if firstElem(c) != firsts[c.Name] {
			t.Errorf("column %s was reallocated while filling the reserved rows", c.Name)
		}
	}
	if f.Len() != 102 {
		t.Errorf("Len %d, want 102", f.Len())
	}
}

// firstElem is the address of the column's first value and null flag.
func firstElem(c *Column) any {
	var p any
	switch c.Type {
	case String:
		p = &c.Strings[0]
	case Int64:
		p = &c.Ints[0]
	case Float64:
		p = &c.Floats[0]
	case Bool:
		p = &c.Bools[0]
	case Timestamp:
		p = &c.Micros[0]
	}
	if c.Nullable {
		return [2]any{p, &c.Null[0]}
	}
	return p
}

func TestFrameAccessors(t *testing.T) {
	var nilFrame *Frame
	if nilFrame.Len() != 0 {
		t.Errorf("nil frame Len %d, want 0", nilFrame.Len())
	}
	f := filled(t, 2)
	if f.NumColumns() != 5 || f.Col("score") == nil || f.Col("missing") != nil {
		t.Errorf("NumColumns %d, Col(score) %v, Col(missing) %v", f.NumColumns(), f.Col("score"), f.Col("missing"))
	}
	wantFields := []Field{{"id", Int64, false}, {"name", String, true}, {"score", Float64, true}, {"ok", Bool, false}, {"at", Timestamp, true}}
	if !reflect.DeepEqual(f.Fields(), wantFields) {
		t.Errorf("Fields %v, want %v", f.Fields(), wantFields)
	}
	name := f.Col("name")
	if name.IsNull(0) || !name.IsNull(1) || name.Value(1) != nil {
		t.Errorf("name nulls: row 0 %v, row 1 %v (%v); want false, true (nil)", name.IsNull(0), name.IsNull(1), name.Value(1))
	}
	// A non-nullable column never reports a null.
	if f.Col("id").IsNull(0) || f.Col("id").IsNull(99) {
		t.Errorf("a non-nullable column reported a null")
	}
	if err := name.AppendNull(); err != nil {
		t.Errorf("AppendNull on a nullable column: %v", err)
	}
	if err := f.Col("ok").AppendNull(); err == nil || !strings.Contains(err.Error(), "non-nullable") {
		t.Errorf("AppendNull on a non-nullable column: %v, want an error", err)
	}
}

func TestTypeNames(t *testing.T) {
	for _, typ := range []Type{String, Int64, Float64, Bool, Timestamp} {
		got, err := ParseType(typ.String())
		if err != nil || got != typ {
			t.Errorf("ParseType(%q) = %v, %v; want %v", typ.String(), got, err, typ)
		}
	}
	wantNames := map[Type]string{String: "string", Int64: "int64", Float64: "float64", Bool: "bool", Timestamp: "timestamp", 0: "Type(0)", 200: "Type(200)"}
	for typ, want := range wantNames {
		if typ.String() != want {
			t.Errorf("Type(%d).String() = %q, want %q", uint8(typ), typ.String(), want)
		}
	}
	for _, bad := range []string{"", "String", "int", "time", "Type(1)", "string "} {
		_, err := ParseType(bad)
		want := `unknown column type "` + bad + `" (want string, int64, float64, bool or timestamp)`
		if err == nil || err.Error() != want {
			t.Errorf("ParseType(%q) error %v, want %q", bad, err, want)
		}
	}
}
