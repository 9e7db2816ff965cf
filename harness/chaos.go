package harness

import (
	"net/http"
	"strings"
	"time"

	"connector-dev/harness/faults"
)

// newRunFaults is the injector of one run: batch keys decide without their
// run id, so the same seed fails the same batches in every run.
func newRunFaults(spec *faults.Spec, runID string) *faults.Injector {
	in := faults.New(spec)
	if runID != "" {
		in.Canonical(func(key string) string { return strings.ReplaceAll(key, runID, "RUN-ID") })
	}
	return in
}

// s3Chaos adapts an injector to the embedded S3's hook, so S3 faults
// are injected server-side, where a real S3 fails: nil without S3 faults.
func s3Chaos(in *faults.Injector) func(method, bucket, key string) string {
	if !in.Has(faults.S3) {
		return nil
	}
	return func(method, bucket, key string) string {
		return in.Decide(faults.S3, method, bucket+"/"+key, s3MovesBody(method, key))
	}
}

// s3Transport injects S3 faults in the client's transport, for an S3 the
// harness did not start (--s3-endpoint): nil (NewStore's own) without S3
// faults or with the embedded S3, which injects them itself.
func (r *Run) s3Transport() http.RoundTripper {
	if !r.faults.Has(faults.S3) || r.s3srv != nil {
		return nil
	}
	// NewStore's default transport, wrapped.
	base := &http.Transport{MaxIdleConnsPerHost: 8, ResponseHeaderTimeout: 30 * time.Second}
	return r.faults.Transport(faults.S3, base)
}

// s3MovesBody says a request carries an object's bytes: the only ones a
// truncate fault can cut.
func s3MovesBody(method, key string) bool {
	return key != "" && (method == http.MethodGet || method == http.MethodPut)
}

// armFaults says which faults the run injects, with the seed that repeats
// them, wraps the connector's HTTP client (outside the recorder, so no fault
// reaches a cassette), and starts injecting. Each fault is a debug line.
func (x *execution) armFaults() {
	in := x.r.faults
	if in == nil {
		return
	}
	x.em.log("", LevelInfo, in.Announce())
	if in.Has(faults.HTTP) {
		c := *x.http
		c.Transport = in.Transport(faults.HTTP, c.Transport)
		x.http = &c
	}
	in.Arm(func(msg string) { x.em.log("", LevelDebug, msg) })
}

// disarmFaults stops injecting and returns the counts for report.json; the
// log's last word on faults says the same.
func (x *execution) disarmFaults() map[string]int64 {
	in := x.r.faults
	if in == nil {
		return nil
	}
	in.Disarm()
	counts := in.Counts()
	x.em.log("", LevelInfo, faults.Summary(counts))
	return counts
}
