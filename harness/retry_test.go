package harness

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	_ "modernc.org/sqlite"

	_ "connector-dev/connectors/sqlite"
	_ "connector-dev/connectors/synthetic"
	"connector-dev/fakes3"
)

// flaky is a test transport that fails a share of requests the ways a
// network and a busy S3 do: 503 SlowDown, 500, a connection reset before
// the request is sent or after the server has acted on it, a GET body cut
// short mid-read, and a GET body with a byte flipped.
type flaky struct {
	base http.RoundTripper
	rate float64

	mu     sync.Mutex
	rnd    *rand.Rand
	counts map[string]int
}

func newFlaky(rate float64, seed uint64) *flaky {
	return &flaky{base: &http.Transport{}, rate: rate, rnd: rand.New(rand.NewPCG(seed, 7)), counts: map[string]int{}}
}

var flakyKinds = []string{"503", "500", "reset", "reset-after", "truncate", "flip"}

func (f *flaky) pick(method string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rnd.Float64() >= f.rate {
		return ""
	}
	k := flakyKinds[f.rnd.IntN(len(flakyKinds))]
	if (k == "truncate" || k == "flip") && method != http.MethodGet {
		k = "reset-after"
	}
	f.counts[k]++
	return k
}

func (f *flaky) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.counts {
		n += c
	}
	return n
}

func reset() error {
	return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
}

func s3Error(req *http.Request, status int, code string) *http.Response {
	body := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>injected</Message></Error>`, code)
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/xml"}}, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: req}
}

func (f *flaky) RoundTrip(req *http.Request) (*http.Response, error) {
	switch f.pick(req.Method) {
	case "503":
		return s3Error(req, 503, "SlowDown"), nil
	case "500":
		return s3Error(req, 500, "InternalError"), nil
	case "reset":
		return nil, reset()
	case "reset-after":
		// The server did the work; the client never hears of it.
		if resp, err := f.base.RoundTrip(req); err == nil {
			resp.Body.Close()
		}
		return nil, reset()
	case "truncate":
		resp, err := f.base.RoundTrip(req)
		if err == nil && resp.ContentLength > 1 {
			resp.Body = &cutBody{rc: resp.Body, left: resp.ContentLength / 2}
		}
		return resp, err
	case "flip":
		resp, err := f.base.RoundTrip(req)
		if err == nil && resp.StatusCode == 200 && resp.ContentLength > 0 {
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr != nil {
				return nil, rerr
			}
			b[len(b)/2] ^= 0x20
			resp.Body = io.NopCloser(bytes.NewReader(b))
		}
		return resp, err
	}
	return f.base.RoundTrip(req)
}

// cutBody ends a body after left bytes, as a connection reset mid-body does.
type cutBody struct {
	rc   io.ReadCloser
	left int64
}

func (c *cutBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cutBody) Close() error { return c.rc.Close() }

// syntheticProject is a project folder with the repo's settings and the
// synthetic job, its warehouse inside it.
func syntheticProject(t *testing.T, rows, batchRows int) (Options, string) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{".env.example", ".env.credentials.example", "connectors.yaml", "fixtures/synthetic/job.json"} {
		b, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	db := filepath.Join(dir, "wh.db")
	env := []string{"SQLITE_DATABASE=" + db, fmt.Sprintf("SYNTHETIC_ROWS=%d", rows), fmt.Sprintf("BATCH_ROWS=%d", batchRows), "LOG_LEVEL=debug"}
	return Options{Dir: dir, Connector: "synthetic", Environ: env}, db
}

// runWith plans and runs opts with the store's transport replaced by tr.
func runWith(t *testing.T, opts Options, tr http.RoundTripper, srvHook func(*fakes3.Server)) (*Report, string) {
	t.Helper()
	r, err := Plan(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := r.cfg.Settings
	r.store = NewStore(S3Config{Endpoint: r.info.Endpoint, Region: s.Region, AccessKey: s.AccessKeyID, SecretKey: s.SecretKey, Bucket: r.info.Bucket, Transport: tr})
	if srvHook != nil {
		srvHook(r.s3srv)
	}
	rep := r.Execute(context.Background(), nil)
	log, _ := os.ReadFile(filepath.Join(r.RunDir(), "run.log"))
	return rep, string(log)
}

// warehouse is the table's row count, distinct ids and the sum of its ids.
func warehouse(t *testing.T, db string) (n, distinct, sum int64) {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT id), COALESCE(SUM(id), 0) FROM accounts`).Scan(&n, &distinct, &sum); err != nil {
		t.Fatal(err)
	}
	return n, distinct, sum
}

