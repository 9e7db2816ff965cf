package harness

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSafeText(t *testing.T) {
	cases := map[string]string{
		"plain text, é and 日本":  "plain text, é and 日本",
		"a\nb\r\tc":             `a\nb\r\tc`,
		"\x1b[2J\x1b]0;t\x07":   `\x1b[2J\x1b]0;t\x07`,
		"del\x7f c1\u009b":      `del\x7f c1\u009b`,
		"bidi\u202e\u2066":      `bidi\u202e\u2066`,
		"bad \xff\xfe utf8":     `bad \xff\xfe utf8`,
		`back\slash \x1b stays`: `back\slash \x1b stays`,
	}
	for in, want := range cases {
		if got := SafeText(in); got != want {
			t.Errorf("SafeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// unsafeIn reports the first rune a terminal would act on.
func unsafeIn(s string, keepLines bool) (rune, bool) {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return r, true
			}
		}
		if keepLines && (r == '\n' || r == '\t') {
			continue
		}
		if r < 0x20 || r == 0x7f || unsafeRune(r) {
			return r, true
		}
	}
	return 0, false
}

// FuzzSafeText: whatever the text, SafeText gives valid UTF-8 with no
// control character, bidi override or line break, leaves safe text as it is,
// and is stable; a TerminalWriter fed the text in any two pieces writes the
// same as safeLines of the whole; FormatPlain of a log event is one line.
func FuzzSafeText(f *testing.F) {
	f.Add("hello", 2)
	f.Add("a\nb\x1b[2J\x1b]0;x\x07", 3)
	f.Add("\u202eabc\u009b\xff", 1)
	f.Add("日本語", 1)
	f.Fuzz(func(t *testing.T, s string, cut int) {
		out := SafeText(s)
		if r, bad := unsafeIn(out, false); bad || !utf8.ValidString(out) {
			t.Fatalf("SafeText(%q) = %q holds %U", s, out, r)
		}
		if _, bad := unsafeIn(s, false); !bad && out != s {
			t.Fatalf("safe text %q changed to %q", s, out)
		}
		if again := SafeText(out); again != out {
			t.Fatalf("SafeText not stable: %q then %q", out, again)
		}
		var b bytes.Buffer
		w := TerminalWriter(&b)
		if cut < 0 {
			cut = -cut
		}
		cut %= len(s) + 1
		w.Write([]byte(s[:cut]))
		w.Write([]byte(s[cut:]))
		w.Flush()
		if b.String() != safeLines(s) {
			t.Fatalf("TerminalWriter of %q cut at %d wrote %q, want %q", s, cut, b.String(), safeLines(s))
		}
		if r, bad := unsafeIn(b.String(), true); bad {
			t.Fatalf("TerminalWriter wrote %U from %q", r, s)
		}
		line := FormatPlain(Event{Time: time.Unix(0, 0), Kind: EventLog, Stage: s, Level: LevelInfo, Message: s, Stream: "stdout"})
		if strings.Contains(line, "\n") {
			t.Fatalf("FormatPlain of %q is more than one line: %q", s, line)
		}
	})
}
