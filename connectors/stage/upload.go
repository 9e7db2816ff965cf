package stage

import (
	"fmt"
	"strings"
	"sync"
	"weak"

	"connector-dev/connectors"
)

// Messages a connector sees when it breaks an upload rule; tests compare them.
const (
	// MsgAfterReturn is UploadRows' error once the connector's Run returned.
	MsgAfterReturn = "UploadRows after the connector's Run returned: wait for every goroutine that uploads before returning"
	// MsgHandedAgain ends a connector that hands the same frame over twice.
	MsgHandedAgain = "UploadRows: this frame was handed over before: build a new frame for each call (the runtime may still be encoding the last one)"
)

// Uploads checks what a source hands to UploadRows, as the platform does:
// the frame is valid, every frame has the first one's columns, the first
// one has every source column of the mapping, the same frame is not handed
// over twice, and nothing is accepted after the connector returned. The
// runtime stores what passes.
type Uploads struct {
	mapping connectors.Mapping
	// end records an ending (and logs it, as its runtime logs).
	end func(reason connectors.ExitReason, msg string) error

	mu     sync.Mutex
	closed bool
	schema []connectors.Field
	frames int
	// last is the frame handed over before, held weakly so the check
	// keeps no batch alive: a frame the collector freed cannot come back.
	last weak.Pointer[connectors.Frame]
}

// NewUploads returns the checks for one run of a source. end records an
// ending, as its runtime's LogErr does, and returns what it returns.
func NewUploads(m connectors.Mapping, end func(connectors.ExitReason, string) error) *Uploads {
	return &Uploads{mapping: m, end: end}
}

// Check is UploadRows' checks, in order: a nil or invalid frame and one
// whose columns (names, types, nullability) differ from the first frame's
// are errors; after the connector returned, every frame is refused. A
// mapping naming a column the first frame lacks, and a frame handed over
// again, end the connector (setup and unhandled), so the run fails even if
// the error is dropped. It returns the frame's number, from 1, on success.
func (u *Uploads) Check(f *connectors.Frame) (int, error) {
	if f == nil {
		return 0, fmt.Errorf("UploadRows: nil frame")
	}
	if err := f.Validate(); err != nil {
		return 0, fmt.Errorf("UploadRows: %w", err)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return 0, fmt.Errorf("%s", MsgAfterReturn)
	}
	if u.last.Value() == f {
		return 0, u.end(connectors.Unhandled, MsgHandedAgain)
	}
	fields := f.Fields()
	if u.schema == nil {
		if cols := u.mapping.SourceColumns(); len(cols) > 0 {
			if _, err := f.Select(cols, nil); err != nil {
				return 0, u.end(connectors.Setup, fmt.Sprintf("JobDataJSON maps a column the source does not have: %v", err))
			}
		}
		u.schema = fields
	} else if err := sameSchema(u.schema, fields); err != nil {
		return 0, err
	}
	u.last = weak.Make(f)
	u.frames++
	return u.frames, nil
}

// Close refuses every later frame: the connector returned.
func (u *Uploads) Close() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.closed = true
}

func sameSchema(schema, fields []connectors.Field) error {
	if len(fields) != len(schema) {
		return fmt.Errorf("UploadRows: frame has %d columns, earlier frames had %d (%s)", len(fields), len(schema), FormatFields(schema))
	}
	for i, fd := range fields {
		if fd != schema[i] {
			return fmt.Errorf("UploadRows: column %d is %s %s (nullable %v), earlier frames had %s %s (nullable %v)",
				i+1, fd.Name, fd.Type, fd.Nullable, schema[i].Name, schema[i].Type, schema[i].Nullable)
		}
	}
	return nil
}

// FormatFields writes fields as "name:type" (or "name:type?" when
// nullable), comma separated, as an error message lists a schema.
func FormatFields(fields []connectors.Field) string {
	var b strings.Builder
	for i, fd := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(fd.Name + ":" + fd.Type.String())
		if fd.Nullable {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// MapBatch renames a destination's batch by the mapping: its source
// columns, in order, under their destination names. A mapping naming a
// column the batch lacks is a setup ending, returned for the runtime to
// record; batch names the batch in its message (a key, or a number).
func MapBatch(m connectors.Mapping, f *connectors.Frame, batch string) (*connectors.Frame, *connectors.ExitError) {
	src := m.SourceColumns()
	if len(src) == 0 {
		return f, nil
	}
	out, err := f.Select(src, m.DestinationColumns())
	if err != nil {
		return nil, connectors.Exitf(connectors.Setup, "JobDataJSON maps a column batch %s lacks: %v", batch, err)
	}
	return out, nil
}

// FormatWarning is the warning a runtime logs after a message that holds
// "%!" once formatted (a verb that did not fit its value, or text passed
// as the format), and whether there is one.
func FormatWarning(msg string) (string, bool) {
	if !strings.Contains(msg, "%!") {
		return "", false
	}
	return `the line above has "%!" in it: a value did not fit its verb, or text was passed as the format: log it as LogInfo("%s", text)`, true
}
