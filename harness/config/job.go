package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"unicode/utf8"

	"connector-dev/connectors"
)

// LoadJob reads a job fixture: a JSON object of JobDetails fields, as the
// platform exports it. Keys are matched exactly (the platform's spelling);
// unknown keys are errors so a typo cannot silently leave a field empty,
// except keys starting with "_", which are comments. Syntax and type
// problems name path:line:column and the field; then every problem
// job.Validate finds is listed in one error prefixed with the path.
func LoadJob(path string) (*connectors.JobDetails, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, readError(path, "job fixture", err)
	}
	return decodeJob(path, src)
}

// decodeJob parses and validates a job file's bytes; path only names it.
func decodeJob(path string, src []byte) (*connectors.JobDetails, error) {
	job, err := parseJob(path, src)
	if err != nil {
		return nil, err
	}
	if errs := job.Validate(); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = oneLine(e.Error())
		}
		return nil, fmt.Errorf("%s: %s", path, strings.Join(msgs, "; "))
	}
	return job, nil
}

// parseJob decodes the job object key by key, so each problem knows where
// it is: encoding/json reports neither lines nor which key was unknown, and
// matches keys case-insensitively, which would hide typos.
func parseJob(file string, src []byte) (*connectors.JobDetails, error) {
	job := &connectors.JobDetails{}
	fields := jsonFields(job)

	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: the file is empty: want a JSON object of the job's fields, such as {\"ETLJobNM\": \"my-job\", ...}", file)
	}
	if off := skipSpace(src, 0); err != nil && off < len(src) && !strings.ContainsRune("{[\"-0123456789tfn", rune(src[off])) {
		// Not JSON from its first character: another file (connectors.yaml,
		// a .env) given as the job, not a job with a typo in it.
		// Its text is not quoted: the file may hold credentials.
		return nil, fmt.Errorf("%s: not a JSON job (a job is a JSON object of the job's fields, {\"ETLJobNM\": ...}): give a job file such as fixtures/NAME/job.json", file)
	}
	if err != nil {
		return nil, jsonSyntaxError(file, src, err)
	}
	if tok != json.Delim('{') {
		off := skipSpace(src, 0)
		return nil, fmt.Errorf("%s: want a JSON object of the job's fields, got %s", posOf(file, src, off), jsonKind(src[off:]))
	}

	var problems []string
	more := 0 // problems past maxProblems, counted but not described
	report := func(msg func() string) {
		if len(problems) < maxProblems {
			problems = append(problems, msg())
		} else {
			more++
		}
	}
	seen := map[string]int{}
	lines := lineCounter{src: src}
	for dec.More() {
		keyStart := skipSpaceAnd(src, int(dec.InputOffset()), ',')
		keyTok, err := dec.Token()
		if err != nil {
			return nil, jsonSyntaxError(file, src, err)
		}
		key, _ := keyTok.(string) // the decoder guarantees a string key inside an object
		valStart := skipSpaceAnd(src, int(dec.InputOffset()), ':')
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonSyntaxError(file, src, err)
		}
		// Counted on from the last key, not from the start of the file:
		// a job of a million keys must not take a million scans.
		keyLine := lines.line(keyStart)
		if first, dup := seen[key]; dup {
			report(func() string {
				return fmt.Sprintf("%s: %s is set twice (first on line %d)", posOf(file, src, keyStart), key, first)
			})
			continue
		}
		seen[key] = keyLine
		if strings.HasPrefix(key, "_") {
			continue
		}
		field, ok := fields[key]
		if !ok {
			report(func() string {
				return fmt.Sprintf("%s: unknown key %q%s", posOf(file, src, keyStart), key, keyHint(key, fields))
			})
			continue
		}
		if err := json.Unmarshal(raw, field.Addr().Interface()); err != nil {
			report(func() string { return fmt.Sprintf("%s: %s: %s", posOf(file, src, valStart), key, typeProblem(err)) })
		}
	}
	if _, err := dec.Token(); err != nil { // the closing }
		return nil, jsonSyntaxError(file, src, err)
	}
	if off := skipSpace(src, int(dec.InputOffset())); off < len(src) {
		report(func() string {
			return fmt.Sprintf("%s: unexpected text after the job object (one job per file)", posOf(file, src, off))
		})
	}
	if more > 0 {
		problems = append(problems, fmt.Sprintf("and %d more problems like these", more))
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return job, nil
}

// maxProblems bounds the problems a job's error lists, so a file of a
// million unknown keys is one readable line, not a million.
const maxProblems = 20

