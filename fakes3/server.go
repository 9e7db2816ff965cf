// Package fakes3 is the embedded S3 server connector-dev runs batches through:
// gofakes3 on a loopback listener, with a memory or disk backend, real SigV4
// verification and fault injection for tests of error paths.
//
// It imports nothing of connector-dev, so it can be used from any test:
//
//	srv, err := fakes3.Start(fakes3.Options{AccessKey: "AK", SecretKey: "SK", Buckets: []string{"b"}})
//	if err != nil { ... }
//	defer srv.Close()
//	// point an aws-sdk-go-v2 S3 client at srv.URL() with UsePathStyle and
//	// RequestChecksumCalculation/ResponseChecksumValidation = WhenRequired.
//
// What is checked, as S3 does: the SigV4 signature of header-signed and
// presigned (query) requests, the credential scope (key id, date, region,
// service), a clock skew of at most 15 minutes, presigned expiry, and a body
// against a hex X-Amz-Content-Sha256 (400 BadDigest, old object kept).
// What is not: the per-chunk signatures of STREAMING-AWS4-HMAC-SHA256-PAYLOAD
// bodies (gofakes3 decodes them unchecked), requests dated only by a Date
// header (X-Amz-Date is required), and aws-chunked bodies with trailers
// (refused with 501 rather than stored with their framing).
//
// Where gofakes3 differs from S3 the server corrects it: an overwrite
// replaces the user metadata instead of merging it, the disk backend pages
// listings (1000 keys a page), request-only X-Amz-* headers (date, security
// token, checksums) are not stored as object metadata, and metadata header
// names come back lower case. Every verb (not only PUT) refuses a key the
// store cannot hold, and a disk error (full, permission denied, a name too
// long) is an S3 error naming Options.Dir and the fix, not InternalError.
//
// Options.Chaos injects the faults of a bad day (503, reset, slow, truncated
// bodies) on requests it picks; InjectFault scripts them for tests.
package fakes3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/spf13/afero"
)

// Options configures a Server. AccessKey and SecretKey are required.
type Options struct {
	// Dir is the disk backend's root, created if missing; objects live under
	// Dir/buckets/<bucket>/<key> as plain files (their ETag and metadata in
	// Dir/metadata/, s3afero's layout) and survive a restart. A PUT is
	// written once to Dir/tmp/ and renamed over its key: a reader sees the
	// old object or the new one, never part of one. "" keeps everything in
	// memory (s3mem), which holds about twice the stored bytes.
	Dir string
	// AccessKey is the only access key id accepted; a request must be
	// SigV4-signed with it or it gets 403 InvalidAccessKeyId.
	AccessKey string
	// SecretKey signs requests; a wrong signature gets 403 SignatureDoesNotMatch.
	SecretKey string
	// Region is the signing region clients must use; default "us-east-1".
	Region string
	// Addr is the listen address; default "127.0.0.1:0" (a random free port).
	Addr string
	// Buckets are created at start if they do not exist.
	Buckets []string
	// Now is the server's clock for signature time checks (skew, presigned
	// expiry) and object timestamps; default time.Now. Tests set it.
	Now func() time.Time
	// Chaos, when set, is asked about every authenticated request (method,
	// bucket, and key, "" for a bucket request) and returns the fault to
	// inject: ChaosUnavailable, ChaosReset, ChaosSlow, ChaosTruncate, or ""
	// for none. It is called concurrently. connector-dev's --faults decides
	// here; Fault (InjectFault) is the scripted kind for tests.
	Chaos func(method, bucket, key string) string
	// MemoryHint is the way out that disk errors (no space left, permission
	// denied, a name too long) offer besides fixing the disk, e.g. "use
	// --s3-memory"; default "keep objects in memory (fakes3 Options.Dir empty)".
	MemoryHint string

	fs afero.Fs // the disk backend's file system (tests make it fail); nil is the OS's
}

// Fault makes the server fail matching requests, to test a client's error
// paths. Faults are checked in the order they were injected; the first that
// matches takes the request.
type Fault struct {
	Method      string // "GET", "PUT", ... ("" any)
	KeyContains string // fault only requests whose object key contains this ("" any request)
	Status      int    // respond with this HTTP status and an S3 XML error (e.g. 500, 503), or 0
	Corrupt     bool   // GET: serve the object's bytes with some flipped (to test decode errors)
	Times       int    // how many matching requests it hits; 0 = every one
}

