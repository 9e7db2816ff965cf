package config

import (
	"bytes"
	"fmt"
	"strings"
)

// envLine is one NAME=value assignment of a dotenv file, with the line it
// starts on so duplicates and problems can point at it.
type envLine struct {
	Name  string
	Value string
	Line  int
}

// parseDotenv reads dotenv text: NAME=value lines, blank lines, # comments,
// an optional "export " prefix, values unquoted (an inline " #" starts a
// comment), 'single-quoted' (literal) or "double-quoted" (\n \r \t \" \\
// escapes; may span lines, for PEM keys).
//
// We parse ourselves rather than with godotenv because its errors carry no
// line number and quote the rest of the file, secrets included, and it
// expands $VAR inside values, which mangles passwords containing '$'. Errors
// here name the file and line, at most the variable's name, never a value.
func parseDotenv(file string, src []byte) ([]envLine, error) {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")) // a BOM from Windows editors
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	var out []envLine
	line := 1
	for len(text) > 0 {
		stmt, rest, found := strings.Cut(text, "\n")
		start := line
		trimmed := strings.TrimLeft(stmt, " \t")
		if trimmed == "" || trimmed[0] == '#' {
			text, line = rest, line+1
			continue
		}
		if after, ok := strings.CutPrefix(trimmed, "export"); ok && after != "" && (after[0] == ' ' || after[0] == '\t') {
			trimmed = strings.TrimLeft(after, " \t")
		}
		rawName, value, ok := strings.Cut(trimmed, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: expected NAME=value (comment the line out with # if it is a note)", file, start)
		}
		name := strings.TrimRight(rawName, " \t")
		if !validEnvName(name) {
			return nil, fmt.Errorf("%s:%d: the name before = is not a variable name (letters, digits and _, not starting with a digit)", file, start)
		}
		value = strings.TrimLeft(value, " \t")
		// Quoted values may run past this line, so they read from the rest of the text.
		remaining := value
		if found {
			remaining = value + "\n" + rest
		}
		switch {
		case strings.HasPrefix(value, `"`), strings.HasPrefix(value, `'`):
			v, after, lines, err := readQuoted(remaining)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: %v", file, start, name, err)
			}
			tail, next, _ := strings.Cut(after, "\n")
			if t := strings.TrimLeft(tail, " \t"); t != "" && t[0] != '#' {
				return nil, fmt.Errorf("%s:%d: %s: unexpected text after the closing quote (quote the whole value)", file, start+lines, name)
			}
			out = append(out, envLine{Name: name, Value: v, Line: start})
			text, line = next, start+lines+1
		default:
			out = append(out, envLine{Name: name, Value: unquotedValue(value), Line: start})
			text, line = rest, line+1
		}
	}
	return out, nil
}

// readQuoted reads a quoted value starting at s[0] (the quote). It returns
// the value, the text after the closing quote and how many newlines the value
// spanned.
func readQuoted(s string) (value, after string, lines int, err error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), s[i+1:], lines, nil
		case c == '\\' && q == '"' && i+1 < len(s):
			i++
			switch e := s[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '"', '\\':
				b.WriteByte(e)
			default:
				// Unknown escapes stay as written: Windows paths and regexps survive.
				b.WriteByte('\\')
				b.WriteByte(e)
				if e == '\n' {
					lines++
				}
			}
		default:
			if c == '\n' {
				lines++
			}
			b.WriteByte(c)
		}
	}
	return "", "", 0, fmt.Errorf("the value's opening %c is never closed", q)
}

// unquotedValue trims an unquoted value and drops an inline comment, which
// needs whitespace before the # so values like "a#b" stay whole.
func unquotedValue(v string) string {
	for i := 1; i < len(v); i++ {
		if v[i] == '#' && (v[i-1] == ' ' || v[i-1] == '\t') {
			v = v[:i]
			break
		}
	}
	return strings.TrimSpace(v)
}

// validEnvName reports whether s is a portable environment variable name.
func validEnvName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
