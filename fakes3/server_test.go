package fakes3

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Keys a connector may produce, including the ones whose URI escaping differs
// between naive signers and S3 (space, '+', '%', unicode, '=' and '&').
var roundTripKeys = []string{
	"job/run-1/batch-000001.parquet",
	"with space/a b.txt",
	"plus+sign/x+y.csv",
	"percent%41/100%.txt",
	"ünïcødé/日本語.json",
	"query-ish/a=b&c=d;e,f@g$h!.bin",
	"tilde~/under_score-dash.dot",
}

func TestRoundTrip(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			srv, _ := startServer(t, be.disk)
			c := newClient(t, srv.URL(), testAK, testSK)
			ctx := ctxT(t)
			for i, key := range roundTripKeys {
				body := []byte(fmt.Sprintf("payload %d for %s", i, key))
				meta := map[string]string{"rows": fmt.Sprint(i * 10), "codec": "parquet"}
				if err := put(ctx, c, key, body, meta); err != nil {
					t.Fatalf("put %q: %v", key, err)
				}
				got, gotMeta, err := get(ctx, c, key)
				if err != nil {
					t.Fatalf("get %q: %v", key, err)
				}
				if !bytes.Equal(got, body) {
					t.Errorf("get %q = %q, want %q", key, got, body)
				}
				if !maps.Equal(gotMeta, meta) {
					t.Errorf("get %q metadata = %v, want %v", key, gotMeta, meta)
				}
				head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
				if err != nil {
					t.Fatalf("head %q: %v", key, err)
				}
				if aws.ToInt64(head.ContentLength) != int64(len(body)) || !maps.Equal(head.Metadata, meta) {
					t.Errorf("head %q = %d bytes %v, want %d bytes %v", key, aws.ToInt64(head.ContentLength), head.Metadata, len(body), meta)
				}
			}

			var listed []string
			p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(testBucket)})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatalf("list: %v", err)
				}
				for _, o := range page.Contents {
					listed = append(listed, aws.ToString(o.Key))
				}
			}
			want := slices.Sorted(slices.Values(roundTripKeys))
			if !slices.Equal(listed, want) {
				t.Errorf("list = %q, want %q", listed, want)
			}

			pre, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(testBucket), Prefix: aws.String("plus+")})
			if err != nil || len(pre.Contents) != 1 || aws.ToString(pre.Contents[0].Key) != "plus+sign/x+y.csv" {
				t.Errorf("list prefix plus+ = %v, %v; want the one key", pre, err)
			}

			for _, key := range roundTripKeys {
				if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)}); err != nil {
					t.Fatalf("delete %q: %v", key, err)
				}
				_, _, err := get(ctx, c, key)
				if code, status := apiErr(err); code != "NoSuchKey" || status != 404 {
					t.Errorf("get deleted %q: code %q status %d, want NoSuchKey 404 (err %v)", key, code, status, err)
				}
			}
		})
	}
}

// An overwrite replaces the object's metadata, as on S3 (gofakes3 merges it).
func TestOverwriteReplacesMetadata(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			srv, _ := startServer(t, be.disk)
			c := newClient(t, srv.URL(), testAK, testSK)
			ctx := ctxT(t)
			if err := put(ctx, c, "k", []byte("first version"), map[string]string{"a": "1", "b": "2"}); err != nil {
				t.Fatal(err)
			}
			if err := put(ctx, c, "k", []byte("second"), map[string]string{"a": "3"}); err != nil {
				t.Fatal(err)
			}
			body, meta, err := get(ctx, c, "k")
			if err != nil {
				t.Fatal(err)
			}
			if string(body) != "second" || !maps.Equal(meta, map[string]string{"a": "3"}) {
				t.Errorf("after overwrite: %q %v, want %q %v", body, meta, "second", map[string]string{"a": "3"})
			}
		})
	}
}

