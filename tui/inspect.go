package tui

import "connector-dev/harness"

// placed is a batch reader that says where it reads from; the readers of
// past runs do (harness.PastRuns.Reader).
type placed interface{ Where() string }

// readFrom is where r reads batches from, or "" when it does not say.
func readFrom(r harness.BatchReader) string {
	if p, ok := r.(placed); ok {
		return p.Where()
	}
	return ""
}

// pastS3 is the S3 part of a past run's header: where its batches are read
// from now. The run's own endpoint is shown only as where it was, when the
// reader does not say: an embedded S3's port died with its run.
func (m *model) pastS3() string {
	switch {
	case m.readFrom != "":
		return "batches from " + m.readFrom
	case m.info.Endpoint != "":
		return "s3 was at " + m.info.Endpoint
	}
	return "s3 -"
}
