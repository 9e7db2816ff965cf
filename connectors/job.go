package connectors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Update methods of UpdateMethodCD.
const (
	Append  = 1
	Replace = 2
)

// JobDetails is the job the platform sends a connector. The Go fields and
// JSON keys are the platform's own names, so a job exported from the platform
// drops straight into fixtures/.
type JobDetails struct {
	// ETLJobNM is the job's name; batches are stored under it.
	ETLJobNM string `json:"ETLJobNM"`
	// EncryptionCredentialTXT is the Fernet token of the credentials.
	EncryptionCredentialTXT string `json:"EncryptionCredentialTXT"`
	// JobDataJSON is the column mapping, as JSON text (see ParseMapping).
	// In a job file it may be a JSON string or the object itself.
	JobDataJSON JSONText `json:"JobDataJSON"`
	// SourceObjectID names the object the source reads (a Salesforce sObject, a table).
	SourceObjectID string `json:"SourceObjectID"`
	// DestinationObjectID names the object the destination writes (a table).
	DestinationObjectID string `json:"DestinationObjectID"`
	// ContainerNM and VersionNBR name the container the platform invokes next.
	ContainerNM string     `json:"ContainerNM"`
	VersionNBR  FlexString `json:"VersionNBR"`
	// FilteredColumnNM is the column the date window filters on ("" for no filter).
	FilteredColumnNM string `json:"FilteredColumnNM"`
	// StartSelectionNM is Today, Yesterday, Custom, or "" for no lower bound.
	StartSelectionNM string `json:"StartSelectionNM"`
	StartValueTXT    string `json:"StartValueTXT"`
	// EndSelectionNM is Today, Yesterday, Custom, or "" for no upper bound.
	EndSelectionNM string `json:"EndSelectionNM"`
	EndValueTXT    string `json:"EndValueTXT"`
	// TimezoneOffsetNBR is the job's offset from UTC in hours (-5, 5.5, ...).
	TimezoneOffsetNBR FlexFloat `json:"TimezoneOffsetNBR"`
	// SourceConnectorNM and DestinationConnectorNM name the connectors that
	// run the job; connector-dev looks them up in the registry.
	SourceConnectorNM      string     `json:"SourceConnectorNM"`
	DestinationConnectorNM string     `json:"DestinationConnectorNM"`
	SourceConnectorID      FlexString `json:"SourceConnectorID"`
	DestinationConnectorID FlexString `json:"DestinationConnectorID"`
	// UpdateMethodCD is 1 (Append) or 2 (Replace).
	UpdateMethodCD int `json:"UpdateMethodCD"`
}

// UpdateMethod names UpdateMethodCD: "append", "replace" or "unknown(N)".
func (j *JobDetails) UpdateMethod() string {
	switch j.UpdateMethodCD {
	case Append:
		return "append"
	case Replace:
		return "replace"
	}
	return fmt.Sprintf("unknown(%d)", j.UpdateMethodCD)
}

// Validate checks the fields every job needs and returns one error per
// problem, each naming its field.
func (j *JobDetails) Validate() []error {
	var errs []error
	if strings.TrimSpace(j.ETLJobNM) == "" {
		errs = append(errs, fmt.Errorf("ETLJobNM is empty: name the job"))
	} else if err := CheckObjectName("ETLJobNM", j.ETLJobNM, "it names the batches' folder", MaxJobNameBytes); err != nil {
		errs = append(errs, err)
	}
	if j.DestinationObjectID != "" {
		if err := CheckObjectName("DestinationObjectID", j.DestinationObjectID, "it names the table the destination loads", MaxObjectNameBytes); err != nil {
			errs = append(errs, err)
		}
	}
	if j.SourceConnectorNM == "" {
		errs = append(errs, fmt.Errorf("SourceConnectorNM is empty: name the source connector"))
	}
	if j.UpdateMethodCD != Append && j.UpdateMethodCD != Replace {
		errs = append(errs, fmt.Errorf("UpdateMethodCD is %d: use 1 (Append) or 2 (Replace)", j.UpdateMethodCD))
	}
	if err := j.TimezoneOffsetNBR.check(); err != nil {
		errs = append(errs, err)
	}
	if _, err := ParseMapping(string(j.JobDataJSON)); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// JSONText is JSON kept as text. It unmarshals from a JSON string holding
// JSON (the platform's form) or from any JSON value written inline, and
// marshals back as a string.
type JSONText string

// UnmarshalJSON accepts a string or an inline JSON value.
func (t *JSONText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = JSONText(s)
		return nil
	}
	if string(b) == "null" {
		*t = ""
		return nil
	}
	*t = JSONText(b)
	return nil
}

