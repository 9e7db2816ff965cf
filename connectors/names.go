package connectors

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxJobNameBytes is the longest ETLJobNM a job may carry. An S3 key holds
// at most 1024 bytes, but the embedded S3 on disk (gofakes3's s3afero) keeps
// each object's metadata in one file named after the whole key, '/' and all,
// plus 33 bytes, and a file name stops at 255 bytes: the job name, a run id
// (22 bytes), a batch file name (about 20) and that suffix must fit in it.
// 128 leaves room for longer file names beside the batches.
const MaxJobNameBytes = 128

// MaxObjectNameBytes is the longest DestinationObjectID a job may carry: a
// table name, which SQLite does not bound, kept short enough for the staging
// name a loader builds from it and for other warehouses' limits.
const MaxObjectNameBytes = 255

// CheckObjectName says what keeps value from naming an S3 folder or a
// table, or returns nil. purpose says what the field names, for the message
// ("it names the batches' folder"): empty, longer than maxBytes, not UTF-8, a
// control character (C0, DEL, C1, NUL), a '/' or '\', or a "." or ".." path
// segment. The error names field and says how to fix it; a value that is
// not printable is not echoed.
func CheckObjectName(field, value, purpose string, maxBytes int) error {
	what := purpose
	switch {
	case strings.TrimSpace(value) == "":
		return fmt.Errorf("%s is empty: name it (%s)", field, what)
	case len(value) > maxBytes:
		return fmt.Errorf("%s is %d bytes long: shorten it to at most %d bytes (%s)", field, len(value), maxBytes, what)
	case !utf8.ValidString(value):
		return fmt.Errorf("%s is not valid UTF-8: use letters, digits, '-', '_' and '.' (%s)", field, what)
	}
	for i, r := range value {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return fmt.Errorf("%s has a control character (U+%04X at byte %d): remove it (%s)", field, r, i, what)
		}
		// Bidi embeddings, overrides and isolates reorder how the name is
		// shown: in a key or a listing it would read as another name.
		if (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return fmt.Errorf("%s has a bidirectional control character (U+%04X at byte %d): remove it (%s)", field, r, i, what)
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
