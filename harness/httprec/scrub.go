package httprec

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
)

// Redacted replaces every secret in a written cassette.
const Redacted = "REDACTED"

// secretKeys are the form, query and JSON keys whose values are credentials
// in OAuth 2.0 and the APIs we record. client_id is not secret, but it is
// scrubbed so that a replay with another (or no) client id still matches.
var secretKeys = map[string]bool{
	"access_token":  true,
	"refresh_token": true,
	"client_secret": true,
	"client_id":     true,
	"id_token":      true,
	"signature":     true,
	"password":      true,
	"api_key":       true,
}

// secretHeaders carry credentials or session cookies.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"}

// jsonSecret finds `"key": "value"` for the secret keys; the value is
// replaced and every other byte of the body kept.
var jsonSecret = regexp.MustCompile(`("(?i:access_token|refresh_token|client_secret|client_id|id_token|signature|password|api_key)"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// scrubber replaces credentials in URLs, bodies, headers and forms.
type scrubber struct {
	// replacer swaps each secret, in every form SecretForms lists, for
	// Redacted.
	replacer *Scrubber
}

func newScrubber(secrets []string) *scrubber {
	return &scrubber{replacer: NewScrubber(secrets, Redacted)}
}

func (s *scrubber) secrets(v string) string { return s.replacer.Replace(v) }

// form scrubs an application/x-www-form-urlencoded string (a body or a
// query), keeping the order and encoding of everything it does not redact.
func (s *scrubber) form(v string) string {
	if v == "" {
		return v
	}
	parts := strings.Split(v, "&")
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		// Redacted even when empty, so a replay without the secret matches.
		if secretKeys[strings.ToLower(key)] {
			parts[i] = k + "=" + Redacted
		}
	}
	return s.secrets(strings.Join(parts, "&"))
}

// url scrubs a URL's query values, its userinfo password and any secret.
func (s *scrubber) url(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return s.secrets(raw)
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), Redacted)
		}
	}
	u.RawQuery = s.form(u.RawQuery)
	return s.secrets(u.String())
}

// body scrubs a request or response body by its content type.
func (s *scrubber) body(b, contentType string) string {
	if b == "" {
		return b
	}
	ct := strings.ToLower(contentType)
	trimmed := strings.TrimLeft(b, " \t\r\n")
	switch {
	case strings.Contains(ct, "x-www-form-urlencoded"):
		b = s.form(b)
	case strings.Contains(ct, "json") || strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "["):
		b = jsonSecret.ReplaceAllString(b, `${1}"`+Redacted+`"`)
	}
	return s.secrets(b)
}

// headers returns a scrubbed copy: go-vcr shares header maps with the live
// request and response, which must not change under the connector.
func (s *scrubber) headers(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		cp := make([]string, len(vs))
		for i, v := range vs {
			cp[i] = s.secrets(v)
		}
		out[k] = cp
	}
	for _, k := range secretHeaders {
		if vs := out.Values(k); len(vs) > 0 {
			red := make([]string, len(vs))
			for i, v := range vs {
				// Keep the scheme word (Bearer, Basic): it says what was sent.
				if scheme, _, ok := strings.Cut(v, " "); ok && k != "Cookie" && k != "Set-Cookie" {
					red[i] = scheme + " " + Redacted
				} else {
					red[i] = Redacted
				}
			}
			out[http.CanonicalHeaderKey(k)] = red
		}
	}
	return out
}

func (s *scrubber) values(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		cp := make([]string, len(vs))
		for i, x := range vs {
			if secretKeys[strings.ToLower(k)] {
				cp[i] = Redacted
			} else {
				cp[i] = s.secrets(x)
			}
		}
		out[s.secrets(k)] = cp
	}
	return out
}

// interaction is the BeforeSave hook: it scrubs one recorded exchange and
// drops what changes from run to run without meaning (latency), so a
// re-recording of the same traffic writes the same file.
func (s *scrubber) interaction(i *cassette.Interaction) error {
	rq := &i.Request
	rq.URL = s.url(rq.URL)
	rq.Host = s.secrets(rq.Host)
	rq.RequestURI = s.url(rq.RequestURI)
	rq.Body = s.body(rq.Body, rq.Headers.Get("Content-Type"))
	if rq.ContentLength > 0 {
		rq.ContentLength = int64(len(rq.Body))
	}
	rq.Headers = s.headers(rq.Headers)
	rq.Form = s.values(rq.Form)
	rq.Trailer = s.headers(rq.Trailer)

	rs := &i.Response
	body := s.body(rs.Body, rs.Headers.Get("Content-Type"))
	rs.Headers = s.headers(rs.Headers)
	if body != rs.Body {
		rs.Body = body
		if rs.ContentLength >= 0 {
			rs.ContentLength = int64(len(body))
		}
		if rs.Headers.Get("Content-Length") != "" {
			rs.Headers.Set("Content-Length", strconv.Itoa(len(body)))
		}
	}
	rs.Trailer = s.headers(rs.Trailer)
	rs.Duration = 0
	return nil
}