// Server is a running fake S3. It is safe for concurrent use.
type Server struct {
	url     string
	srv     *http.Server
	served  chan struct{} // closed when Serve has returned
	s3      http.Handler
	auth    verifier
	reqID   atomic.Uint64
	running atomic.Int64 // requests inside the handler now
	chaosFn func(method, bucket, key string) string
	be      *backend

	mu     sync.Mutex
	faults []*faultState

	// fresh holds the connections that have not sent a request yet, for
	// Shutdown (see closeFresh).
	connMu sync.Mutex
	fresh  map[net.Conn]struct{}

	closeOnce sync.Once
	closeErr  error
}

type faultState struct {
	Fault
	hits int
}

// closeTimeout bounds how long Close waits for running requests before it
// cuts their connections.
const closeTimeout = 10 * time.Second

// Start starts a server on opts.Addr and returns once it is listening.
func Start(opts Options) (*Server, error) {
	if opts.AccessKey == "" || opts.SecretKey == "" {
		return nil, errors.New("fakes3: Options.AccessKey and Options.SecretKey are required: every request must be SigV4-signed with them")
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	for _, b := range opts.Buckets {
		if err := gofakes3.ValidateBucketName(b); err != nil {
			return nil, fmt.Errorf("fakes3: Options.Buckets: %q is not a valid S3 bucket name (3-63 lower-case letters, digits, '.' and '-')", b)
		}
	}

	be, err := newBackend(opts)
	if err != nil {
		return nil, err
	}
	for _, b := range opts.Buckets {
		exists, err := be.BucketExists(b)
		if err != nil {
			return nil, fmt.Errorf("fakes3: check bucket %q: %w", b, err)
		}
		if !exists {
			if err := be.CreateBucket(b); err != nil {
				return nil, fmt.Errorf("fakes3: create bucket %q: %w", b, err)
			}
		}
	}

	faker := gofakes3.New(be,
		// gofakes3 is quiet by default, but say so: nothing may print on a run's terminal.
		gofakes3.WithLogger(gofakes3.DiscardLog()),
		// Skew is checked with the signature (it is part of authentication,
		// and gofakes3 would check even unsigned requests); off here.
		gofakes3.WithTimeSkewLimit(0),
		gofakes3.WithTimeSource(clock{opts.Now}),
	)

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, &ListenError{Addr: opts.Addr, Err: err}
	}
	s := &Server{
		url:     "http://" + ln.Addr().String(),
		served:  make(chan struct{}),
		s3:      faker.Server(),
		auth:    verifier{accessKey: opts.AccessKey, secretKey: opts.SecretKey, region: opts.Region, now: opts.Now},
		chaosFn: opts.Chaos,
		be:      be,
	}
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: 30 * time.Second,
		// net/http logs odd client behaviour to stderr; a run's terminal stays clean.
		ErrorLog:  log.New(io.Discard, "", 0),
		ConnState: s.trackConn,
	}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln) // always ErrServerClosed or a listener error after Close
	}()
	return s, nil
}

func newBackend(opts Options) (*backend, error) {
	hint := opts.MemoryHint
	if hint == "" {
		hint = "keep objects in memory (fakes3 Options.Dir empty)"
	}
	if opts.Dir == "" {
		return &backend{Backend: s3mem.New(), hint: hint}, nil
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, &DirError{Dir: opts.Dir, Op: "resolve", Err: err}
	}
	osfs := opts.fs
	if osfs == nil {
		osfs = afero.NewOsFs()
	}
	if err := osfs.MkdirAll(dir, 0o700); err != nil {
		return nil, &DirError{Dir: opts.Dir, Op: "create", Err: err}
	}
	// The real clock, not opts.Now: spool files carry the file system's times.
	be, err := newDiskBackend(afero.NewBasePathFs(osfs, dir), time.Now())
	if err != nil {
		return nil, &DirError{Dir: opts.Dir, Op: "open disk backend at", Err: err}
	}
	return &backend{Backend: be, disk: true, dir: dir, hint: hint}, nil
}

// clock adapts Options.Now to gofakes3's time source; S3 speaks GMT.
type clock struct{ now func() time.Time }

func (c clock) Now() time.Time                  { return c.now().UTC() }
func (c clock) Since(t time.Time) time.Duration { return c.now().Sub(t) }

// URL is the server's base URL, "http://127.0.0.1:PORT"; use it as the S3
// client's endpoint with path-style addressing.
func (s *Server) URL() string { return s.url }

// Close stops the listener and waits for running requests to finish (at most
// 10s, then their connections are cut). It is idempotent.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	return s.Shutdown(ctx)
}

