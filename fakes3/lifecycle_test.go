package fakes3

// Start, Close and Shutdown: the server's lifecycle under load and misuse.

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestStartErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no keys", Options{}, "Options.AccessKey"},
		{"bad bucket", Options{AccessKey: "a", SecretKey: "s", Buckets: []string{"Bad_Bucket"}}, `"Bad_Bucket"`},
		{"bad addr", Options{AccessKey: "a", SecretKey: "s", Addr: "256.0.0.1:x"}, "Options.Addr"},
		{"dir is a file", Options{AccessKey: "a", SecretKey: "s", Dir: file}, "Options.Dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := Start(tt.opts)
			if err == nil {
				srv.Close()
				t.Fatalf("Start succeeded, want an error naming %s", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start error %q does not name %s", err, tt.want)
			}
		})
	}
}

// Close waits for a request that is in flight, and the request succeeds.
func TestCloseWaitsForInFlight(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, AccessKey: testAK, SecretKey: testSK, Buckets: []string{testBucket}}
	srv, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	req := signedRequest(t, http.MethodPut, srv.URL()+"/"+testBucket+"/slow", pr, "UNSIGNED-PAYLOAD", nil)
	req.ContentLength = 10
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	go func() {
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			done <- result{0, err}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		done <- result{resp.StatusCode, nil}
	}()
	if _, err := pw.Write([]byte("01234")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "request in the handler", func() bool { return srv.running.Load() == 1 })

	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	waitFor(t, "listener closed", func() bool {
		_, err := http.Get(srv.URL())
		return err != nil
	})
	select {
	case err := <-closed:
		t.Fatalf("Close returned %v while a request was in flight", err)
	default:
	}
	pw.Write([]byte("56789"))
	pw.Close()
	if r := <-done; r.err != nil || r.status != 200 {
		t.Errorf("in-flight PUT = %d %v, want 200", r.status, r.err)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close = %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close = %v, want the first result (nil)", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "buckets", testBucket, "slow")); err != nil || string(b) != "0123456789" {
		t.Errorf("object written during Close = %q %v", b, err)
	}
}

// Shutdown with an expired context cuts off a request that never finishes.
func TestShutdownCutsOffStuckRequest(t *testing.T) {
	srv, _ := startServer(t, false)
	pr, pw := io.Pipe()
	defer pw.Close()
	req := signedRequest(t, http.MethodPut, srv.URL()+"/"+testBucket+"/stuck", pr, "UNSIGNED-PAYLOAD", nil)
	req.ContentLength = 10
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	done := make(chan error, 1)
	go func() {
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	pw.Write([]byte("0"))
	waitFor(t, "request in the handler", func() bool { return srv.running.Load() == 1 })
	ctx, cancel := contextWithTimeout(50 * time.Millisecond)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err == nil || !strings.Contains(err.Error(), "cut off 1 running request") {
		t.Errorf("Shutdown = %v, want it to report the cut-off request", err)
	}
	pw.CloseWithError(io.ErrClosedPipe)
	<-done
}

func TestNoGoroutineLeftBehind(t *testing.T) {
	for _, be := range backends {
		srv, _ := startServer(t, be.disk)
		c := newClient(t, srv.URL(), testAK, testSK)
		ctx := ctxT(t)
		if err := put(ctx, c, "k", []byte("v"), nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := get(ctx, c, "k"); err != nil {
			t.Fatal(err)
		}
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "server goroutines to end", func() bool {
		return len(serverGoroutines()) == 0
	})
}

// Nothing the server does may print on the terminal of a run.
func TestSilent(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = w, w
	func() {
		defer func() { os.Stdout, os.Stderr = oldOut, oldErr }()
		srv, _ := startServer(t, true)
		c := newClient(t, srv.URL(), testAK, testSK)
		ctx := ctxT(t)
		put(ctx, c, "k", []byte("v"), map[string]string{"a": "b"})
		get(ctx, c, "k")
		get(ctx, c, "missing")
		put(ctx, newClient(t, srv.URL(), testAK, "wrong"), "k", []byte("v"), nil)
		c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("nope")})
		c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(testBucket)})
		c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String("x"), Body: strings.NewReader("y"), StorageClass: types.StorageClassStandard})
		srv.Close()
	}()
	w.Close()
	out, _ := io.ReadAll(r)
	if len(out) != 0 {
		t.Errorf("the server printed %q", out)
	}
}

// A connection that never sent a request (Go's HTTP client leaves one in
// its pool when another connection freed up first) does not hold up the
// shutdown: net/http would count it busy until it is 5 s old, and every
// run that had one waited that long to exit.
func TestShutdownClosesUnusedConnection(t *testing.T) {
	srv, _ := startServer(t, false)
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Wait until the server has the connection (StateNew), without a sleep:
	// a Shutdown before that would not see it at all.
	for !srv.hasFresh() {
		runtime.Gosched()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with a connection that sent nothing: %v", err)
	}
	// The server closed it: a read ends at once.
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("the unused connection is still open")
	}
}
