package codec

import (
	"fmt"
	"strings"

	"connector-dev/connectors"
)

// FormatSchema renders fields as "name:type" entries joined by commas, with
// a '?' after the type of a nullable column, e.g.
// "id:int64,account_name:string,amount:float64?". The form travels in S3
// object metadata, which is an HTTP header: so every byte of a name other
// than ASCII letters, digits and "-_.~" is percent-escaped (a space is %20,
// a comma %2C, é is %C3%A9), which makes any name round-trip through
// ParseSchema and keeps the header plain ASCII.
func FormatSchema(fields []connectors.Field) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		escapeName(&b, f.Name)
		b.WriteByte(':')
		b.WriteString(f.Type.String())
		if f.Nullable {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// ParseSchema is the inverse of FormatSchema. The empty string is a schema
// of no columns. An entry without a name or type, an unknown type, a bad
// escape or a name used twice is an error naming the entry.
func ParseSchema(s string) ([]connectors.Field, error) {
	if s == "" {
		return []connectors.Field{}, nil
	}
	entries := strings.Split(s, ",")
	fields := make([]connectors.Field, 0, len(entries))
	seen := make(map[string]bool, len(entries))
	for i, e := range entries {
		colon := strings.IndexByte(e, ':')
		if colon < 0 {
			return nil, fmt.Errorf("schema entry %d %q: want name:type (e.g. id:int64 or note:string?)", i+1, e)
		}
		name, err := unescapeName(e[:colon])
		if err != nil {
			return nil, fmt.Errorf("schema entry %d %q: %w", i+1, e, err)
		}
		if name == "" {
			return nil, fmt.Errorf("schema entry %d %q: the column has no name", i+1, e)
		}
		typ := e[colon+1:]
		nullable := strings.HasSuffix(typ, "?")
		typ = strings.TrimSuffix(typ, "?")
		t, err := connectors.ParseType(typ)
		if err != nil {
			return nil, fmt.Errorf("schema entry %d %q: %w", i+1, e, err)
		}
		if seen[name] {
			return nil, fmt.Errorf("schema entry %d %q: column %q appears twice", i+1, e, name)
		}
		seen[name] = true
		fields = append(fields, connectors.Field{Name: name, Type: t, Nullable: nullable})
	}
	return fields, nil
}

const hexDigits = "0123456789ABCDEF"

func isPlain(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func escapeName(b *strings.Builder, name string) {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isPlain(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
}

func unescapeName(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			out = append(out, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("name has a truncated %%-escape at byte %d (want %%XX, e.g. %%20 for a space)", i+1)
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", fmt.Errorf("name has a bad %%-escape %q at byte %d (want %%XX, e.g. %%20 for a space)", s[i:i+3], i+1)
		}
		out = append(out, hi<<4|lo)
		i += 2
	}
	return string(out), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