// Under 20% failed requests (every kind: 503, 500, resets before and
// after the server acted, bodies cut short or changed mid-read) a run
// ends in success with every row once; each retry is a line of run.log.
func TestFaultsLoseAndDuplicateNoRow(t *testing.T) {
	const rows = 60_000
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			opts, db := syntheticProject(t, rows, 5_000)
			fl := newFlaky(0.2, seed)
			rep, log := runWith(t, opts, fl, nil)
			if rep.ExitCode != 0 {
				t.Fatalf("exit %s: %s (faults %v)", rep.Exit.Reason, rep.Exit.Message, fl.counts)
			}
			n, distinct, sum := warehouse(t, db)
			if want := int64(rows) * (rows - 1) / 2; n != rows || distinct != rows || sum != want {
				t.Errorf("warehouse: %d rows, %d distinct ids, id sum %d; want %d, %d, %d", n, distinct, sum, rows, rows, want)
			}
			if fl.total() == 0 {
				t.Fatal("no fault was injected")
			}
			retries := strings.Count(log, "s3: retry ")
			if retries < fl.total() {
				t.Errorf("run.log has %d retry lines for %d injected faults %v", retries, fl.total(), fl.counts)
			}
		})
	}
}

// The embedded S3's own faults (503s, a corrupted body) are retried too.
func TestServerFaultsAreRetried(t *testing.T) {
	opts, db := syntheticProject(t, 20_000, 5_000)
	rep, log := runWith(t, opts, nil, func(s *fakes3.Server) {
		s.InjectFault(fakes3.Fault{Method: "PUT", Status: 503, Times: 3})
		s.InjectFault(fakes3.Fault{Method: "GET", KeyContains: "batch-000002", Status: 500, Times: 2})
		s.InjectFault(fakes3.Fault{Method: "GET", KeyContains: "batch-000003", Corrupt: true, Times: 1})
	})
	if rep.ExitCode != 0 {
		t.Fatalf("exit %s: %s", rep.Exit.Reason, rep.Exit.Message)
	}
	if n, _, _ := warehouse(t, db); n != 20_000 {
		t.Errorf("warehouse has %d rows, want 20000", n)
	}
	if !strings.Contains(log, "batch-000003.parquet: checksum crc32c") || strings.Count(log, "s3: retry ") < 5 {
		t.Errorf("run.log does not show the retries:\n%s", log)
	}
}

// An object whose Content-Length is not the manifest's size is refused
// from the response headers: a planted 2 GB object is never read.
func TestHugeObjectRefusedUnread(t *testing.T) {
	var served atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(int64(2<<30)))
		w.WriteHeader(200)
		chunk := make([]byte, 1<<20)
		for i := 0; i < 2048; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			served.Add(int64(len(chunk)))
		}
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	st := NewStore(S3Config{Endpoint: "http://" + l.Addr().String(), Region: "us-east-1", AccessKey: "a", SecretKey: "b", Bucket: "bk"})
	for _, want := range []Expect{{Size: 40_000, HasCRC: true}, {Size: -1}} {
		_, _, err := st.GetChecked(context.Background(), "j/r/batch-000001.parquet", want, nil)
		var mm *MismatchError
		switch {
		case want.Size >= 0 && (!errors.As(err, &mm) || !strings.Contains(err.Error(), "size mismatch (manifest 40000 bytes, object 2147483648 bytes)")):
			t.Errorf("GET of a 2 GB object against a 40 KB manifest entry: %v", err)
		case want.Size < 0 && (err == nil || !strings.Contains(err.Error(), "refusing to read it")):
			t.Errorf("GET of a 2 GB object with no size known: %v", err)
		}
	}
	// The server may push what fits in the socket buffers; the client
	// never reads the body.
	if n := served.Load(); n > 64<<20 {
		t.Errorf("the server sent %d bytes: the body was read", n)
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"version":1,"prefix":"j/r/","schema":[{"name":"id","type":"int64"}],"batches":[{"index":1,"key":"j/r/batch-000001.parquet","rows":2,"bytes":10,"crc32c":5}],"rows":2,"bytes":10,"exit":{"reason":"success"}}`))
	f.Add([]byte(`{"version":1,"batches":[]}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{"version":1,"schema":[{"name":"a","type":"int64"},{"name":"a","type":"string"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			return
		}
		var rows int64
		for i, bt := range m.Batches {
			if bt.Index != i+1 || !strings.HasPrefix(bt.Key, m.Prefix) {
				t.Fatalf("accepted batch %d: %+v", i, bt)
			}
			rows += bt.Rows
		}
		if rows != m.Rows {
			t.Fatalf("accepted rows %d, batches add to %d", m.Rows, rows)
		}
		if _, err := fieldsOf(m.Schema); err != nil {
			t.Fatalf("accepted a schema fieldsOf refuses: %v", err)
		}
	})
}
