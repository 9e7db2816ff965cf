package httprec

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const (
	refreshToken = "5Aep861.refresh+token/with=chars"
	clientSecret = "client-secret-0042"
	clientID     = "3MVG9client-id"
	accessToken  = "00Dxx!AQ0.access-token-issued"
	apiKey       = "custom-api-key-77"
	cookie       = "BrowserId=cookie-value-1234"
)

// api is a server that hands out a token, serves data with it, and answers
// 503 to the first /flaky request.
func api(t *testing.T) (*httptest.Server, *int) {
	var mu sync.Mutex
	flaky := 0
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		w.Header()["Date"] = nil // a fixed answer, so recordings compare
		switch r.URL.Path {
		case "/token":
			_ = r.ParseForm()
			if r.PostForm.Get("refresh_token") != refreshToken {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Set-Cookie", cookie)
			_, _ = io.WriteString(w, `{"access_token":"`+accessToken+`","refresh_token":"`+refreshToken+`","id_token":"eyJ.x.y", "signature" : "sig+/=","instance_url":"https://x.example"}`)
		case "/data":
			if r.Header.Get("Authorization") != "Bearer "+accessToken {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"rows":[1,2,3],"note":"key `+apiKey+` used","q":"`+r.URL.Query().Get("q")+`"}`)
		case "/flaky":
			flaky++
			if flaky == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = io.WriteString(w, "busy")
				return
			}
			_, _ = io.WriteString(w, "ok after retry")
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

type exchange struct {
	status int
	body   string
}

// session is what a connector does: log in, then use the token.
func session(t *testing.T, c *http.Client, base, refresh, secret, id string) []exchange {
	t.Helper()
	var out []exchange
	do := func(req *http.Request) {
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out = append(out, exchange{resp.StatusCode, string(b)})
	}
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {id}, "client_secret": {secret}, "refresh_token": {refresh}}
	req, _ := http.NewRequest(http.MethodPost, base+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	do(req)
	tok := accessToken
	if !strings.Contains(out[0].body, accessToken) {
		tok = Redacted // the replayed token
	}
	req, _ = http.NewRequest(http.MethodGet, base+"/data?q="+url.QueryEscape("SELECT Id FROM Account")+"&access_token="+url.QueryEscape(tok), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Api-Key", apiKey)
	do(req)
	for i := 0; i < 2; i++ {
		req, _ = http.NewRequest(http.MethodGet, base+"/flaky", nil)
		do(req)
	}
	return out
}

func record(t *testing.T, srv *httptest.Server, path string) []exchange {
	t.Helper()
	rec, err := New(Record, path, []string{refreshToken, clientSecret, apiKey, ""}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := session(t, rec.Client(), srv.URL, refreshToken, clientSecret, clientID)
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestRecordScrubsSecrets(t *testing.T) {
	srv, _ := api(t)
	path := filepath.Join(t.TempDir(), "sub", "x.cassette.yaml")
	live := record(t, srv, path)
	if live[0].status != 200 || live[1].status != 200 {
		t.Fatalf("live session failed (so the recording would be useless): %+v", live)
	}
	if !strings.Contains(live[0].body, accessToken) {
		t.Fatal("while recording, the connector must get the real token back")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, s := range []string{refreshToken, url.QueryEscape(refreshToken), clientSecret, clientID, accessToken,
		url.QueryEscape(accessToken), apiKey, "cookie-value-1234", "eyJ.x.y", "sig+/="} {
		if strings.Contains(text, s) {
			t.Errorf("the cassette holds the secret %q", s)
		}
	}
	for _, s := range []string{"Bearer " + Redacted, `"access_token":"` + Redacted + `"`, `"signature" : "` + Redacted + `"`, "refresh_token=" + Redacted, "key " + Redacted + " used"} {
		if !strings.Contains(text, s) {
			t.Errorf("the cassette lacks %q", s)
		}
	}
}

func TestReplayIsByteIdentical(t *testing.T) {
	srv, calls := api(t)
	path := filepath.Join(t.TempDir(), "x.cassette.yaml")
	live := record(t, srv, path)
	before := *calls

	// Replay with other credentials, as a fresh clone with the example
	// values does; the scrubbed cassette matches regardless.
	rep, err := New(Replay, path, []string{"example-refresh-token"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := session(t, rep.Client(), srv.URL, "example-refresh-token", "", "")
	if err := rep.Stop(); err != nil {
		t.Fatal(err)
	}
	if *calls != before {
		t.Errorf("replay reached the server %d times", *calls-before)
	}
	if len(got) != len(live) {
		t.Fatalf("%d exchanges replayed, %d recorded", len(got), len(live))
	}
	for i := range live {
		want := live[i]
		if i == 0 { // the token reply as scrubbed
			want.body = newScrubber(nil).body(want.body, "application/json")
		}
		if i == 1 {
			want.body = strings.ReplaceAll(want.body, apiKey, Redacted)
		}
		if got[i] != want {
			t.Errorf("exchange %d replayed %+v, recorded %+v", i, got[i], want)
		}
	}
	if got[2].status != http.StatusServiceUnavailable || got[3].status != http.StatusOK {
		t.Errorf("a repeated request replays in recorded order: got %d then %d, want 503 then 200", got[2].status, got[3].status)
	}
}

func TestRecordingIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	var files [2][]byte
	for i := range files {
		srv, _ := api(t)
		path := filepath.Join(dir, "x.cassette.yaml")
		record(t, srv, path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The port differs between servers; nothing else may.
		files[i] = []byte(strings.ReplaceAll(string(b), srv.Listener.Addr().String(), "server"))
	}
	if string(files[0]) != string(files[1]) {
		t.Errorf("two recordings of the same traffic differ:\n%s\n----\n%s", files[0], files[1])
	}
}

func TestReplayMiss(t *testing.T) {
	srv, _ := api(t)
	path := filepath.Join(t.TempDir(), "x.cassette.yaml")
	record(t, srv, path)
	rep, err := New(Replay, path, []string{"s3cret-value"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = rep.Client().Get(srv.URL + "/other?access_token=s3cret-value&page=2")
	var miss *MissError
	if !errors.As(err, &miss) {
		t.Fatalf("got %v, want a MissError", err)
	}
	msg := miss.Error()
	for _, want := range []string{"GET " + srv.URL + "/other?access_token=" + Redacted + "&page=2", path, "--record"} {
		if !strings.Contains(msg, want) {
			t.Errorf("miss error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "s3cret-value") || strings.Contains(msg, "\n") {
		t.Errorf("miss error %q should be one line without the secret", msg)
	}

	// An interaction replays once: a third /flaky has nothing left.
	for i := 0; i < 2; i++ {
		resp, err := rep.Client().Get(srv.URL + "/flaky")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if _, err := rep.Client().Get(srv.URL + "/flaky"); !errors.As(err, &miss) {
		t.Errorf("a third /flaky got %v, want a miss", err)
	}
}

func TestMissingCassette(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.cassette.yaml")
	_, err := New(Replay, path, nil, nil)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "--record") {
		t.Errorf("got %v, want an error naming %s and --record", err, path)
	}
	if _, err := New(Record, "x.json", nil, nil); err == nil {
		t.Error("a cassette name without .yaml was accepted")
	}
}

func TestLiveRecordsNothing(t *testing.T) {
	srv, calls := api(t)
	path := filepath.Join(t.TempDir(), "x.cassette.yaml")
	rec, err := New(Live, path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := session(t, rec.Client(), srv.URL, refreshToken, clientSecret, clientID)
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	if got[1].status != 200 || *calls != 4 {
		t.Errorf("live traffic: %+v after %d calls", got, *calls)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("live mode wrote %s", path)
	}
}

func TestParseMode(t *testing.T) {
	cases := []struct {
		in   string
		want Mode
		ok   bool
	}{
		{"replay", Replay, true}, {"Record", Record, true}, {" live ", Live, true},
		{"", 0, false}, {"rec", 0, false}, {"passthrough", 0, false},
	}
	for _, c := range cases {
		got, err := ParseMode(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseMode(%q) = %v, %v", c.in, got, err)
		}
		if !c.ok && err != nil && !strings.Contains(err.Error(), "replay, record or live") {
			t.Errorf("error %q does not list the modes", err)
		}
	}
}

func TestScrub(t *testing.T) {
	s := newScrubber([]string{"topsecret"})
	cases := []struct{ name, got, want string }{
		{"form keeps order", s.form("grant_type=refresh_token&client_id=abc&client_secret=&refresh_token=x%2By&q=1"),
			"grant_type=refresh_token&client_id=REDACTED&client_secret=REDACTED&refresh_token=REDACTED&q=1"},
		{"form other value", s.form("note=topsecret&a=b"), "note=REDACTED&a=b"},
		{"url", s.url("https://u:pw@h/p?access_token=t&x=1"), "https://u:REDACTED@h/p?access_token=REDACTED&x=1"},
		{"json keeps spacing", s.body(`{"access_token" : "a\"b", "n":1,"Signature":"s"}`, ""), `{"access_token" : "REDACTED", "n":1,"Signature":"REDACTED"}`},
		{"json escaped secret", s.body(`{"x":"topsecret"}`, "application/json"), `{"x":"REDACTED"}`},
		{"text", s.body("a topsecret b", "text/plain"), "a REDACTED b"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, c.got, c.want)
		}
	}
	h := s.headers(http.Header{"Authorization": {"Bearer abc"}, "Set-Cookie": {"sid=1"}, "X-Other": {"topsecret!"}})
	if h.Get("Authorization") != "Bearer REDACTED" || h.Get("Set-Cookie") != Redacted || h.Get("X-Other") != "REDACTED!" {
		t.Errorf("headers scrubbed to %v", h)
	}
}

func FuzzParseMode(f *testing.F) {
	for _, s := range []string{"replay", "RECORD", " live", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMode(s)
		if err != nil {
			return
		}
		if back, err := ParseMode(m.String()); err != nil || back != m {
			t.Fatalf("%q parsed to %v, which does not round-trip", s, m)
		}
	})
}

// FuzzScrub: a secret never survives scrubbing, wherever it sits in a body
// or URL. Secrets sharing letters with REDACTED are left out: replacing
// them can spell them anew at a boundary, which real tokens never do.
func FuzzScrub(f *testing.F) {
	f.Add("s3cr3t-token", "pre", "post")
	f.Add("a+b/c=d", `{"k":"`, `"}`)
	f.Add("wxyz", "refresh_token=", "&a=b")
	f.Fuzz(func(t *testing.T, secret, pre, post string) {
		if len(secret) < MinSecretLen || strings.ContainsAny(secret, "REDACT") {
			return
		}
		s := newScrubber([]string{secret})
		body := pre + secret + post
		for _, ct := range []string{"", "application/json", "application/x-www-form-urlencoded"} {
			if out := s.body(body, ct); strings.Contains(out, secret) {
				t.Fatalf("body %q (%s) scrubbed to %q", body, ct, out)
			}
		}
		if out := s.url("https://h/p?x=" + url.QueryEscape(secret) + "&" + pre); strings.Contains(out, secret) || strings.Contains(out, url.QueryEscape(secret)) {
			t.Fatalf("URL scrubbed to %q", out)
		}
	})
}

// A recording replaces the cassette only when kept: a stopped run's
// traffic (Discard) leaves the old cassette as it was.
func TestRecordDiscardKeepsOldCassette(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fresh") }))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "x.cassette.yaml")
	os.WriteFile(path, []byte("old cassette\n"), 0o644)
	record := func(keep bool) {
		rec, err := New(Record, path, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := rec.Client().Get(srv.URL + "/thing")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if keep {
			err = rec.Stop()
		} else {
			err = rec.Discard()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	record(false)
	if b, _ := os.ReadFile(path); string(b) != "old cassette\n" {
		t.Fatalf("Discard changed the cassette:\n%s", b)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*partial*")); len(left) != 0 {
		t.Errorf("Discard left %v", left)
	}
	record(true)
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "/thing") {
		t.Fatalf("Stop did not write the recording:\n%s", b)
	}
}

// A connector that made no request leaves no cassette behind.
func TestRecordNothingWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.cassette.yaml")
	rec, err := New(Record, path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*")); len(left) != 0 {
		t.Errorf("a recording of no request left %v", left)
	}
}
