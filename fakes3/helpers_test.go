package fakes3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

const (
	testAK     = "AKIDFAKES3TEST"
	testSK     = "fakes3-test-secret/with+odd=chars"
	testBucket = "batches"
)

// backends is the table every behaviour test runs over: the two stores
// connector-dev uses.
var backends = []struct {
	name string
	disk bool
}{
	{"memory", false},
	{"disk", true},
}

func startServer(t testing.TB, disk bool, mod ...func(*Options)) (*Server, Options) {
	t.Helper()
	opts := Options{AccessKey: testAK, SecretKey: testSK, Buckets: []string{testBucket}}
	if disk {
		opts.Dir = t.TempDir()
	}
	for _, m := range mod {
		m(&opts)
	}
	srv, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, opts
}

// newClient is the client connector-dev uses everywhere: path style and
// checksums only when required (DESIGN's trap). Retries are off unless a
// test asks, so a fault is seen exactly once per call.
func newClient(t testing.TB, url, ak, sk string, mod ...func(*s3.Options)) *s3.Client {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	var creds aws.CredentialsProvider = credentials.NewStaticCredentialsProvider(ak, sk, "")
	if ak == "" {
		creds = aws.AnonymousCredentials{}
	}
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: creds,
		HTTPClient:  &http.Client{Transport: tr},
	}
	return s3.NewFromConfig(cfg, append([]func(*s3.Options){func(o *s3.Options) {
		o.BaseEndpoint = aws.String(url)
		o.UsePathStyle = true
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		o.RetryMaxAttempts = 1
	}}, mod...)...)
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func put(ctx context.Context, c *s3.Client, key string, body []byte, meta map[string]string) error {
	_, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:   aws.String(testBucket),
		Key:      aws.String(key),
		Body:     bytes.NewReader(body),
		Metadata: meta,
	})
	return err
}

func get(ctx context.Context, c *s3.Client, key string) ([]byte, map[string]string, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
	if err != nil {
		return nil, nil, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return b, out.Metadata, err
}

// apiErr returns the S3 error code and HTTP status a caller of the SDK sees.
func apiErr(err error) (code string, status int) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

// signedRequest builds a raw request signed by the SDK's own signer, for the
// cases the S3 client will not produce (streaming bodies, wrong digests).
func signedRequest(t testing.TB, method, url string, body io.Reader, payloadHash string, hdr map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	err = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).SignHTTP(
		context.Background(), aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSK},
		req, payloadHash, "s3", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func doRaw(t testing.TB, req *http.Request) (int, string) {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func xmlCode(body string) string {
	_, rest, ok := strings.Cut(body, "<Code>")
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(rest, "</Code>")
	return code
}

// waitFor polls cond until it holds; the bound only keeps a broken test from
// hanging, it asserts no timing.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// serverGoroutines lists live goroutines running this package's server code
// or an HTTP server connection.
func serverGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var found []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "net/http.(*conn).serve") || strings.Contains(g, "net/http.(*Server).Serve") ||
			strings.Contains(g, "fakes3.(*Server)") || strings.Contains(g, "fakes3.Start") {
			found = append(found, g)
		}
	}
	return found
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// hasFresh reports whether the server holds a connection that has sent no
// request yet.
func (s *Server) hasFresh() bool {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	return len(s.fresh) > 0
}