// The SDK's paginator must see S3's paging (1000 keys a page) on both
// backends; s3afero cannot page by itself.
func TestListPaging(t *testing.T) {
	if testing.Short() {
		t.Skip("puts 1203 objects per backend")
	}
	const n = 1203
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			srv, _ := startServer(t, be.disk)
			c := newClient(t, srv.URL(), testAK, testSK)
			ctx := ctxT(t)
			keys := make(chan string)
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := range keys {
						if err := put(ctx, c, k, []byte(k), nil); err != nil {
							errs <- err
						}
					}
				}()
			}
			want := make([]string, n)
			for i := range n {
				want[i] = fmt.Sprintf("run/%03d/batch-%06d.parquet", i%7, i)
				keys <- want[i]
			}
			close(keys)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("put: %v", err)
			}
			slices.Sort(want)

			var got []string
			var pages []int
			p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(testBucket)})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatalf("list page %d: %v", len(pages)+1, err)
				}
				pages = append(pages, len(page.Contents))
				for _, o := range page.Contents {
					got = append(got, aws.ToString(o.Key))
				}
			}
			if !slices.Equal(pages, []int{1000, n - 1000}) {
				t.Errorf("page sizes = %v, want [1000 %d]", pages, n-1000)
			}
			if !slices.Equal(got, want) {
				t.Errorf("listed %d keys, want %d in order", len(got), len(want))
			}

			// Delimited listing pages common prefixes too.
			d, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(testBucket), Prefix: aws.String("run/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(5)})
			if err != nil {
				t.Fatal(err)
			}
			var prefixes []string
			for _, cp := range d.CommonPrefixes {
				prefixes = append(prefixes, aws.ToString(cp.Prefix))
			}
			if !slices.Equal(prefixes, []string{"run/000/", "run/001/", "run/002/", "run/003/", "run/004/"}) || !aws.ToBool(d.IsTruncated) {
				t.Errorf("delimited page = %q truncated=%v, want run/000/..run/004/ truncated", prefixes, aws.ToBool(d.IsTruncated))
			}
		})
	}
}

func TestAuthFailures(t *testing.T) {
	srv, _ := startServer(t, false)
	skewed, _ := startServer(t, false, func(o *Options) { o.Now = func() time.Time { return time.Now().Add(time.Hour) } })
	tests := []struct {
		name       string
		url        string
		ak, sk     string
		mod        func(*s3.Options)
		wantCode   string
		wantStatus int
	}{
		{"wrong key id", srv.URL(), "AKIDSOMEONEELSE", testSK, nil, "InvalidAccessKeyId", 403},
		{"wrong secret", srv.URL(), testAK, testSK + "x", nil, "SignatureDoesNotMatch", 403},
		{"unsigned", srv.URL(), "", "", nil, "AccessDenied", 403},
		{"wrong region", srv.URL(), testAK, testSK, func(o *s3.Options) { o.Region = "eu-west-1" }, "AuthorizationHeaderMalformed", 400},
		{"clock skew", skewed.URL(), testAK, testSK, nil, "RequestTimeTooSkewed", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mods []func(*s3.Options)
			if tt.mod != nil {
				mods = append(mods, tt.mod)
			}
			c := newClient(t, tt.url, tt.ak, tt.sk, mods...)
			ctx := ctxT(t)
			err := put(ctx, c, "k", []byte("body"), nil)
			if code, status := apiErr(err); code != tt.wantCode || status != tt.wantStatus {
				t.Errorf("put: code %q status %d, want %q %d (err %v)", code, status, tt.wantCode, tt.wantStatus, err)
			}
			_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(testBucket)})
			if code, _ := apiErr(err); code != tt.wantCode {
				t.Errorf("list: code %q, want %q (err %v)", code, tt.wantCode, err)
			}
			if err != nil && strings.Contains(err.Error(), testSK) {
				t.Errorf("error text contains the secret: %v", err)
			}
		})
	}
	// Nothing got stored by the rejected requests.
	c := newClient(t, srv.URL(), testAK, testSK)
	out, err := c.ListObjectsV2(ctxT(t), &s3.ListObjectsV2Input{Bucket: aws.String(testBucket)})
	if err != nil || len(out.Contents) != 0 {
		t.Errorf("after rejected puts: %v objects, err %v; want none", out, err)
	}
}

