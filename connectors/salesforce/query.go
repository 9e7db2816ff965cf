package salesforce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"connector-dev/connectors"
)

// compoundTypes are describe types SOQL returns as nested objects; their
// parts (BillingStreet, BillingCity, ...) are fields of their own.
var compoundTypes = map[string]bool{"address": true, "location": true}

// frameType maps a describe field type to a Frame column type.
func frameType(sfType string) connectors.Type {
	switch sfType {
	case "boolean":
		return connectors.Bool
	case "int":
		return connectors.Int64
	case "double", "currency", "percent":
		return connectors.Float64
	case "date", "datetime":
		return connectors.Timestamp
	}
	// id, string, picklist, multipicklist, textarea, email, phone, url,
	// reference, combobox, encryptedstring, time, and anything newer.
	return connectors.String
}

// column is one column of the query: the frame's name for it (the mapping's
// source name, as the user spelled it) and Salesforce's.
type column struct {
	name   string
	field  string
	sfType string
	typ    connectors.Type
}

// plan is the query of one run and how its records become frames.
type plan struct {
	soql string
	cols []column
}

// planQuery picks the columns (the mapping's, or every field), checks them
// against the describe and writes the SOQL with the window's filter.
func planQuery(rt connectors.Runtime, d *description) (*plan, error) {
	p := &plan{}
	names := rt.SourceColumns()
	if len(names) == 0 {
		for _, f := range d.Fields {
			if !compoundTypes[f.Type] {
				p.cols = append(p.cols, column{name: f.Name, field: f.Name, sfType: f.Type, typ: frameType(f.Type)})
			}
		}
	}
	for _, n := range names {
		f, ok := d.field(n)
		if !ok {
			return nil, rt.LogErr("JobDataJSON maps source column %q, but %s has no such field: fix the name (field names are listed by its describe)", n, d.Name)
		}
		if compoundTypes[f.Type] {
			return nil, rt.LogErr("JobDataJSON maps %s.%s, a compound %s field: map its parts instead (such as BillingStreet, BillingCity)", d.Name, f.Name, f.Type)
		}
		p.cols = append(p.cols, column{name: n, field: f.Name, sfType: f.Type, typ: frameType(f.Type)})
	}
	sel := make([]string, len(p.cols))
	for i, c := range p.cols {
		sel[i] = c.field
	}
	p.soql = "SELECT " + strings.Join(sel, ", ") + " FROM " + d.Name

	job := rt.Job()
	filter := strings.TrimSpace(job.FilteredColumnNM)
	w := rt.Window()
	if filter == "" || (w.Start.IsZero() && w.End.IsZero()) {
		return p, nil
	}
	f, ok := d.field(filter)
	if !ok {
		return nil, rt.LogErr("FilteredColumnNM %q is not a field of %s: name a date or datetime field such as LastModifiedDate", filter, d.Name)
	}
	var lit func(time.Time) string
	switch f.Type {
	case "datetime":
		// SOQL datetime literals are unquoted; UTC keeps them unambiguous.
		lit = func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
	case "date":
		// A date has no zone: it is the calendar day in the job's zone.
		loc := job.Location()
		lit = func(t time.Time) string { return t.In(loc).Format("2006-01-02") }
	default:
		return nil, rt.LogErr("FilteredColumnNM %q is a %s field of %s: the date window needs a date or datetime field such as LastModifiedDate", filter, f.Type, d.Name)
	}
	var conds []string
	if !w.Start.IsZero() {
		conds = append(conds, f.Name+" >= "+lit(w.Start))
	}
	if !w.End.IsZero() {
		conds = append(conds, f.Name+" < "+lit(w.End))
	}
	p.soql += " WHERE " + strings.Join(conds, " AND ")
	return p, nil
}

// frame turns one page of records into a frame, every column nullable.
func (p *plan) frame(records []map[string]json.RawMessage) (*connectors.Frame, error) {
	fields := make([]connectors.Field, len(p.cols))
	for i, c := range p.cols {
		fields[i] = connectors.Field{Name: c.name, Type: c.typ, Nullable: true}
	}
	f := connectors.NewFrame(fields...)
	f.Reserve(len(records))
	cols := f.Columns()
	for ri, rec := range records {
		for ci, c := range p.cols {
			raw, ok := rec[c.field]
			if !ok {
				raw, ok = lookupFold(rec, c.field)
			}
			if !ok {
				return nil, fmt.Errorf("record %d has no field %s", ri+1, c.field)
			}
			if err := appendValue(cols[ci], c.sfType, raw); err != nil {
				return nil, fmt.Errorf("record %d, field %s (%s): %v", ri+1, c.field, c.sfType, err)
			}
		}
	}
	return f, nil
}

// lookupFold finds a key case-insensitively: SOQL names are not case-sensitive.
func lookupFold(rec map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	for k, v := range rec {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

var null = []byte("null")

// dateLayouts are the forms Salesforce writes dates and datetimes in.
var dateLayouts = []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", time.RFC3339Nano, "2006-01-02"}

// appendValue decodes one JSON value into a nullable column.
func appendValue(col *connectors.Column, sfType string, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, null) {
		return col.AppendNull()
	}
	switch col.Type {
	case connectors.Bool:
		b, err := strconv.ParseBool(string(raw))
		if err != nil {
			return fmt.Errorf("want true or false, got %.40s", raw)
		}
		return col.Append(b)
	case connectors.Int64:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			// Some clients (and old API versions) write 12.0 for an int.
			fl, ferr := strconv.ParseFloat(string(raw), 64)
			if ferr != nil || fl != float64(int64(fl)) {
				return fmt.Errorf("want an integer, got %.40s", raw)
			}
			n = int64(fl)
		}
		return col.Append(n)
	case connectors.Float64:
		fl, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return fmt.Errorf("want a number, got %.40s", raw)
		}
		return col.Append(fl)
	case connectors.Timestamp:
		s, err := jsonString(raw)
		if err != nil {
			return err
		}
		for _, layout := range dateLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return col.Append(t.UTC())
			}
		}
		return fmt.Errorf("want a Salesforce %s, got %q", sfType, s)
	}
	if raw[0] == '{' || raw[0] == '[' {
		return fmt.Errorf("want a text value, got a JSON object or list")
	}
	if raw[0] != '"' {
		// A number or boolean in a text field: keep its text.
		return col.Append(string(raw))
	}
	s, err := jsonString(raw)
	if err != nil {
		return err
	}
	return col.Append(s)
}

// jsonString decodes a JSON string, without the decoder for the common
// case of no escapes.
func jsonString(raw json.RawMessage) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("want a JSON string, got %.40s", raw)
	}
	return s, nil
}
