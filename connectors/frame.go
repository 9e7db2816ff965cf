package connectors

import (
	"fmt"
	"strings"
	"time"
)

// Type is a column's value type.
type Type uint8

// The column types a Frame holds. Timestamps are UTC instants with
// microsecond precision (Column.Micros).
const (
	String Type = iota + 1
	Int64
	Float64
	Bool
	Timestamp
)

var typeNames = map[Type]string{String: "string", Int64: "int64", Float64: "float64", Bool: "bool", Timestamp: "timestamp"}

func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// ParseType is the inverse of Type.String.
func ParseType(s string) (Type, error) {
	for t, n := range typeNames {
		if n == s {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown column type %q (want string, int64, float64, bool or timestamp)", s)
}

// Field names and types one column.
type Field struct {
	Name     string
	Type     Type
	Nullable bool
}

// Column holds one column's values in the slice of its type; the others
// stay nil. For a nullable column Null[i] marks row i as null (its value in
// the typed slice is then the zero value). Filling the slices directly is
// the fast way to build a frame; Frame.Validate checks the lengths agree.
//
// A Timestamp column holds its values in Micros as microseconds since
// 1970-01-01 UTC (what t.UnixMicro() returns and time.UnixMicro reads):
// the unit batches store, and a slice without pointers, which the garbage
// collector does not scan (a time.Time holds one). AppendTime and Time
// convert.
type Column struct {
	Field
	Strings []string
	Ints    []int64
	Floats  []float64
	Bools   []bool
	Micros  []int64
	Null    []bool
}

// Len is the number of values in the column.
func (c *Column) Len() int {
	switch c.Type {
	case String:
		return len(c.Strings)
	case Int64:
		return len(c.Ints)
	case Float64:
		return len(c.Floats)
	case Bool:
		return len(c.Bools)
	case Timestamp:
		return len(c.Micros)
	}
	return 0
}

// IsNull reports whether row i is null.
func (c *Column) IsNull(i int) bool { return c.Nullable && i < len(c.Null) && c.Null[i] }

// Value returns row i as string, int64, float64, bool or time.Time (UTC),
// or nil for a null.
func (c *Column) Value(i int) any {
	if c.IsNull(i) {
		return nil
	}
	switch c.Type {
	case String:
		return c.Strings[i]
	case Int64:
		return c.Ints[i]
	case Float64:
		return c.Floats[i]
	case Bool:
		return c.Bools[i]
	case Timestamp:
		return c.Time(i)
	}
	return nil
}

// Append adds one value, converting the Go types a connector is likely to
// hold (int, int32, float32, *T, nil, ...). nil on a non-nullable column is
// an error.
func (c *Column) Append(v any) error {
	c.fillNull()
	if v == nil {
		if !c.Nullable {
			return fmt.Errorf("column %q: null in a non-nullable %s column", c.Name, c.Type)
		}
		c.appendZero()
		c.Null = append(c.Null, true)
		return nil
	}
	ok := false
	switch c.Type {
	case String:
		var s string
		if s, ok = v.(string); !ok {
			if p, isPtr := v.(*string); isPtr {
				if p == nil {
					return c.Append(nil)
				}
				s, ok = *p, true
			}
		}
		if ok {
			c.Strings = append(c.Strings, s)
		}
	case Int64:
		var n int64
		switch x := v.(type) {
		case int64:
			n, ok = x, true
		case int:
			n, ok = int64(x), true
		case int32:
			n, ok = int64(x), true
		case int16:
			n, ok = int64(x), true
		case int8:
			n, ok = int64(x), true
		case uint32:
			n, ok = int64(x), true
		case uint16:
			n, ok = int64(x), true
		case uint8:
			n, ok = int64(x), true
		case *int64:
			if x == nil {
				return c.Append(nil)
			}
			n, ok = *x, true
		}
		if ok {
			c.Ints = append(c.Ints, n)
		}
	case Float64:
		var f float64
		switch x := v.(type) {
		case float64:
			f, ok = x, true
		case float32:
			f, ok = float64(x), true
		case int:
			f, ok = float64(x), true
		case int64:
			f, ok = float64(x), true
		case *float64:
			if x == nil {
				return c.Append(nil)
			}
			f, ok = *x, true
		}
		if ok {
			c.Floats = append(c.Floats, f)
		}
	case Bool:
		var b bool
		switch x := v.(type) {
		case bool:
			b, ok = x, true
		case *bool:
			if x == nil {
				return c.Append(nil)
			}
			b, ok = *x, true
		}
		if ok {
			c.Bools = append(c.Bools, b)
		}
	case Timestamp:
		var t time.Time
		switch x := v.(type) {
		case time.Time:
			t, ok = x, true
		case *time.Time:
			if x == nil {
				return c.Append(nil)
			}
			t, ok = *x, true
		}
		if ok {
			us, err := c.micros(t)
			if err != nil {
				return err
			}
			c.Micros = append(c.Micros, us)
		}
	}
	if !ok {
		return fmt.Errorf("column %q: cannot store %T in a %s column", c.Name, v, c.Type)
	}
	if c.Nullable {
		c.Null = append(c.Null, false)
	}
	return nil
}

// fillNull gives a nullable column filled directly (values, no flags) a
// false flag per value, so that flags appended next line up with their rows.
func (c *Column) fillNull() {
	if c.Nullable && c.Null == nil && c.Len() > 0 {
		c.Null = make([]bool, c.Len())
	}
}

// AppendNull adds a null; the column must be nullable.
func (c *Column) AppendNull() error { return c.Append(nil) }

func (c *Column) appendZero() {
	switch c.Type {
	case String:
		c.Strings = append(c.Strings, "")
	case Int64:
		c.Ints = append(c.Ints, 0)
	case Float64:
		c.Floats = append(c.Floats, 0)
	case Bool:
		c.Bools = append(c.Bools, false)
	case Timestamp:
		c.Micros = append(c.Micros, 0)
	}
}

// slice returns rows [i, j) sharing memory with c.
func (c *Column) slice(i, j int) *Column {
	out := &Column{Field: c.Field}
	switch c.Type {
	case String:
		out.Strings = c.Strings[i:j:j]
	case Int64:
		out.Ints = c.Ints[i:j:j]
	case Float64:
		out.Floats = c.Floats[i:j:j]
	case Bool:
		out.Bools = c.Bools[i:j:j]
	case Timestamp:
		out.Micros = c.Micros[i:j:j]
	}
	if c.Nullable && c.Null != nil {
		out.Null = c.Null[i:j:j]
	}
	return out
}

// Frame is the DataFrame: named, typed, optionally nullable columns of equal length.
type Frame struct {
	cols []*Column
}

// NewFrame makes an empty frame with the given columns.
func NewFrame(fields ...Field) *Frame {
	f := &Frame{cols: make([]*Column, len(fields))}
	for i, fd := range fields {
		f.cols[i] = &Column{Field: fd}
	}
	return f
}

// FrameOf makes a frame of ready columns; Validate checks them.
func FrameOf(cols ...*Column) *Frame { return &Frame{cols: cols} }

// Reserve grows every column's capacity to n rows, so that filling it row by
// row does not reallocate.
func (f *Frame) Reserve(n int) {
	for _, c := range f.cols {
		switch c.Type {
		case String:
			c.Strings = grow(c.Strings, n)
		case Int64:
			c.Ints = grow(c.Ints, n)
		case Float64:
			c.Floats = grow(c.Floats, n)
		case Bool:
			c.Bools = grow(c.Bools, n)
		case Timestamp:
			c.Micros = grow(c.Micros, n)
		}
		if c.Nullable {
			c.fillNull()
			c.Null = grow(c.Null, n)
		}
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s)-len(s) >= n {
		return s
	}
	out := make([]T, len(s), len(s)+n)
	copy(out, s)
	return out
}

// Fields lists the frame's columns' names and types, in order.
func (f *Frame) Fields() []Field {
	out := make([]Field, len(f.cols))
	for i, c := range f.cols {
		out[i] = c.Field
	}
	return out
}

// Columns returns the frame's columns, in order. They may be filled directly.
func (f *Frame) Columns() []*Column { return f.cols }

// NumColumns is the number of columns.
func (f *Frame) NumColumns() int { return len(f.cols) }

// Col returns the column named name, or nil.
func (f *Frame) Col(name string) *Column {
	for _, c := range f.cols {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Len is the number of rows (of the first column; Validate checks the rest).
func (f *Frame) Len() int {
	if f == nil || len(f.cols) == 0 {
		return 0
	}
	return f.cols[0].Len()
}

// AppendRow adds one row, a value per column in order (see Column.Append for
// the accepted Go types). On error the frame is left as it was.
func (f *Frame) AppendRow(vals ...any) error {
	if len(vals) != len(f.cols) {
		return fmt.Errorf("AppendRow: %d values for %d columns", len(vals), len(f.cols))
	}
	n := f.Len()
	for i, c := range f.cols {
		if err := c.Append(vals[i]); err != nil {
			for _, d := range f.cols[:i] {
				d.truncate(n)
			}
			return err
		}
	}
	return nil
}

func (c *Column) truncate(n int) {
	switch c.Type {
	case String:
		c.Strings = c.Strings[:n]
	case Int64:
		c.Ints = c.Ints[:n]
	case Float64:
		c.Floats = c.Floats[:n]
	case Bool:
		c.Bools = c.Bools[:n]
	case Timestamp:
		c.Micros = c.Micros[:n]
	}
	if c.Nullable && len(c.Null) > n {
		c.Null = c.Null[:n]
	}
}

// Row returns row i as a value per column (nil for nulls).
func (f *Frame) Row(i int) []any {
	out := make([]any, len(f.cols))
	for j, c := range f.cols {
		out[j] = c.Value(i)
	}
	return out
}

// Validate checks that the columns are named, typed, unique and of equal
// length, and that Null is as long as the values where it is set.
func (f *Frame) Validate() error {
	seen := make(map[string]bool, len(f.cols))
	n := f.Len()
	for _, c := range f.cols {
		if c.Name == "" {
			return fmt.Errorf("frame: a column has no name")
		}
		if seen[c.Name] {
			return fmt.Errorf("frame: column %q appears twice", c.Name)
		}
		seen[c.Name] = true
		if _, ok := typeNames[c.Type]; !ok {
			return fmt.Errorf("frame: column %q has no valid type", c.Name)
		}
		if c.Len() != n {
			return fmt.Errorf("frame: column %q has %d rows, column %q has %d", c.Name, c.Len(), f.cols[0].Name, n)
		}
		if c.Null != nil && len(c.Null) != n {
			return fmt.Errorf("frame: column %q has %d null flags for %d rows", c.Name, len(c.Null), n)
		}
		if !c.Nullable && c.Null != nil {
			return fmt.Errorf("frame: column %q is not nullable but has null flags", c.Name)
		}
	}
	return nil
}

// Slice returns rows [i, j) as a frame that shares memory with f.
func (f *Frame) Slice(i, j int) *Frame {
	out := &Frame{cols: make([]*Column, len(f.cols))}
	for k, c := range f.cols {
		out.cols[k] = c.slice(i, j)
	}
	return out
}

// Select returns a frame of the named columns, in the given order, renamed
// to the matching entry of as (nil keeps the names). The columns share
// memory with f. A name f lacks is an error that lists what f has.
func (f *Frame) Select(names []string, as []string) (*Frame, error) {
	if as != nil && len(as) != len(names) {
		return nil, fmt.Errorf("Select: %d names to rename to for %d columns", len(as), len(names))
	}
	out := &Frame{cols: make([]*Column, len(names))}
	// One index of the frame's columns, so a mapping of n columns costs n
	// lookups, not n scans of the frame (Select runs once per batch).
	index := make(map[string]*Column, len(f.cols))
	for _, c := range f.cols {
		if _, dup := index[c.Name]; !dup { // the first of a name, as Col finds it
			index[c.Name] = c
		}
	}
	for i, name := range names {
		c := index[name]
		if c == nil {
			have := make([]string, len(f.cols))
			for k, hc := range f.cols {
				have[k] = hc.Name
			}
			return nil, fmt.Errorf("no column %q (the frame has %s)", name, strings.Join(have, ", "))
		}
		cc := *c
		if as != nil {
			cc.Name = as[i]
		}
		out.cols[i] = &cc
	}
	return out, nil
}