// lineCounter gives the 1-based line of byte offsets that only grow,
// counting the newlines since the previous offset: linear over a file.
type lineCounter struct {
	src  []byte
	off  int // bytes counted so far
	seen int // newlines in src[:off]
}

func (c *lineCounter) line(off int) int {
	off = min(max(off, 0), len(c.src))
	if off < c.off { // never happens for a forward scan; stay correct anyway
		c.off, c.seen = 0, 0
	}
	c.seen += bytes.Count(c.src[c.off:off], []byte("\n"))
	c.off = off
	return c.seen + 1
}

// jsonFields maps each JSON key of the struct v points to onto its field.
func jsonFields(v any) map[string]reflect.Value {
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	out := make(map[string]reflect.Value, rt.NumField())
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = rv.Field(i)
	}
	return out
}

// keyHint suggests the known key an unknown one was probably meant to be.
func keyHint(key string, fields map[string]reflect.Value) string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	if n := Nearest(key, names); n != "" {
		return fmt.Sprintf(": did you mean %q? (keys starting with _ are comments)", n)
	}
	return " (keys starting with _ are comments)"
}

// typeProblem says what a value should have been, in a user's words.
func typeProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		got := te.Value
		want := "a " + kindWord(te.Type)
		if strings.HasPrefix(got, "number ") {
			if want == "a number" {
				want = "a whole number"
			}
			got = strings.TrimPrefix(got, "number ")
		}
		return fmt.Sprintf("want %s, got %s", want, got)
	}
	return oneLine(strings.TrimPrefix(err.Error(), "json: "))
}

func kindWord(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "list"
	}
	return "object"
}

// jsonKind names the JSON value starting at b.
func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch c := b[0]; {
	case c == '[':
		return "a list"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	}
	return "something else"
}

// jsonSyntaxError places a decoder error at its line and column.
func jsonSyntaxError(file string, src []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
		// The streaming decoder places some errors before the whitespace
		// ahead of the bad character; the one-shot scanner places them just
		// after it, which is what a user needs to see.
		var v any
		if uerr := json.Unmarshal(src, &v); uerr != nil {
			err = uerr
		}
	}
	switch {
	case errors.As(err, &se):
		off := int(se.Offset) - 1
		msg := strings.TrimPrefix(se.Error(), "json: ")
		if se.Offset >= int64(len(src)) && strings.Contains(msg, "end of JSON input") {
			msg = "unexpected end of file: a closing } ] or \" is missing"
		}
		// JSON allows no comma before a closing bracket: point at the comma.
		if off > 0 && off < len(src) && (src[off] == '}' || src[off] == ']') {
			if prev := lastNonSpace(src, off); prev >= 0 && src[prev] == ',' {
				return fmt.Errorf("%s: a comma before %c: JSON allows none after the last field", posOf(file, src, prev), src[off])
			}
		}
		return fmt.Errorf("%s: %s", posOf(file, src, max(off, 0)), msg)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("%s: unexpected end of file: a closing } ] or \" is missing", posOf(file, src, len(src)))
	}
	return fmt.Errorf("%s: %s", file, oneLine(err.Error()))
}

// posOf renders file:line:column for a byte offset.
func posOf(file string, src []byte, off int) string {
	l, c := lineCol(src, off)
	return fmt.Sprintf("%s:%d:%d", file, l, c)
}

// lineCol converts a byte offset to a 1-based line and a 1-based column
// counted in characters, as editors count them.
func lineCol(src []byte, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	before := src[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

func skipSpace(src []byte, off int) int {
	return skipSpaceAnd(src, off, ' ')
}

// skipSpaceAnd skips JSON whitespace and the separator sep from off.
func skipSpaceAnd(src []byte, off int, sep byte) int {
	for off < len(src) {
		switch src[off] {
		case ' ', '\t', '\n', '\r', sep:
			off++
		default:
			return off
		}
	}
	return off
}

// readError turns a failed read into one line naming the file and what it is.
func readError(path, what string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, os.ErrNotExist) {
		return &fileError{fmt.Sprintf("%s: no such %s", path, what), err}
	}
	return &fileError{fmt.Sprintf("%s: cannot read the %s: %v", path, what, err), err}
}

// fileError is one line for the user that keeps the read's cause, so a
// caller can still tell a missing file (fs.ErrNotExist) from another failure.
type fileError struct {
	msg string
	err error
}

func (e *fileError) Error() string { return e.msg }
func (e *fileError) Unwrap() error { return e.err }

// lastNonSpace is the index of the last non-space byte before i, or -1.
func lastNonSpace(src []byte, i int) int {
	for i--; i >= 0; i-- {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
		default:
			return i
		}
	}
	return -1
}
