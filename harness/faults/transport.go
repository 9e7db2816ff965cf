package faults

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// SlowDelay is how long KindSlow holds a request (and KindTimeout waits
// before it gives up): a few hundred ms, long enough to show in a trace,
// short enough that a run with many of them still ends.
const SlowDelay = 300 * time.Millisecond

// Transport wraps base (nil: http.DefaultTransport) so that target's
// requests fail as the injector decides, client-side: for the connector's
// HTTP client (wrap it outside the recorder, so a fault never reaches a
// cassette) and for an S3 the harness did not start. A faulted request is
// not sent, except KindSlow (sent late) and KindTruncate on a GET (sent,
// its body cut short).
func (in *Injector) Transport(target string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{in: in, target: target, base: base}
}

type transport struct {
	in     *Injector
	target string
	base   http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	key, body := req.URL.Path, false
	if t.target == S3 {
		// Path-style addressing, as the harness's S3 client uses: the
		// same "bucket/key" the embedded server decides on.
		bucket, object, _ := strings.Cut(strings.TrimPrefix(key, "/"), "/")
		key = bucket + "/" + object
		body = object != "" && (req.Method == http.MethodGet || req.Method == http.MethodPut)
	}
	kind := t.in.Decide(t.target, req.Method, key, body)
	switch kind {
	case "":
		return t.base.RoundTrip(req)
	case KindSlow:
		if err := wait(req.Context(), SlowDelay); err != nil {
			closeBody(req)
			return nil, err
		}
		return t.base.RoundTrip(req)
	case KindTruncate:
		if req.Method == http.MethodGet {
			resp, err := t.base.RoundTrip(req)
			if err == nil && resp.ContentLength > 0 {
				resp.Body = &shortBody{rc: resp.Body, left: resp.ContentLength / 2}
			}
			return resp, err
		}
		// As S3 answers a body that stopped arriving: nothing stored,
		// 400 RequestTimeout, which clients retry.
		if req.Body != nil {
			io.Copy(io.Discard, req.Body)
		}
		closeBody(req)
		return answer(req, http.StatusBadRequest, s3Error("RequestTimeout",
			"Your socket connection to the server was not read from or written to within the timeout period (fault injected by --faults: the body was cut short; nothing was stored).")), nil
	case KindReset:
		closeBody(req)
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	case KindTimeout:
		closeBody(req)
		if err := wait(req.Context(), SlowDelay); err != nil {
			return nil, err
		}
		return nil, timeoutError{}
	default: // KindUnavailable, KindTooMany
		closeBody(req)
		status, _ := strconv.Atoi(kind)
		body := fmt.Sprintf("HTTP %d: fault injected by connector-dev --faults\n", status)
		if t.target == S3 {
			body = s3Error("SlowDown", "Please reduce your request rate. (fault injected by --faults)")
		}
		return answer(req, status, body), nil
	}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func s3Error(code, msg string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n<Error><Code>" + code + "</Code><Message>" + msg + "</Message></Error>"
}

// answer is a response the server never sent.
func answer(req *http.Request, status int, body string) *http.Response {
	h := http.Header{}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if strings.HasPrefix(body, "<?xml") {
		h.Set("Content-Type", "application/xml")
	} else {
		h.Set("Content-Type", "text/plain; charset=utf-8")
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// timeoutError is what a client sees when a server never answers: a
// net.Error whose Timeout is true, as retry logic checks.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout (fault injected by --faults)" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// shortBody delivers left bytes of a body, then the error a connection
// closed mid-body gives: the response still declares its full length.
type shortBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *shortBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (b *shortBody) Close() error { return b.rc.Close() }
