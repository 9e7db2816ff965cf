package httprec

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// everyForm is what a test looks for in scrubbed text: SecretForms, and the
// secret inside a Basic header at each alignment.
func everyForm(secret string) []string {
	forms := SecretForms(secret)
	inner, _ := json.Marshal(map[string]string{"token": secret})
	outer, _ := json.Marshal(string(inner))
	forms = append(forms, string(outer))
	for _, user := range []string{"", "u", "us", "usr:"} {
		full := base64.StdEncoding.EncodeToString([]byte(user + secret))
		forms = append(forms, full)
	}
	return forms
}

// Each form a Go program or a protocol writes a secret in is replaced,
// inside ordinary text, and a Basic header's base64 of user:secret does not
// keep the secret at any of the three byte alignments.
func TestScrubberEveryForm(t *testing.T) {
	secret := `tok<en>&"x"` + "\u2028" + `/+?=é`
	s := NewScrubber([]string{secret}, "[REDACTED]")
	j, _ := json.Marshal(secret)
	cases := map[string]string{
		"raw":        secret,
		"go quoted":  strconv.Quote(secret),
		"%q":         fmt.Sprintf("%q", secret),
		"json":       string(j),
		"query":      url.QueryEscape(secret),
		"path":       url.PathEscape(secret),
		"userinfo":   url.UserPassword("me", secret).String(),
		"base64":     base64.StdEncoding.EncodeToString([]byte(secret)),
		"base64url":  base64.URLEncoding.EncodeToString([]byte(secret)),
		"raw std":    base64.RawStdEncoding.EncodeToString([]byte(secret)),
		"raw url":    base64.RawURLEncoding.EncodeToString([]byte(secret)),
		"hex":        hex.EncodeToString([]byte(secret)),
		"HEX":        strings.ToUpper(hex.EncodeToString([]byte(secret))),
		"basic 0":    "Basic " + base64.StdEncoding.EncodeToString([]byte("abc:"+secret)),
		"basic 1":    "Basic " + base64.StdEncoding.EncodeToString([]byte("abcd:"+secret)),
		"basic 2":    "Basic " + base64.StdEncoding.EncodeToString([]byte("ab:"+secret+":tail")),
		"basic url":  base64.URLEncoding.EncodeToString([]byte("a:" + secret)),
		"in hex run": hex.EncodeToString([]byte("x" + secret + "y")),
	}
	// A server echoing the JSON body it got as a string: JSON in JSON.
	inner, _ := json.Marshal(map[string]string{"token": secret, "url": "https://x/?t=" + url.PathEscape(secret)})
	outer, _ := json.Marshal(map[string]string{"echo": string(inner)})
	cases["json in json"] = string(outer)
	var plain strings.Builder
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	enc.Encode(string(inner))
	cases["json in json, no html escape"] = plain.String()
	pathJSON, _ := json.Marshal(url.PathEscape(secret))
	cases["path in json"] = string(pathJSON)
	for name, text := range cases {
		out := s.Replace("before " + text + " after")
		if !strings.Contains(out, "[REDACTED]") {
			t.Errorf("%s: %q kept whole: %q", name, text, out)
		}
		if strings.Contains(out, text) {
			t.Errorf("%s: %q survives in %q", name, text, out)
		}
		for _, f := range SecretForms(secret) {
			if strings.Contains(out, f) {
				t.Errorf("%s: form %q survives in %q", name, f, out)
			}
		}
	}
	if out := s.Replace("nothing to see"); out != "nothing to see" {
		t.Errorf("plain text changed: %q", out)
	}
}

// Short values are not scrubbed (they would blank words), and a URL is
// secret in its password only.
func TestScrubberShortAndURL(t *testing.T) {
	s := NewScrubber([]string{"abc", "postgres://app:p%40ss%3Aw0rd%2Fx@db.example.com:5432/warehouse"}, "[REDACTED]")
	if out := s.Replace("abc def"); out != "abc def" {
		t.Errorf("a 3-character value was scrubbed: %q", out)
	}
	u := url.URL{Scheme: "postgres", User: url.UserPassword("app", "p@ss:w0rd/x"), Host: "db.example.com:5432", Path: "/warehouse"}
	out := s.Replace("connect " + u.String() + " failed; raw p@ss:w0rd/x")
	for _, keep := range []string{"db.example.com:5432", "/warehouse", "postgres://app:"} {
		if !strings.Contains(out, keep) {
			t.Errorf("%q lost %q", out, keep)
		}
	}
	if strings.Contains(out, "p@ss") || strings.Contains(out, "p%40ss") {
		t.Errorf("password survives: %q", out)
	}
}

// FuzzScrubber: whatever the secret and the text around it, no form of the
// secret survives Replace, with the secret in any of its forms inside.
func FuzzScrubber(f *testing.F) {
	f.Add("s3cr3t-token", "pre ", " post", uint8(0))
	f.Add("a+b/c=d<&>", `{"k":"`, `"}`, uint8(3))
	f.Add("D]xy", "[REDACTE", "", uint8(0))
	f.Add("user:pass", "Basic ", "", uint8(14))
	f.Add(`to"k<en>`, `{"echo":"`, `"}`, uint8(255))
	f.Fuzz(func(t *testing.T, secret, pre, post string, which uint8) {
		if len(secret) < MinSecretLen || len(secret) > 200 {
			return
		}
		const with = "[REDACTED]"
		s := NewScrubber([]string{secret}, with)
		forms := everyForm(secret)
		text := pre + forms[int(which)%len(forms)] + post
		out := s.Replace(text)
		for _, f := range SecretForms(secret) {
			if len(f) >= MinSecretLen && !strings.Contains(with, f) && strings.Contains(out, f) {
				t.Fatalf("secret %q: form %q survives in %q (from %q)", secret, f, out, text)
			}
		}
	})
}
