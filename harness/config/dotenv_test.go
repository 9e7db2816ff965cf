package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseDotenvValues(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []envLine
	}{
		{"plain", "A=1\nB = two words \n", []envLine{{"A", "1", 1}, {"B", "two words", 2}}},
		{"comments and blanks", "# head\n\n  # indented\nA=1 # trailing\nB=a#b\n", []envLine{{"A", "1", 4}, {"B", "a#b", 5}}},
		{"export prefix", "export A=1\nexportB=2\n", []envLine{{"A", "1", 1}, {"exportB", "2", 2}}},
		{"CRLF and BOM", "\xef\xbb\xbfA=1\r\nB=2\r\n", []envLine{{"A", "1", 1}, {"B", "2", 2}}},
		{"no final newline", "A=1", []envLine{{"A", "1", 1}}},
		{"empty value", "A=\nB=''\n", []envLine{{"A", "", 1}, {"B", "", 2}}},
		{"single quotes are literal", `A='x\ny $HOME "q"' # c`, []envLine{{"A", `x\ny $HOME "q"`, 1}}},
		{"double quotes escape", `A="x\ny\t\"q\" \\ \d"`, []envLine{{"A", "x\ny\t\"q\" \\ \\d", 1}}},
		{"dollar kept", "PASSWORD=pa$word${X}\n", []envLine{{"PASSWORD", "pa$word${X}", 1}}},
		{"multi-line value keeps line numbers", "K=\"-----BEGIN\nabc\n-----END\"\nNEXT=1\n", []envLine{{"K", "-----BEGIN\nabc\n-----END", 1}, {"NEXT", "1", 4}}},
		{"equals in value", "URL=http://h/?a=b\n", []envLine{{"URL", "http://h/?a=b", 1}}},
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
		{"unterminated double", "A=1\nS3_SECRET_ACCESS_KEY=\"" + secret + "\nB=2\n", `.env:2: S3_SECRET_ACCESS_KEY: the value's opening " is never closed`},
		{"unterminated single", "TOKEN='" + secret, ".env:1: TOKEN: the value's opening ' is never closed"},
		{"text after quote", "A=\"x\ny\"" + secret + "\n", ".env:2: A: unexpected text after the closing quote (quote the whole value)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseDotenv(".env", []byte(tt.src))
			if err == nil {
				t.Fatal("parseDotenv succeeded, want an error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error leaks the value: %s", err)
			}
		})
	}
}

// quoteDotenv writes v as a double-quoted dotenv value that parseDotenv
// reads back unchanged.
func quoteDotenv(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`)
	return `"` + r.Replace(v) + `"`
}

// FuzzParseDotenv checks the parser never panics, errors are one line that
// starts with the file and a line inside it, and whatever it reads survives
// being written back quoted and read again.
func FuzzParseDotenv(f *testing.F) {
	for _, s := range []string{
		"A=1\n", "export A='x'\n", "A=\"a\\nb\"\n", "# c\n\nA=1 # c\nB=a#b", "K=\"x\ny\"\nZ=", "A=\"", "A='b'c", "=1", "\xef\xbb\xbfA=1\r\n",
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
			return
		}
		total := strings.Count(string(src), "\n") + 1
		var b strings.Builder
		for _, l := range lines {
			if l.Line < 1 || l.Line > total {
				t.Fatalf("line %d outside the file's %d lines", l.Line, total)
			}
			b.WriteString(l.Name + "=" + quoteDotenv(l.Value) + "\n")
		}
		again, err := parseDotenv(".env", []byte(b.String()))
		if err != nil {
			t.Fatalf("re-reading the quoted values: %v\n%s", err, b.String())
		}
		if len(again) != len(lines) {
			t.Fatalf("re-read %d lines, want %d", len(again), len(lines))
		}
		for i := range lines {
			if again[i].Name != lines[i].Name || again[i].Value != lines[i].Value {
				t.Fatalf("round trip changed %q=%q into %q=%q", lines[i].Name, lines[i].Value, again[i].Name, again[i].Value)
			}
		}
	})
}
