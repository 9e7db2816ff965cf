package fakes3

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// The faults Options.Chaos can ask for. Each is what a client meets on a bad
// day with real S3, so its retry logic is tested against the real thing.
const (
	// ChaosUnavailable answers 503 SlowDown, as S3 does under load.
	ChaosUnavailable = "503"
	// ChaosReset closes the connection without a response (a TCP reset).
	ChaosReset = "reset"
	// ChaosSlow holds the request for ChaosSlowDelay, then serves it.
	ChaosSlow = "slow"
	// ChaosTruncate cuts a body short. A GET of an object gets its full
	// Content-Length and half its bytes, then the connection closes. A PUT
	// or POST stores nothing and gets 400 RequestTimeout, as S3 answers a
	// body that stopped arriving (clients retry it).
	ChaosTruncate = "truncate"
)

// ChaosSlowDelay is how long ChaosSlow holds a request.
const ChaosSlowDelay = 300 * time.Millisecond

// errCut stops gofakes3's copy of a body that ChaosTruncate cut.
var errCut = errors.New("fakes3: body cut short by Options.Chaos")

// chaos applies Options.Chaos to a request. It returns the writer to serve
// with and, when the fault has answered the request itself, done. finish
// runs after the request was served (a cut body ends its connection there).
func (s *Server) chaos(w http.ResponseWriter, r *http.Request) (_ http.ResponseWriter, finish func(), done bool) {
	bucket, key := splitPath(r.URL.Path)
	switch s.chaosFn(r.Method, bucket, key) {
	case ChaosUnavailable:
		s.writeError(w, r, &s3Error{http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate. (fault injected by fakes3 Options.Chaos)"})
		return w, nil, true
	case ChaosReset:
		reset(w)
		return w, nil, true
	case ChaosSlow:
		t := time.NewTimer(ChaosSlowDelay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return w, nil, true // the client is gone: nobody to answer
		}
	case ChaosTruncate:
		switch {
		case key != "" && (r.Method == http.MethodPut || r.Method == http.MethodPost):
			if r.Body != nil {
				io.Copy(io.Discard, r.Body)
			}
			s.writeError(w, r, &s3Error{http.StatusBadRequest, "RequestTimeout",
				"Your socket connection to the server was not read from or written to within the timeout period. (fault injected by fakes3 Options.Chaos: the body was cut short; nothing was stored)"})
			return w, nil, true
		case key != "" && r.Method == http.MethodGet:
			tw := &truncWriter{ResponseWriter: w}
			return tw, tw.finish, false
		}
	}
	return w, nil, false
}

// reset closes the request's connection without a response; SO_LINGER 0
// makes the close a TCP reset, as a crashed or overloaded peer sends.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// truncWriter sends the headers of a response (its full Content-Length
// included) and half of its body.
type truncWriter struct {
	http.ResponseWriter
	started bool
	empty   bool  // no body to cut: the connection is reset instead
	left    int64 // body bytes still to send
	cut     bool
}

func (t *truncWriter) WriteHeader(code int) {
	if t.started {
		return
	}
	t.started = true
	size, err := strconv.ParseInt(t.Header().Get("Content-Length"), 10, 64)
	if err != nil || size <= 0 {
		t.empty = true // holding the headers back: nothing reaches the client
		return
	}
	t.left = size / 2
	t.ResponseWriter.WriteHeader(code)
}

func (t *truncWriter) Write(p []byte) (int, error) {
	t.WriteHeader(http.StatusOK)
	t.cut = true
	if t.empty || t.left <= 0 {
		return 0, errCut
	}
	q := p
	if int64(len(q)) > t.left {
		q = q[:t.left]
	}
	n, err := t.ResponseWriter.Write(q)
	t.left -= int64(n)
	if err == nil && n < len(p) {
		err = errCut
	}
	return n, err
}

// finish ends a cut response: what was sent goes out, then the connection
// closes mid-body (net/http aborts a handler quietly on ErrAbortHandler).
func (t *truncWriter) finish() {
	switch {
	case t.empty || !t.started:
		reset(t.ResponseWriter)
	case t.cut:
		if f, ok := t.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
}
