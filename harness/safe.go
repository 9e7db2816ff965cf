package harness

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// SafeText makes text from a job, a connector, an API, a batch value or
// metadata safe for a terminal and a line-based log: C0 and C1 control
// characters, DEL, the bidi overrides and isolates (U+202A-202E,
// U+2066-2069), the line and paragraph separators and bytes that are not
// UTF-8 are shown escaped (\n, \t, \x1b, \u202e, \xff), so one event stays
// one line and nothing can move the cursor, clear the screen or set a
// title. A backslash is left as it is: the escapes are for reading, not for
// parsing back (the --json stream keeps the exact text).
func SafeText(s string) string {
	if !needsEscape(s, false) {
		return s
	}
	return escapeText(s, false)
}

// safeLines is SafeText that keeps newlines and tabs: for text printed as
// lines of its own (inspect's csv and jsonl on a terminal).
func safeLines(s string) string {
	if !needsEscape(s, true) {
		return s
	}
	return escapeText(s, true)
}

func needsEscape(s string, keepLines bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return true // checked rune by rune by escapeText
		}
		if c < 0x20 || c == 0x7f {
			if keepLines && (c == '\n' || c == '\t') {
				continue
			}
			return true
		}
	}
	return false
}

func escapeText(s string, keepLines bool) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// unsafeRune is a non-ASCII rune a terminal acts on instead of showing.
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x2028 || r == 0x2029
}

// TerminalWriter escapes what is written to w as SafeText does, newlines
// and tabs kept: `inspect --format csv|jsonl` writes through it when
// stdout is a terminal, so a batch value cannot drive the terminal. An
// incomplete UTF-8 sequence at the end of one Write waits for the next, or
// for Flush.
func TerminalWriter(w io.Writer) *TermWriter { return &TermWriter{w: w} }

// TermWriter is the writer TerminalWriter returns.
type TermWriter struct {
	w    io.Writer
	tail []byte
}

// Flush writes a held-back incomplete sequence, escaped.
func (t *TermWriter) Flush() error {
	if len(t.tail) == 0 {
		return nil
	}
	_, err := io.WriteString(t.w, safeLines(string(t.tail)))
	t.tail = nil
	return err
}

// Write escapes p and writes it.
func (t *TermWriter) Write(p []byte) (int, error) {
	buf := append(t.tail, p...)
	cut := len(buf)
	// Hold back a rune cut by the end of p (at most 3 bytes).
	for i := len(buf) - 1; i >= 0 && i >= len(buf)-3; i-- {
		if utf8.RuneStart(buf[i]) {
			if !utf8.FullRune(buf[i:]) {
				cut = i
			}
			break
		}
	}
	t.tail = append([]byte(nil), buf[cut:]...)
	if _, err := io.WriteString(t.w, safeLines(string(buf[:cut]))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// SafeEvent returns a copy of ev with every text a job, a connector or an
// API could have put there made SafeText (the Trace is left to the
// renderer, which keeps its lines). The plain printer and run.log render
// through it, and the TUI feeds its view state from it.
func SafeEvent(ev Event) Event { return safeEvent(ev) }

func safeEvent(ev Event) Event {
	msg := SafeText(ev.Message)
	if ev.Kind == EventFinished {
		// The closing message is lines of ours (headline, then details):
		// each is made safe, and the line breaks between them stay.
		lines := strings.Split(ev.Message, "\n")
		for i, l := range lines {
			lines[i] = SafeText(l)
		}
		msg = strings.Join(lines, "\n")
	}
	ev.Stage, ev.Level, ev.Message, ev.Stream = SafeText(ev.Stage), Level(SafeText(string(ev.Level))), msg, SafeText(ev.Stream)
	if ev.Run != nil {
		r := SafeRunInfo(*ev.Run)
		ev.Run = &r
	}
	if ev.Batch != nil {
		b := *ev.Batch
		b.Key, b.Format = SafeText(b.Key), SafeText(b.Format)
		ev.Batch = &b
	}
	if ev.Exit != nil {
		x := *ev.Exit
		x.Message = SafeText(x.Message)
		ev.Exit = &x
	}
	if len(ev.Summary) > 0 {
		sum := make([]StageReport, len(ev.Summary))
		for i, s := range ev.Summary {
			s.Name, s.Connector = SafeText(s.Name), SafeText(s.Connector)
			if s.Exit != nil {
				x := *s.Exit
				x.Message = SafeText(x.Message)
				s.Exit = &x
			}
			sum[i] = s
		}
		ev.Summary = sum
	}
	return ev
}

// SafeRunInfo is the run header with every field SafeText.
func SafeRunInfo(r RunInfo) RunInfo {
	for _, f := range []*string{&r.RunID, &r.Job, &r.Source, &r.Destination, &r.Container, &r.Version,
		&r.Endpoint, &r.Storage, &r.Bucket, &r.Prefix, &r.Format, &r.FromRun} {
		*f = SafeText(*f)
	}
	return r
}
