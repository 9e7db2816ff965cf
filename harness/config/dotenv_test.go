package config

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/joho/godotenv"
)

func TestParseDotenvValues(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []envLine
	}{
		{"plain", "A=1\nB = two words \n", []envLine{{"A", "1", 1, false}, {"B", "two words", 2, false}}},
		{"comments and blanks", "# head\n\n  # indented\nA=1 # trailing\nB=a#b\n", []envLine{{"A", "1", 4, false}, {"B", "a#b", 5, false}}},
		{"export prefix", "export A=1\nexportB=2\n", []envLine{{"A", "1", 1, false}, {"exportB", "2", 2, false}}},
		{"CRLF and BOM", "\xef\xbb\xbfA=1\r\nB=2\r\n", []envLine{{"A", "1", 1, false}, {"B", "2", 2, false}}},
		{"no final newline", "A=1", []envLine{{"A", "1", 1, false}}},
		{"empty value", "A=\nB=''\n", []envLine{{"A", "", 1, false}, {"B", "", 2, false}}},
		{"yaml style", "A: 1\n", []envLine{{"A", "1", 1, false}}},
		{"single quotes are literal", `A='x\ny $HOME "q"' # c`, []envLine{{"A", `x\ny $HOME "q"`, 1, false}}},
		{"single quotes keep what a shell would not", `TOKEN='a"b<c&d e f$G'`, []envLine{{"TOKEN", `a"b<c&d e f$G`, 1, false}}},
		{"double quotes escape", `A="x\ny\"q\" \\ \d"`, []envLine{{"A", "x\ny\"q\" \\ d", 1, false}}},
		{"multi-line value keeps line numbers", "K=\"-----BEGIN\nabc\n-----END\"\nNEXT=1\n", []envLine{{"K", "-----BEGIN\nabc\n-----END", 1, false}, {"NEXT", "1", 4, false}}},
		{"equals in value", "URL=http://h/?a=b\n", []envLine{{"URL", "http://h/?a=b", 1, false}}},
		{"lower-case $word is not expanded", "P=pa$word\n", []envLine{{"P", "pa$word", 1, false}}},
		{"unquoted expands from the lines above", "USER=me\nP=x$USER-${USER}y\n", []envLine{{"USER", "me", 1, false}, {"P", "xme-mey", 2, true}}},
		{"unknown name becomes empty", "P=pa$WORD\n", []envLine{{"P", "pa", 1, true}}},
		{"double quotes expand", `P="a${B}c"`, []envLine{{"P", "ac", 1, true}}},
		{"single quotes do not", `P='a${B}c'`, []envLine{{"P", "a${B}c", 1, false}}},
		{"an escaped dollar in double quotes stays", `P="a\$B"`, []envLine{{"P", "a$B", 1, false}}},
		{"a lone dollar stays", "P=a$ b$\n", []envLine{{"P", "a$ b$", 1, false}}},
		{"set twice: the last value for both", "A=1\nA=2\n", []envLine{{"A", "2", 1, false}, {"A", "2", 2, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDotenv(".env", []byte(tt.src))
			if err != nil {
				t.Fatalf("parseDotenv: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseDotenvErrors(t *testing.T) {
	const secret = "hunter2-very-secret"
	tests := []struct {
		name, src, want string
	}{
		{"no equals", "A=1\n" + secret + "\n", ".env:2: expected NAME=value (comment the line out with # if it is a note)"},
		{"bad name", "A=1\nMY VAR=" + secret, ".env:2: the name before = is not a variable name (letters, digits and _, not starting with a digit)"},
		{"digit first", "1A=" + secret, ".env:1: the name before = is not a variable name (letters, digits and _, not starting with a digit)"},
		{"dot in name", "A.B=" + secret, ".env:1: the name before = is not a variable name (letters, digits and _, not starting with a digit)"},
		{"unterminated double", "A=1\nS3_SECRET_ACCESS_KEY=\"" + secret + "\nB=2\n", `.env:2: S3_SECRET_ACCESS_KEY: the value's opening " is never closed`},
		{"unterminated single", "TOKEN='" + secret, ".env:1: TOKEN: the value's opening ' is never closed"},
		{"closing quote escaped", `TOKEN="` + secret + `\"`, `.env:1: TOKEN: the value's opening " is never closed`},
		{"text after quote", "A=\"x\ny\"" + secret + "\n", ".env:2: A: unexpected text after the closing quote (quote the whole value)"},
		{"two statements on a line", "A='x' B=" + secret + "\n", ".env:1: A: unexpected text after the closing quote (quote the whole value)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseDotenv(".env", []byte(tt.src))
			if err == nil {
				t.Fatal("parseDotenv succeeded, want an error")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error leaks the value: %s", err)
			}
		})
	}
}

// singleQuotable reports whether godotenv reads 'v' back as v: no ' inside,
// no \ at the end (it would escape the closing quote), no NUL, and no CRLF
// (a file's CRLF line ends are read as LF, inside quotes too).
func singleQuotable(v string) bool {
	return !strings.ContainsAny(v, "'\x00") && !strings.HasSuffix(v, `\`) && !strings.Contains(v, "\r\n")
}

// FuzzParseDotenv runs the godotenv path: it never panics, errors are one
// line that starts with the file and a line inside it and never hold a
// value, the scanner and godotenv always agree on the statements, a value
// not marked Expanded is the one the statement gives alone (expansion is
// what makes context matter), and every value single quotes can hold
// survives being written back single-quoted and read again.
func FuzzParseDotenv(f *testing.F) {
	for _, s := range []string{
		"A=1\n", "export A='x'\n", "A=\"a\\nb\"\n", "# c\n\nA=1 # c\nB=a#b", "K=\"x\ny\"\nZ=", "A=\"", "A='b'c", "=1", "\xef\xbb\xbfA=1\r\n",
		"A=1\nB=$A\n", "B=\"${A}x\"", "P='a\"b<c&d e'", "A: b", "A=\\$B", "A=\r\nB=1",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		lines, err := parseDotenv(".env", src)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, ".env:") {
				t.Fatalf("error is not one line naming .env:LINE: %q", msg)
			}
			if strings.Contains(msg, "godotenv") {
				t.Fatalf("the scanner and godotenv disagree: %q", msg)
			}
			return
		}
		// Without expansion a value does not depend on the lines above it.
		norm := bytes.ReplaceAll(bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")), []byte("\r\n"), []byte("\n"))
		stmts, err := scanDotenv(".env", norm)
		if err != nil || len(stmts) != len(lines) {
			t.Fatalf("scanned %d statements (%v), parsed %d lines", len(stmts), err, len(lines))
		}
		final := map[string]int{}
		for i, l := range lines {
			final[l.Name] = i
		}
		for i, l := range lines {
			if final[l.Name] != i || l.Expanded {
				continue
			}
			alone, err := godotenv.UnmarshalBytes(stmts[i].text)
			if err != nil || alone[l.Name] != l.Value {
				t.Fatalf("%s=%q is not marked expanded, but alone it reads %q (%v)", l.Name, l.Value, alone[l.Name], err)
			}
		}
		total := strings.Count(string(src), "\n") + 1
		var b strings.Builder
		var names []string
		for _, l := range lines {
			if l.Line < 1 || l.Line > total {
				t.Fatalf("line %d outside the file's %d lines", l.Line, total)
			}
			if singleQuotable(l.Value) {
				b.WriteString(l.Name + "='" + l.Value + "'\n")
				names = append(names, l.Name)
			}
		}
		again, err := parseDotenv(".env", []byte(b.String()))
		if err != nil {
			t.Fatalf("re-reading the single-quoted values: %v\n%q", err, b.String())
		}
		if len(again) != len(names) {
			t.Fatalf("re-read %d lines, want %d", len(again), len(names))
		}
		want := map[string]string{}
		for _, l := range lines {
			want[l.Name] = l.Value
		}
		for _, l := range again {
			if l.Value != want[l.Name] || l.Expanded {
				t.Fatalf("round trip changed %q=%q into %q (expanded %v)", l.Name, want[l.Name], l.Value, l.Expanded)
			}
		}
	})
}
