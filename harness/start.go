package harness

import (
	"connector-dev/fakes3"
	"connector-dev/harness/httprec"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"
)

// Start brings up S3 (embedded unless an endpoint was given) and the HTTP
// recorder. Close undoes it. A ctx that ends stops the start-up; its error
// then wraps the cause (ErrInterrupted), not a *SetupError.
func (r *Run) Start(ctx context.Context) error {
	s := r.cfg.Settings
	endpoint := r.info.Endpoint
	if r.opts.Faults != nil {
		r.faults = newRunFaults(r.opts.Faults, r.info.RunID)
	}
	if endpoint == "" {
		e := embeddedS3{stateDir: r.opts.StateDir, memory: r.opts.S3Memory,
			opts: fakes3.Options{AccessKey: s.AccessKeyID, SecretKey: s.SecretKey, Region: s.Region, Chaos: s3Chaos(r.faults), MemoryHint: "use --s3-memory"}}
		srv, err := e.start(ctx)
		if ctx.Err() != nil {
			return startStopped(ctx)
		}
		if err != nil {
			return setupf("embedded S3: %v", err)
		}
		r.s3srv, endpoint = srv, srv.URL()
		r.info.Endpoint = endpoint
		r.info.Storage = e.kind().describe(e.dir())
	} else {
		r.info.Storage = StorageExternal.describe("")
	}
	r.store = NewStore(S3Config{Endpoint: endpoint, Region: s.Region, AccessKey: s.AccessKeyID, SecretKey: s.SecretKey, Bucket: r.info.Bucket, Transport: r.s3Transport()})
	bctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := r.store.EnsureBucket(bctx); err != nil {
		r.Close()
		if ctx.Err() != nil {
			return startStopped(ctx)
		}
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

// startStopped is Start's error when its ctx ended first.
func startStopped(ctx context.Context) error {
	return fmt.Errorf("start-up stopped: %w", context.Cause(ctx))
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
