package fakes3

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A second store starting on the same folder (a second `connector-dev run`
// on one --state-dir) lets the first one's upload under way finish, and
// removes only a spool file a crash left long ago.
func TestSecondStoreKeepsUploadUnderWay(t *testing.T) {
	srv, opts := startServer(t, true)
	spool := filepath.Join(opts.Dir, "tmp")
	stale := filepath.Join(spool, "put-00000000000000aa")
	if err := os.WriteFile(stale, []byte("cut off by a crash"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * staleSpool)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}

	const half = 1 << 20
	pr, pw := io.Pipe()
	req := signedRequest(t, http.MethodPut, srv.URL()+"/"+testBucket+"/job/run/batch-000001.parquet", pr, "UNSIGNED-PAYLOAD", nil)
	req.ContentLength = 2 * half
	done := make(chan error, 1)
	go func() {
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = &httpStatus{resp.Status}
			}
		}
		done <- err
	}()
	if _, err := pw.Write(bytes.Repeat([]byte{'a'}, half)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the upload's spool file", func() bool {
		entries, _ := os.ReadDir(spool)
		for _, e := range entries {
			if info, err := e.Info(); err == nil && e.Name() != filepath.Base(stale) && strings.HasPrefix(e.Name(), "put-") && info.Size() > 0 {
				return true
			}
		}
		return false
	})

	second, err := Start(opts)
	if err != nil {
		t.Fatalf("second Start on the same folder: %v", err)
	}
	defer second.Close()

	if _, err := pw.Write(bytes.Repeat([]byte{'b'}, half)); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatalf("the first store's upload, after a second store started: %v", err)
	}
	got, _, err := get(ctxT(t), newClient(t, second.URL(), testAK, testSK), "job/run/batch-000001.parquet")
	if err != nil || len(got) != 2*half || got[0] != 'a' || got[2*half-1] != 'b' {
		t.Errorf("the uploaded object: %d bytes, %v; want the whole body", len(got), err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale spool file %s after a store started: %v, want it removed", stale, err)
	}
}

type httpStatus struct{ status string }

func (h *httpStatus) Error() string { return "answered " + h.status }
