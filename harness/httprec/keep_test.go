package httprec

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// closedURL is a loopback URL nothing listens on: the offline network.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// A recording that is not to replace the cassette (the run ended otherwise
// than expected), or that holds no interaction (offline: no request got an
// answer), is written beside it and the cassette stays as it was.
func TestFinishKeepsCassetteUnlessReplacing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fresh") }))
	defer srv.Close()
	offline := closedURL(t)
	for _, tc := range []struct {
		name         string
		url          string
		replace      bool
		wantReplaced bool
		wantN        int
	}{
		{"failed run", srv.URL, false, false, 1},
		{"offline, expected run", offline, true, false, 0},
		{"good run", srv.URL, true, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "job.cassette.yaml")
			os.WriteFile(path, []byte("old cassette\n"), 0o644)
			rec, err := New(Record, path, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp, err := rec.Client().Get(tc.url + "/thing"); err == nil {
				resp.Body.Close()
			}
			saved, err := rec.Finish(tc.replace)
			if err != nil {
				t.Fatal(err)
			}
			if saved.Replaced != tc.wantReplaced || saved.Interactions != tc.wantN {
				t.Errorf("saved %+v, want replaced %v with %d interactions", saved, tc.wantReplaced, tc.wantN)
			}
			old, _ := os.ReadFile(path)
			beside := filepath.Join(filepath.Dir(path), "job.cassette.new.yaml")
			if tc.wantReplaced {
				if saved.Path != path || !strings.Contains(string(old), "/thing") {
					t.Errorf("the recording did not replace the cassette: %s\n%s", saved.Path, old)
				}
				if _, err := os.Stat(beside); err == nil {
					t.Errorf("%s written although the cassette was replaced", beside)
				}
				return
			}
			if string(old) != "old cassette\n" {
				t.Errorf("the cassette was changed:\n%s", old)
			}
			if saved.Path != beside {
				t.Errorf("written to %q, want %q", saved.Path, beside)
			}
			if b, err := os.ReadFile(beside); err != nil || !strings.Contains(string(b), "interactions:") {
				t.Errorf("%s: %v\n%s", beside, err, b)
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*partial*")); len(left) != 0 {
				t.Errorf("left %v", left)
			}
		})
	}
}

// Replaying an empty cassette says it is empty, not that the connector's
// requests changed.
func TestReplayMissOnEmptyCassette(t *testing.T) {
	path := filepath.Join(t.TempDir(), "job.cassette.yaml")
	os.WriteFile(path, []byte("---\nversion: 2\ninteractions: []\n"), 0o644)
	rec, err := New(Replay, path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = rec.Client().Get("http://127.0.0.1:9/services/oauth2/token")
	var miss *MissError
	if !errors.As(err, &miss) {
		t.Fatalf("got %v, want a MissError", err)
	}
	msg := miss.Error()
	for _, want := range []string{"cassette " + path + " is empty", "git checkout -- " + path, "--record"} {
		if !strings.Contains(msg, want) {
			t.Errorf("miss %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "requests changed") {
		t.Errorf("miss %q blames the requests", msg)
	}
}