func TestPresigned(t *testing.T) {
	srv, _ := startServer(t, false)
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	key := "pre signed/ü+x.txt"
	if err := put(ctx, c, key, []byte("shared"), nil); err != nil {
		t.Fatal(err)
	}
	pc := s3.NewPresignClient(c)
	ok, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)}, s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	wrong := newClient(t, srv.URL(), testAK, "not-the-secret")
	bad, err := s3.NewPresignClient(wrong).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		url        string
		wantStatus int
		wantBody   string
	}{
		{"valid", ok.URL, 200, "shared"},
		{"wrong secret", bad.URL, 403, "SignatureDoesNotMatch"},
		{"tampered key", strings.Replace(ok.URL, "signed", "signeD", 1), 403, "SignatureDoesNotMatch"},
		{"tampered expiry", strings.Replace(ok.URL, "X-Amz-Expires=60", "X-Amz-Expires=600", 1), 403, "SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, tt.url, nil)
			status, body := doRaw(t, req)
			if status != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
				t.Errorf("GET = %d %q, want %d containing %q", status, body, tt.wantStatus, tt.wantBody)
			}
		})
	}

	expired, _ := startServer(t, false, func(o *Options) { o.Now = func() time.Time { return time.Now().Add(2 * time.Minute) } })
	u := strings.Replace(ok.URL, srv.URL(), expired.URL(), 1)
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if status, body := doRaw(t, req); status != 403 || !strings.Contains(body, "Request has expired") {
		t.Errorf("expired URL: %d %q, want 403 Request has expired", status, body)
	}
}

func TestFaults(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1024) // 16 KiB
	tests := []struct {
		name  string
		fault Fault
		// calls are the keys fetched in order, with the outcome expected.
		calls []faultCall
	}{
		{"500 once", Fault{Method: "GET", Status: 500, Times: 1},
			[]faultCall{{"a", "InternalError"}, {"a", ""}, {"a", ""}}},
		{"503 by key, every time", Fault{KeyContains: "batch-2", Status: 503},
			[]faultCall{{"batch-1", ""}, {"batch-2", "SlowDown"}, {"batch-2", "SlowDown"}, {"batch-3", ""}}},
		{"method mismatch", Fault{Method: "PUT", Status: 500},
			[]faultCall{{"a", ""}}},
		{"corrupt twice", Fault{Corrupt: true, Times: 2, KeyContains: "batch"},
			[]faultCall{{"a", ""}, {"batch-1", "corrupt"}, {"batch-2", "corrupt"}, {"batch-1", ""}}},
	}
	for _, be := range backends {
		for _, tt := range tests {
			t.Run(be.name+"/"+tt.name, func(t *testing.T) {
				srv, _ := startServer(t, be.disk)
				c := newClient(t, srv.URL(), testAK, testSK)
				ctx := ctxT(t)
				for _, k := range []string{"a", "batch-1", "batch-2", "batch-3"} {
					if err := put(ctx, c, k, payload, nil); err != nil {
						t.Fatal(err)
					}
				}
				srv.InjectFault(tt.fault)
				for i, call := range tt.calls {
					got, _, err := get(ctx, c, call.key)
					code, _ := apiErr(err)
					switch call.want {
					case "":
						if err != nil || !bytes.Equal(got, payload) {
							t.Errorf("call %d GET %s: err %v, intact=%v; want the object", i, call.key, err, bytes.Equal(got, payload))
						}
					case "corrupt":
						if err != nil || len(got) != len(payload) || bytes.Equal(got, payload) {
							t.Errorf("call %d GET %s: err %v, len %d, equal %v; want corrupted bytes of the same length", i, call.key, err, len(got), bytes.Equal(got, payload))
						}
					default:
						if code != call.want {
							t.Errorf("call %d GET %s: code %q, want %q (err %v)", i, call.key, code, call.want, err)
						}
					}
				}
			})
		}
	}
}

type faultCall struct {
	key  string
	want string // "" success, "corrupt", or the S3 error code
}

// With the SDK's retries on, a fault that hits fewer times than the retry
// budget is invisible to the caller; ClearFaults ends a standing fault.
func TestFaultRetriedAndCleared(t *testing.T) {
	srv, _ := startServer(t, false)
	c := newClient(t, srv.URL(), testAK, testSK, func(o *s3.Options) {
		o.RetryMaxAttempts = 0 // else it overrides the retryer's budget
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 3
			so.MaxBackoff = time.Millisecond
		})
	})
	ctx := ctxT(t)
	srv.InjectFault(Fault{Method: "PUT", Status: 503, Times: 2})
	if err := put(ctx, c, "k", []byte("v"), nil); err != nil {
		t.Errorf("put with 2 faults and 3 attempts: %v", err)
	}
	srv.InjectFault(Fault{Method: "PUT", Status: 500})
	if err := put(ctx, c, "k", []byte("v"), nil); err == nil {
		t.Errorf("put under a standing fault succeeded")
	}
	srv.ClearFaults()
	if err := put(ctx, c, "k", []byte("v2"), nil); err != nil {
		t.Errorf("put after ClearFaults: %v", err)
	}
}

