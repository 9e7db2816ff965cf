package harness

import (
	"connector-dev/fakes3"
	"connector-dev/harness/httprec"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"time"
)

// Start brings up S3 (embedded unless an endpoint was given) and the HTTP
// recorder. Close undoes it.
func (r *Run) Start() error {
	s := r.cfg.Settings
	endpoint := r.info.Endpoint
	if r.opts.Faults != nil {
		r.faults = newRunFaults(r.opts.Faults, r.info.RunID)
	}
	if endpoint == "" {
		dir := filepath.Join(r.opts.StateDir, "s3")
		if r.opts.S3Memory {
			dir = ""
		}
		srv, err := fakes3.Start(fakes3.Options{Dir: dir, AccessKey: s.AccessKeyID, SecretKey: s.SecretKey, Region: s.Region, Chaos: s3Chaos(r.faults), MemoryHint: "use --s3-memory"})
		if err != nil {
			return setupf("embedded S3: %v", err)
		}
		r.s3srv, endpoint = srv, srv.URL()
		r.info.Endpoint = endpoint
		r.info.Storage = "embedded, on disk at " + dir
		if r.opts.S3Memory {
			r.info.Storage = "embedded, in memory"
		}
	} else {
		r.info.Storage = "external"
	}
	r.store = NewStore(S3Config{Endpoint: endpoint, Region: s.Region, AccessKey: s.AccessKeyID, SecretKey: s.SecretKey, Bucket: r.info.Bucket, Transport: r.s3Transport()})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := r.store.EnsureBucket(ctx); err != nil {
		r.Close()
		return setupf("%w", err)
	}
	if r.source != nil {
		rec, err := httprec.New(r.mode, r.cassette, r.secrets, http.DefaultTransport)
		if err != nil {
			r.Close()
			return setupf("%w", err)
		}
		r.rec = rec
	}
	return nil
}

// Close stops what Start started. Safe to call twice.
func (r *Run) Close() error {
	var err error
	if r.rec != nil {
		err = r.rec.Stop()
		r.rec = nil
	}
	if r.s3srv != nil {
		if cerr := r.s3srv.Close(); err == nil {
			err = cerr
		}
		r.s3srv = nil
	}
	return err
}

func newRunID(t time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return t.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}
