package harness

import "strings"

// placedReader is a past run's batch reader that knows where it reads from.
type placedReader struct {
	storeReader
	where string
}

// Where says where the batches are read from now, e.g. "embedded S3 on
// disk at .connector-dev/s3" or an external endpoint.
func (r placedReader) Where() string { return r.where }

// Where says where Reader(rep) reads rep's batches from now. A run's own
// endpoint is not it when that run used the embedded S3: its random port
// died with the run, and inspect starts the embedded S3 anew over the same
// folder.
func (p *PastRuns) Where(rep *Report) string {
	st := p.storeFor(rep)
	if kind := (RunInfo{Storage: p.storage}).StorageKind(); st.url != p.store.url || (kind != StorageDisk && kind != StorageMemory) {
		return st.url
	}
	if where := strings.TrimPrefix(p.storage, "embedded, "); where != p.storage && where != "" {
		return "embedded S3 " + where
	}
	return "embedded S3"
}