func TestRestartKeepsObjects(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, AccessKey: testAK, SecretKey: testSK, Buckets: []string{testBucket}}
	srv, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	if err := put(ctx, c, "job/run-1/batch-000001.parquet", []byte("kept"), map[string]string{"rows": "3"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "buckets", testBucket, "job", "run-1", "batch-000001.parquet")); err != nil || string(b) != "kept" {
		t.Errorf("object on disk = %q, %v; want it inspectable as a plain file", b, err)
	}

	srv2, err := Start(opts) // Buckets exist already: must not fail.
	if err != nil {
		t.Fatalf("restart over the same Dir: %v", err)
	}
	defer srv2.Close()
	c2 := newClient(t, srv2.URL(), testAK, testSK)
	body, meta, err := get(ctx, c2, "job/run-1/batch-000001.parquet")
	if err != nil || string(body) != "kept" || meta["rows"] != "3" {
		t.Errorf("after restart: %q %v %v; want the object and its metadata", body, meta, err)
	}
	if out, err := c2.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil || len(out.Buckets) != 1 || aws.ToString(out.Buckets[0].Name) != testBucket {
		t.Errorf("buckets after restart = %v, %v", out, err)
	}
}

// A body that does not hash to its signed digest is refused and the object
// already under the key survives.
func TestPayloadDigestMismatch(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			srv, _ := startServer(t, be.disk)
			c := newClient(t, srv.URL(), testAK, testSK)
			ctx := ctxT(t)
			if err := put(ctx, c, "k", []byte("original"), map[string]string{"v": "1"}); err != nil {
				t.Fatal(err)
			}
			body := []byte("tampered body")
			other := sha256.Sum256([]byte("what was signed"))
			req := signedRequest(t, http.MethodPut, srv.URL()+"/"+testBucket+"/k", bytes.NewReader(body), hex.EncodeToString(other[:]), nil)
			if status, resp := doRaw(t, req); status != 400 || xmlCode(resp) != "BadDigest" {
				t.Errorf("PUT with wrong digest = %d %q, want 400 BadDigest", status, resp)
			}
			got, meta, err := get(ctx, c, "k")
			if err != nil || string(got) != "original" || meta["v"] != "1" {
				t.Errorf("after refused PUT: %q %v %v, want the original", got, meta, err)
			}
		})
	}
}

func TestUnsignedPayloadAndStreaming(t *testing.T) {
	srv, _ := startServer(t, false)
	url := srv.URL() + "/" + testBucket + "/unsigned key+ü"
	req := signedRequest(t, http.MethodPut, url, strings.NewReader("hello"), "UNSIGNED-PAYLOAD", map[string]string{"X-Amz-Meta-Src": "raw"})
	if status, body := doRaw(t, req); status != 200 {
		t.Fatalf("PUT UNSIGNED-PAYLOAD = %d %s", status, body)
	}
	got, meta, err := get(ctxT(t), newClient(t, srv.URL(), testAK, testSK), "unsigned key+ü")
	if err != nil || string(got) != "hello" || !maps.Equal(meta, map[string]string{"src": "raw"}) {
		t.Errorf("GET = %q %v %v; want hello with only the user metadata", got, meta, err)
	}
	req = signedRequest(t, http.MethodPut, url, strings.NewReader("5\r\nhello\r\n0\r\n\r\n"), "STREAMING-UNSIGNED-PAYLOAD-TRAILER", nil)
	if status, body := doRaw(t, req); status != 501 || !strings.Contains(body, "WhenRequired") {
		t.Errorf("PUT STREAMING-UNSIGNED-PAYLOAD-TRAILER = %d %q, want 501 naming the fix", status, body)
	}
}

func TestDiskRefusesAliasingKeys(t *testing.T) {
	srv, _ := startServer(t, true)
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	for _, key := range []string{"a//b", "a/./b", "a/../b", "dir/"} {
		err := put(ctx, c, key, []byte("x"), nil)
		if code, status := apiErr(err); code != "InvalidArgument" || status != 400 {
			t.Errorf("put %q: code %q status %d, want InvalidArgument 400 (err %v)", key, code, status, err)
		}
	}
}
