package fakes3

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// chaosSwitch is an Options.Chaos whose answer a test sets per step, and
// which records what it was asked.
type chaosSwitch struct {
	mu    sync.Mutex
	kind  string
	asked []string
}

func (c *chaosSwitch) set(kind string) { c.mu.Lock(); c.kind = kind; c.asked = nil; c.mu.Unlock() }

func (c *chaosSwitch) decide(method, bucket, key string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked = append(c.asked, method+" "+bucket+" "+key)
	return c.kind
}

func TestChaosKinds(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			sw := &chaosSwitch{}
			srv, _ := startServer(t, be.disk, func(o *Options) { o.Chaos = sw.decide })
			c := newClient(t, srv.URL(), testAK, testSK)
			ctx := ctxT(t)
			body := []byte(strings.Repeat("0123456789", 1000))
			if err := put(ctx, c, "k", body, nil); err != nil {
				t.Fatal(err)
			}
			if len(sw.asked) != 1 || sw.asked[0] != "PUT "+testBucket+" k" {
				t.Errorf("Chaos was asked %q, want [PUT %s k]", sw.asked, testBucket)
			}

			sw.set(ChaosUnavailable)
			_, _, err := get(ctx, c, "k")
			if code, status := apiErr(err); code != "SlowDown" || status != 503 {
				t.Errorf("503: got %q %d (%v), want SlowDown 503", code, status, err)
			}

			sw.set(ChaosReset)
			_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
			if err == nil || !(strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "EOF")) {
				t.Errorf("reset: %v, want the connection closed without a response", err)
			}

			sw.set(ChaosTruncate)
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
			if err != nil {
				t.Fatalf("truncate GET: %v, want the headers and a short body", err)
			}
			got, err := io.ReadAll(out.Body)
			out.Body.Close()
			if aws.ToInt64(out.ContentLength) != int64(len(body)) || !errors.Is(err, io.ErrUnexpectedEOF) || len(got) >= len(body) {
				t.Errorf("truncate GET: Content-Length %d, read %d bytes, %v; want %d declared, fewer read, unexpected EOF",
					aws.ToInt64(out.ContentLength), len(got), err, len(body))
			}
			err = put(ctx, c, "k", []byte("new bytes"), nil)
			if code, status := apiErr(err); code != "RequestTimeout" || status != 400 {
				t.Errorf("truncate PUT: %q %d (%v), want RequestTimeout 400", code, status, err)
			}

			sw.set(ChaosSlow)
			if got, _, err := get(ctx, c, "k"); err != nil || string(got) != string(body) {
				t.Errorf("slow GET: %d bytes, %v; want the object, late", len(got), err)
			}

			sw.set("")
			if got, _, err := get(ctx, c, "k"); err != nil || string(got) != string(body) {
				t.Errorf("after a truncated PUT the object is %d bytes (%v), want the old %d", len(got), err, len(body))
			}
		})
	}
}

// A truncated GET of an empty object cannot be cut: the connection is
// reset instead, so the fault still fails the request.
func TestChaosTruncateEmptyObject(t *testing.T) {
	sw := &chaosSwitch{}
	srv, _ := startServer(t, false, func(o *Options) { o.Chaos = sw.decide })
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	if err := put(ctx, c, "empty", nil, nil); err != nil {
		t.Fatal(err)
	}
	sw.set(ChaosTruncate)
	if _, _, err := get(ctx, c, "empty"); err == nil {
		t.Errorf("truncated GET of an empty object succeeded")
	}
	// The server is still healthy afterwards.
	sw.set("")
	if _, _, err := get(ctx, c, "empty"); err != nil {
		t.Errorf("GET after the fault: %v", err)
	}
	// An unsigned request is refused before Chaos is asked.
	sw.set(ChaosUnavailable)
	resp, err := http.Get(srv.URL() + "/" + testBucket + "/empty")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || len(sw.asked) != 0 {
		t.Errorf("anonymous GET = %d, Chaos asked %q; want 403 and not asked", resp.StatusCode, sw.asked)
	}
}
