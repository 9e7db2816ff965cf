package salesforce

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/salesforce/salesforcetest"
)

// flaky serves org, but breaks the first n requests whose path has prefix
// by one of the ways a network fails: "reset" (RST, no answer), "eof" (the
// connection closed before any answer), "truncate" (headers, then half the
// body) or "timeout" (no answer before the client gives up).
type flaky struct {
	org    *salesforcetest.Org
	prefix string
	kind   string
	mu     sync.Mutex
	left   int
	broken int
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	fail := strings.HasPrefix(r.URL.Path, f.prefix) && f.left > 0
	if fail {
		f.left--
		f.broken++
	}
	f.mu.Unlock()
	if !fail {
		f.org.ServeHTTP(w, r)
		return
	}
	switch f.kind {
	case "timeout":
		<-r.Context().Done()
		return
	case "truncate":
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"access_token": "x`))
		w.(http.Flusher).Flush()
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok && f.kind == "reset" {
		tc.SetLinger(0) // close with RST: the client reads "connection reset by peer"
	}
	conn.Close()
}

// The source retries a request that got no answer as it retries a 503:
// after n failures it goes on and loads every row; past its retries it ends
// in error, one line naming the request and what went wrong.
func TestRetriesTransportErrors(t *testing.T) {
	tests := []struct {
		kind, prefix string
		failures     int
		want         connectors.ExitReason
		logWant      string
	}{
		{"reset", "/services/oauth2/token", 3, connectors.Success, "connection reset"},
		// net/http itself re-sends a GET once on a reused connection, so two
		// resets of a GET cost the source at least one retry of its own.
		{"reset", "/services/data/", 2, connectors.Success, "retry 1 of 4"},
		{"eof", "/services/oauth2/token", 2, connectors.Success, "EOF"},
		{"truncate", "/services/oauth2/token", 2, connectors.Success, "unexpected EOF"},
		{"timeout", "/services/data/", 1, connectors.Success, "Timeout"},
		{"reset", "/services/oauth2/token", 5, connectors.Error, "after 4 retries"},
	}
	for _, tc := range tests {
		t.Run(tc.kind+"-"+string(tc.want), func(t *testing.T) {
			org := newOrg(50)
			f := &flaky{org: org, prefix: tc.prefix, kind: tc.kind, left: tc.failures}
			srv := httptest.NewServer(f)
			defer srv.Close()
			rt := newRuntime(srv)
			if tc.kind == "timeout" {
				client := *srv.Client()
				client.Timeout = 200 * time.Millisecond
				rt.Client = &client
			}
			src, sleeps := sleepsSource()
			reason, msg := rt.RunSource(context.Background(), src)
			if reason != tc.want {
				t.Fatalf("exit %s: %s\nlogs: %v", reason, msg, rt.Logs())
			}
			var text strings.Builder
			for _, l := range rt.Logs() {
				text.WriteString(l.Message + "\n")
			}
			if !strings.Contains(text.String(), tc.logWant) {
				t.Errorf("logs lack %q:\n%s", tc.logWant, text.String())
			}
			if strings.Contains(text.String(), testRefresh) || strings.Contains(text.String(), testSecret) {
				t.Errorf("logs leak a secret:\n%s", text.String())
			}
			if tc.want == connectors.Success {
				if rt.RowCount() != int64(inWindow(org)) {
					t.Errorf("uploaded %d rows, want %d", rt.RowCount(), inWindow(org))
				}
				if len(*sleeps) < 1 || f.broken != tc.failures {
					t.Errorf("waited %v over %d broken requests, want a wait per retry of %d", *sleeps, f.broken, tc.failures)
				}
				return
			}
			if !strings.Contains(msg, "POST /services/oauth2/token") || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line naming the request", msg)
			}
			if rt.RowCount() != 0 {
				t.Errorf("uploaded %d rows", rt.RowCount())
			}
		})
	}
}

// A refused connection is not retried: an offline run says so at once.
func TestRefusedConnectionNotRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	rt := newRuntime(httptest.NewUnstartedServer(nil))
	rt.EnvVars[EnvLoginURL] = "http://" + addr
	rt.Client = &http.Client{}
	src, sleeps := sleepsSource()
	reason, msg := rt.RunSource(context.Background(), src)
	if reason != connectors.Error || !strings.Contains(msg, "refused") || len(*sleeps) != 0 {
		t.Errorf("exit %s (%s) after waits %v: want error at once", reason, msg, *sleeps)
	}
}
