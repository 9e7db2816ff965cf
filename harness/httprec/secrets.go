package httprec

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// MinSecretLen is the shortest value a scrubber replaces: shorter ones
// ("1", "dev", "yes") would blank ordinary words in every line.
const MinSecretLen = 4

// Scrubber replaces every known secret, in every form it is commonly
// written in, with one text. It is the one scrubber of the project: the
// run's events, reports and the captured output of connectors use it, and
// so do cassettes.
type Scrubber struct {
	replacer *strings.Replacer
	with     string
	empty    bool
}

// NewScrubber builds a Scrubber for secrets; each is replaced by with in
// every form SecretForms lists. A value of the form
// scheme://user:password@host/... is secret in its password only, so host,
// port and database stay readable. Values shorter than MinSecretLen are
// skipped, and so are forms that occur in with itself (replacing those
// would never end).
func NewScrubber(secrets []string, with string) *Scrubber {
	var forms []string
	seen := map[string]bool{}
	for _, s := range secrets {
		for _, v := range secretParts(s) {
			if len(v) < MinSecretLen {
				continue
			}
			for _, f := range SecretForms(v) {
				if len(f) < MinSecretLen || seen[f] || strings.Contains(with, f) {
					continue
				}
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	// Longest first: at one position the whole form wins over a shorter one
	// inside it (a secret that holds another is replaced whole).
	sort.Slice(forms, func(i, j int) bool {
		if len(forms[i]) != len(forms[j]) {
			return len(forms[i]) > len(forms[j])
		}
		return forms[i] < forms[j]
	})
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, with)
	}
	return &Scrubber{replacer: strings.NewReplacer(pairs...), with: with, empty: len(forms) == 0}
}

// Replace returns s with every secret form replaced. It repeats until
// nothing changes, so a form that only appears once a neighbour was
// replaced (the tail of the replacement text followed by the rest of a
// secret) is caught too.
func (s *Scrubber) Replace(v string) string {
	if s == nil || s.empty || v == "" {
		return v
	}
	for i := 0; i < 8; i++ {
		next := s.replacer.Replace(v)
		if next == v {
			return v
		}
		v = next
	}
	return v
}

// secretParts is what of a credential value is secret: the password of a
// URL with userinfo, else the whole value.
func secretParts(v string) []string {
	if !strings.Contains(v, "://") || !strings.Contains(v, "@") {
		return []string{v}
	}
	u, err := url.Parse(v)
	if err != nil || u.User == nil {
		return []string{v}
	}
	if p, ok := u.User.Password(); ok {
		return []string{p}
	}
	return []string{v}
}

// SecretForms lists the ways v is written by Go code and the protocols we
// record: raw; Go-quoted (strconv.Quote without the quotes); JSON as
// encoding/json writes it (\u003c, \u003e, \u0026, \u2028) and without its
// HTML escaping; URL query, path and userinfo escaped; base64 standard, URL,
// and both unpadded; hex in lower and upper case. For base64 it also lists
// the part of the encoding that does not depend on what surrounds v when v
// sits at each of the three byte offsets modulo 3 inside a longer encoded
// string (the secret of a Basic header, base64("user:" + secret)). Each
// form that JSON escaping changes is also listed JSON-escaped once more:
// JSON inside a JSON string.
func SecretForms(v string) []string {
	forms := []string{v}
	quoted := strconv.Quote(v)
	forms = append(forms, quoted[1:len(quoted)-1])
	if j, err := json.Marshal(v); err == nil {
		forms = append(forms, string(j[1:len(j)-1]))
	}
	var plain strings.Builder
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) == nil {
		j := strings.TrimSuffix(plain.String(), "\n")
		forms = append(forms, j[1:len(j)-1])
	}
	forms = append(forms, url.QueryEscape(v), url.PathEscape(v))
	if ui := url.UserPassword("u", v).String(); len(ui) > 2 {
		forms = append(forms, ui[2:])
	}
	b := []byte(v)
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		forms = append(forms, e.EncodeToString(b))
	}
	for _, e := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for k := 0; k < 3; k++ {
			if inner := stableBase64(e, b, k); inner != "" {
				forms = append(forms, inner)
			}
		}
	}
	h := hex.EncodeToString(b)
	forms = append(forms, h, strings.ToUpper(h))
	// A JSON body echoed inside another JSON string (a server quoting the
	// request back, a log line holding a JSON document) escapes the escape:
	// \" becomes \\\", \u003c becomes \\u003c. Each form JSON changes
	// (the JSON forms themselves, and URL forms holding & < >) is listed in
	// its JSON forms too, once: deeper nesting is rare.
	for _, f := range forms[:len(forms):len(forms)] {
		for _, g := range jsonForms(f) {
			if g != f {
				forms = append(forms, g)
			}
		}
	}
	return forms
}

// jsonForms is s inside a JSON string, as encoding/json writes it and
// without its HTML escaping.
func jsonForms(s string) []string {
	var out []string
	if j, err := json.Marshal(s); err == nil {
		out = append(out, string(j[1:len(j)-1]))
	}
	var plain strings.Builder
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	if enc.Encode(s) == nil {
		j := strings.TrimSuffix(plain.String(), "\n")
		out = append(out, j[1:len(j)-1])
	}
	return out
}

// stableBase64 encodes b after k bytes of prefix and returns the characters
// that depend on b's bits alone: every 6-bit group fully inside b. Whatever
// surrounds b in a longer encoded string, these characters are the same.
func stableBase64(e *base64.Encoding, b []byte, k int) string {
	buf := make([]byte, k+len(b))
	copy(buf[k:], b)
	s := e.EncodeToString(buf)
	first := (8*k + 5) / 6       // first char whose bits start inside b
	last := 8 * (k + len(b)) / 6 // chars before this end inside b
	if last > len(s) {
		last = len(s)
	}
	if last-first < MinSecretLen {
		return ""
	}
	return s[first:last]
}