// Shutdown is Close with the wait bounded by ctx instead of 10s: when ctx is
// done, running requests are cut off and ctx's error is returned. Only the
// first call of Shutdown or Close does the work; later calls return its result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.closeFresh()
		err := s.srv.Shutdown(ctx)
		if err != nil {
			n := s.running.Load()
			s.srv.Close()
			err = fmt.Errorf("fakes3: shutdown cut off %d running request(s): %w", n, err)
		}
		<-s.served
		s.closeErr = err
	})
	return s.closeErr
}

// trackConn keeps the set of connections that have not sent a request.
func (s *Server) trackConn(c net.Conn, state http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if state == http.StateNew {
		if s.fresh == nil {
			s.fresh = map[net.Conn]struct{}{}
		}
		s.fresh[c] = struct{}{}
		return
	}
	delete(s.fresh, c)
}

// closeFresh closes the connections that never sent a request. Go's HTTP
// client dials a connection for a request and, if another one frees up
// first, sends it there and keeps the new one unused in its pool; net/http's
// Shutdown counts such a connection as busy until it is 5 s old, so every
// run that had one waited 5 s at exit. A connection that carried no request
// has nothing to lose.
func (s *Server) closeFresh() {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	for c := range s.fresh {
		c.Close()
		delete(s.fresh, c)
	}
}

