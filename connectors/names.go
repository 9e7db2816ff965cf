package connectors

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxNameBytes is the longest ETLJobNM or DestinationObjectID a job may
// carry. An S3 key holds at most 1024 bytes, and a batch key is the job name,
// a run id, and a batch file name; most file systems (the embedded S3 on
// disk, a state folder) take at most 255 bytes per path segment, which is
// the tighter bound and the one picked here.
const MaxNameBytes = 255

// CheckObjectName says what keeps value from naming an S3 folder or a
// table, or returns nil. purpose says what the field names, for the message
// ("it names the batches' folder"): empty, longer than MaxNameBytes, not UTF-8, a
// control character (C0, DEL, C1, NUL), a '/' or '\', or a "." or ".." path
// segment. The error names field and says how to fix it; a value that is
// not printable is not echoed.
func CheckObjectName(field, value, purpose string) error {
	what := purpose
	switch {
	case strings.TrimSpace(value) == "":
		return fmt.Errorf("%s is empty: name it (%s)", field, what)
	case len(value) > MaxNameBytes:
		return fmt.Errorf("%s is %d bytes long: shorten it to at most %d bytes (%s)", field, len(value), MaxNameBytes, what)
	case !utf8.ValidString(value):
		return fmt.Errorf("%s is not valid UTF-8: use letters, digits, '-', '_' and '.' (%s)", field, what)
	}
	for i, r := range value {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return fmt.Errorf("%s has a control character (U+%04X at byte %d): remove it (%s)", field, r, i, what)
		}
	}
	if strings.ContainsAny(value, `/\`) {
		return fmt.Errorf("%s %q may not contain / or \\ (%s): use '-' or '_' instead", field, value, what)
	}
	if value == "." || value == ".." {
		return fmt.Errorf("%s %q is a path segment S3 and file systems treat specially: pick a name with letters or digits (%s)", field, value, what)
	}
	return nil
}
