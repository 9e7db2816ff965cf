package config

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/joho/godotenv"
)

// envLine is one NAME=value assignment of a dotenv file, with the line it
// starts on so duplicates and problems can point at it.
type envLine struct {
	Name  string
	Value string
	Line  int
	// Expanded is set when godotenv's $VAR expansion changed the value
	// (unquoted and double-quoted values; single quotes keep it literal).
	Expanded bool
}

// statement is one assignment as the scanner found it.
type statement struct {
	name  string
	line  int
	text  []byte // the whole statement, "export" and quotes included
	quote byte   // ', " or 0 for an unquoted value
}

// parseDotenv reads dotenv text with github.com/joho/godotenv, whose rules
// decide every value: NAME=value (or NAME: value) lines, # comments, an
// optional "export " prefix, unquoted values (a " #" starts a comment),
// 'single-quoted' (literal) and "double-quoted" (\n and \r escapes, may span
// lines), and $VAR or ${VAR} expanded from the variables above it in the
// same file in unquoted and double-quoted values.
//
// godotenv gives no line numbers and its errors quote the rest of the line
// or file, secrets included, so a scanner that follows its grammar (a little
// stricter: names are letters, digits and _, and nothing may follow a
// closing quote) splits the file first. Its errors name the file and line,
// at most the variable's name, never a value; godotenv then parses each
// statement alone, to check the split, and the whole file, for the values.
func parseDotenv(file string, src []byte) ([]envLine, error) {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")) // a BOM from Windows editors
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	stmts, err := scanDotenv(file, src)
	if err != nil {
		return nil, err
	}
	values, err := godotenv.UnmarshalBytes(src)
	if err != nil {
		// The scanner accepted the file, so this is a disagreement between
		// the two; find the statement and name it, not godotenv's text.
		for _, st := range stmts {
			if _, serr := godotenv.UnmarshalBytes(st.text); serr != nil {
				return nil, fmt.Errorf("%s:%d: %s: godotenv cannot read this line: check its quotes", file, st.line, st.name)
			}
		}
		return nil, fmt.Errorf("%s: godotenv cannot read this file: check its quotes", file)
	}
	last := make(map[string]int, len(stmts))
	for i, st := range stmts {
		last[st.name] = i
	}
	if len(values) != len(last) {
		return nil, fmt.Errorf("%s: godotenv reads %d variables where connector-dev reads %d: check the quotes", file, len(values), len(last))
	}
	out := make([]envLine, 0, len(stmts))
	for i, st := range stmts {
		v, ok := values[st.name]
		if !ok {
			return nil, fmt.Errorf("%s:%d: %s: godotenv does not read this line as that variable: check its quotes", file, st.line, st.name)
		}
		l := envLine{Name: st.name, Value: v, Line: st.line}
		if last[st.name] == i && st.quote != '\'' && bytes.IndexByte(st.text, '$') >= 0 {
			l.Expanded = v != literalValue(st)
		}
		out = append(out, l)
	}
	return out, nil
}

// dollar stands in for '$' while godotenv reads a statement's literal value:
// bytes no dotenv file holds and godotenv gives no meaning.
const dollar = "\x00\x01\x02\x00"

// literalValue is the statement's value as godotenv reads it with '$'
// taken as an ordinary character: what the value would be without expansion.
func literalValue(st statement) string {
	if bytes.Contains(st.text, []byte(dollar)) {
		return "" // cannot tell; such a file is not text anyway
	}
	m, err := godotenv.UnmarshalBytes(bytes.ReplaceAll(st.text, []byte("$"), []byte(dollar)))
	if err != nil {
		return ""
	}
	return strings.ReplaceAll(m[st.name], dollar, "$")
}

// scanDotenv splits src into statements by godotenv's grammar. src has
// "\n" line ends.
func scanDotenv(file string, src []byte) ([]statement, error) {
	var out []statement
	line := 1
	pos := 0
	for {
		// Between statements: any white space, and comment lines.
		for pos < len(src) {
			r, n := utf8.DecodeRune(src[pos:])
			if r == '#' {
				nl := bytes.IndexByte(src[pos:], '\n')
				if nl < 0 {
					pos = len(src)
					break
				}
				pos += nl
				continue
			}
			if !unicode.IsSpace(r) {
				break
			}
			if r == '\n' {
				line++
			}
			pos += n
		}
		if pos >= len(src) {
			return out, nil
		}
		start, startLine := pos, line
		rest := src[pos:]
		if after, ok := bytes.CutPrefix(rest, []byte("export")); ok {
			if r, _ := utf8.DecodeRune(after); isDotenvSpace(r) {
				rest = bytes.TrimLeftFunc(after, isDotenvSpace)
			}
		}
		sep := bytes.IndexAny(rest, "=:\n")
		if sep < 0 || rest[sep] == '\n' {
			return nil, fmt.Errorf("%s:%d: expected NAME=value (comment the line out with # if it is a note)", file, startLine)
		}
		name := strings.TrimRightFunc(string(rest[:sep]), unicode.IsSpace)
		if !validEnvName(name) {
			return nil, fmt.Errorf("%s:%d: the name before = is not a variable name (letters, digits and _, not starting with a digit)", file, startLine)
		}
		value := bytes.TrimLeftFunc(rest[sep+1:], isDotenvSpace)
		pos = len(src) - len(value)
		st := statement{name: name, line: startLine}
		if len(value) > 0 && (value[0] == '"' || value[0] == '\'') {
			st.quote = value[0]
			end := closingQuote(value)
			if end < 0 {
				return nil, fmt.Errorf("%s:%d: %s: the value's opening %c is never closed", file, startLine, name, st.quote)
			}
			line += bytes.Count(value[:end], []byte("\n"))
			pos += end + 1
			tail := src[pos:]
			if nl := bytes.IndexByte(tail, '\n'); nl >= 0 {
				tail = tail[:nl]
			}
			if t := bytes.TrimLeftFunc(tail, isDotenvSpace); len(t) > 0 && t[0] != '#' {
				return nil, fmt.Errorf("%s:%d: %s: unexpected text after the closing quote (quote the whole value)", file, line, name)
			}
		} else if end := bytes.IndexAny(value, "\n\r"); end >= 0 {
			pos += end
		} else {
			pos = len(src)
		}
		st.text = src[start:pos]
		out = append(out, st)
	}
}

// closingQuote is the index in v of the quote that closes the one at v[0],
// as godotenv finds it (the first one without a \ before it), or -1.
func closingQuote(v []byte) int {
	for i := 1; i < len(v); i++ {
		if v[i] == v[0] && v[i-1] != '\\' {
			return i
		}
	}
	return -1
}

// isDotenvSpace is godotenv's white space within a line.
func isDotenvSpace(r rune) bool {
	switch r {
	case '\t', '\v', '\f', '\r', ' ', 0x85, 0xA0:
		return true
	}
	return false
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