// InjectFault adds a fault; see Fault.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the first fault matching the request and counts the hit;
// a fault whose Times are used up is dropped.
func (s *Server) takeFault(r *http.Request) (Fault, bool) {
	_, key := splitPath(r.URL.Path)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		if f.KeyContains != "" && (key == "" || !strings.Contains(key, f.KeyContains)) {
			continue
		}
		if f.Status == 0 && f.Corrupt && (r.Method != http.MethodGet || key == "") {
			continue
		}
		f.hits++
		if f.Times > 0 && f.hits >= f.Times {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// splitPath splits a path-style request path into bucket and object key.
func splitPath(p string) (bucket, key string) {
	bucket, key, _ = strings.Cut(strings.TrimPrefix(p, "/"), "/")
	return bucket, key
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.running.Add(1)
	defer s.running.Add(-1)

	if e := s.auth.verify(r); e != nil {
		s.writeError(w, r, e)
		return
	}
	if e := s.be.refuse(r); e != nil {
		s.writeError(w, r, e)
		return
	}
	if s.chaosFn != nil {
		var finish func()
		var done bool
		if w, finish, done = s.chaos(w, r); done {
			return
		}
		if finish != nil {
			defer finish()
		}
	}
	if f, ok := s.takeFault(r); ok {
		switch {
		case f.Status != 0:
			s.writeError(w, r, &s3Error{f.Status, codeForStatus(f.Status), "fault injected by fakes3"})
			return
		case f.Corrupt:
			w = &corruptWriter{ResponseWriter: w, status: http.StatusOK}
		}
	}

	payload := r.Header.Get("X-Amz-Content-Sha256")
	switch payload {
	case "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":
		// gofakes3 would store the aws-chunked framing as the object's bytes.
		s.writeError(w, r, &s3Error{http.StatusNotImplemented, "NotImplemented",
			"fakes3 does not decode " + payload + " bodies; set the S3 client's RequestChecksumCalculation to WhenRequired"})
		return
	}
	if isHexSHA256(payload) && r.Body != nil && r.Body != http.NoBody {
		want, _ := hex.DecodeString(payload)
		r.Body = &digestReader{ReadCloser: r.Body, h: sha256.New(), want: want}
	}
	stripRequestOnlyHeaders(r.Header)
	es := &errStatus{ResponseWriter: w}
	fw := &headerFixer{ResponseWriter: es, object: r.Method == http.MethodGet || r.Method == http.MethodHead}
	s.s3.ServeHTTP(fw, r)
	fw.fix() // a response without a body never passed through WriteHeader
	es.flush()
}

// headerFixer makes response headers look like S3's where gofakes3's differ
// in ways clients show: user metadata names are lower case
// ("x-amz-meta-rows", where Go would write "X-Amz-Meta-Rows"; botocore keeps
// the case it gets), and an object stored without a Content-Type is
// binary/octet-stream rather than whatever net/http sniffs from its bytes.
type headerFixer struct {
	http.ResponseWriter
	object bool
	fixed  bool
}

func (f *headerFixer) fix() {
	if f.fixed {
		return
	}
	f.fixed = true
	h := f.Header()
	for k, v := range h {
		if strings.HasPrefix(k, "X-Amz-Meta-") {
			delete(h, k)
			h[strings.ToLower(k)] = v
		}
	}
	if f.object && h.Get("Content-Type") == "" && h.Get("ETag") != "" {
		h.Set("Content-Type", "binary/octet-stream")
	}
}

func (f *headerFixer) WriteHeader(code int) {
	f.fix()
	f.ResponseWriter.WriteHeader(code)
}

func (f *headerFixer) Write(p []byte) (int, error) {
	f.fix()
	return f.ResponseWriter.Write(p)
}

// stripRequestOnlyHeaders drops the X-Amz-* headers that describe the request
// rather than the object: gofakes3 stores every X-Amz-* header as object
// metadata and echoes it on GET, and the security token is a secret that must
// not land on disk.
func stripRequestOnlyHeaders(h http.Header) {
	streaming := h.Get("X-Amz-Content-Sha256") == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	for k := range h {
		switch {
		case k == "X-Amz-Content-Sha256", k == "X-Amz-Decoded-Content-Length":
			if !streaming { // gofakes3 needs both to decode a signed chunked body
				delete(h, k)
			}
		case k == "X-Amz-Date", k == "X-Amz-Security-Token", k == "X-Amz-User-Agent",
			k == "X-Amz-Sdk-Checksum-Algorithm", k == "X-Amz-Trailer",
			strings.HasPrefix(k, "X-Amz-Checksum-"):
			delete(h, k)
		}
	}
}

// digestReader fails the upload at EOF when the body does not hash to the
// X-Amz-Content-Sha256 it was signed with.
type digestReader struct {
	io.ReadCloser
	h    hash.Hash
	want []byte
}

func (d *digestReader) Read(p []byte) (int, error) {
	n, err := d.ReadCloser.Read(p)
	d.h.Write(p[:n])
	if err == io.EOF && !bytes.Equal(d.h.Sum(nil), d.want) {
		return n, gofakes3.ErrorMessage(gofakes3.ErrBadDigest, "The x-amz-content-sha256 you specified did not match what we received.")
	}
	return n, err
}

// corruptWriter flips bytes of a successful GET's body: the first and last 16
// bytes (where file formats keep their magic and footer) and 8 bytes of every
// 4 KiB, keeping the length so the client sees a decode error, not a short read.
type corruptWriter struct {
	http.ResponseWriter
	status int
	off    int64
	size   int64
	sized  bool
}

func (c *corruptWriter) WriteHeader(code int) {
	c.status = code
	c.ResponseWriter.WriteHeader(code)
}

func (c *corruptWriter) Write(p []byte) (int, error) {
	if c.status != http.StatusOK && c.status != http.StatusPartialContent {
		return c.ResponseWriter.Write(p)
	}
	if !c.sized {
		c.sized = true
		c.size, _ = strconv.ParseInt(c.Header().Get("Content-Length"), 10, 64)
	}
	// Copy: p may be the backend's own storage (bytes.Reader.WriteTo).
	q := make([]byte, len(p))
	for i, b := range p {
		o := c.off + int64(i)
		if o < 16 || (c.size > 0 && o >= c.size-16) || o%4096 < 8 {
			b ^= 0xFF
		}
		q[i] = b
	}
	n, err := c.ResponseWriter.Write(q)
	c.off += int64(n)
	return n, err
}

// codeForStatus picks the S3 error code a client expects with each status, so
// the SDK classifies an injected fault as it would the real one (retryable,
// throttling, not found...).
func codeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "InvalidRequest"
	case http.StatusForbidden:
		return "AccessDenied"
	case http.StatusNotFound:
		return "NoSuchKey"
	case http.StatusConflict:
		return "OperationAborted"
	case http.StatusPreconditionFailed:
		return "PreconditionFailed"
	case http.StatusInternalServerError:
		return "InternalError"
	case http.StatusNotImplemented:
		return "NotImplemented"
	case http.StatusServiceUnavailable:
		return "SlowDown"
	default:
		return "InjectedFault"
	}
}

// errorBody is S3's XML error document.
type errorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	Resource  string `xml:",omitempty"`
	RequestID string `xml:"RequestId"`
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *s3Error) {
	id := fmt.Sprintf("%016X", s.reqID.Add(1))
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("X-Amz-Request-Id", id)
	h.Set("Server", "AmazonS3")
	body, _ := xml.Marshal(errorBody{Code: e.Code, Message: e.Message, Resource: r.URL.Path, RequestID: id})
	h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		io.WriteString(w, xml.Header)
		w.Write(body)
	}
}