// MarshalJSON writes the text as a JSON string, as the platform sends it.
func (t JSONText) MarshalJSON() ([]byte, error) { return json.Marshal(string(t)) }

// FlexString is a string that also unmarshals from a JSON number, since
// platform exports write IDs and versions either way.
type FlexString string

// UnmarshalJSON accepts a string, a number or null.
func (s *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*s = ""
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = FlexString(v)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("want a string or a number, got %s", b)
		}
		*s = FlexString(n.String())
	}
	return nil
}

// FlexFloat is a number that also unmarshals from a numeric string ("-5.5").
type FlexFloat float64

// UnmarshalJSON accepts a number, a numeric string, "" or null (both 0).
func (f *FlexFloat) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	s := string(b)
	if s == "null" {
		*f = 0
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*f = 0
			return nil
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("want a number of hours such as -5 or 5.5, got %s", b)
	}
	*f = FlexFloat(v)
	return nil
}

func (f FlexFloat) check() error {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) || v < -14 || v > 14 {
		return fmt.Errorf("TimezoneOffsetNBR is %v: use hours from -14 to 14, such as -5 or 5.5", v)
	}
	// Real offsets are whole quarter hours; anything finer is a typo.
	if q := v * 4; q != math.Trunc(q) {
		return fmt.Errorf("TimezoneOffsetNBR is %v: use whole quarter hours, such as 5.5 or 5.75", v)
	}
	return nil
}

// MappingColumn pairs a source column with the destination column it loads into.
type MappingColumn struct {
	Source      string `json:"source"`
	Destination string `json:"destination"`
}

// Mapping is JobDataJSON parsed: the columns a job moves, in order.
//
//	{"columns": [{"source": "Id", "destination": "account_id"}, ...]}
//
// An empty JobDataJSON, {} or an empty list maps nothing: every source column
// goes through under its own name. A destination left empty keeps the
// source's name.
type Mapping struct {
	Columns []MappingColumn `json:"columns"`
}

// ParseMapping parses JobDataJSON. Errors name JobDataJSON and the problem.
func ParseMapping(text string) (Mapping, error) {
	var m Mapping
	if strings.TrimSpace(text) == "" {
		return m, nil
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Mapping{}, fmt.Errorf(`JobDataJSON: %v (want {"columns": [{"source": "Id", "destination": "id"}, ...]})`, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Mapping{}, fmt.Errorf("JobDataJSON: unexpected data after the mapping object")
	}
	src, dst := make(map[string]bool, len(m.Columns)), make(map[string]bool, len(m.Columns))
	folded := make(map[string]string, len(m.Columns)) // lower-cased destination name -> as written
	for i := range m.Columns {
		c := &m.Columns[i]
		c.Source = strings.TrimSpace(c.Source)
		c.Destination = strings.TrimSpace(c.Destination)
		if c.Source == "" {
			return Mapping{}, fmt.Errorf("JobDataJSON: columns[%d] has no source name", i)
		}
		if c.Destination == "" {
			c.Destination = c.Source
		}
		if src[c.Source] {
			return Mapping{}, fmt.Errorf("JobDataJSON: source column %q is mapped twice", c.Source)
		}
		if dst[c.Destination] {
			return Mapping{}, fmt.Errorf("JobDataJSON: destination column %q is mapped twice", c.Destination)
		}
		// SQLite, like most warehouses, compares column names without
		// regard to case: two such names would be one column.
		fold := strings.ToLower(c.Destination)
		if first, ok := folded[fold]; ok {
			return Mapping{}, fmt.Errorf("JobDataJSON: destination columns %q and %q differ only in case, which a table holds as one column: rename one", first, c.Destination)
		}
		src[c.Source], dst[c.Destination], folded[fold] = true, true, c.Destination
	}
	return m, nil
}

// SourceColumns lists the source-side names, in order.
func (m Mapping) SourceColumns() []string {
	out := make([]string, len(m.Columns))
	for i, c := range m.Columns {
		out[i] = c.Source
	}
	return out
}

// DestinationColumns lists the destination-side names, in order.
func (m Mapping) DestinationColumns() []string {
	out := make([]string, len(m.Columns))
	for i, c := range m.Columns {
		out[i] = c.Destination
	}
	return out
}
