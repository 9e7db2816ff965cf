package harness

import (
	"context"
	"time"

	"connector-dev/connectors"
)

// ObjectMeta is what S3 says about one batch object.
type ObjectMeta struct {
	Key          string            `json:"key"`
	Size         int64             `json:"size"`
	ContentType  string            `json:"content_type"`
	ETag         string            `json:"etag"`
	LastModified time.Time         `json:"last_modified"`
	Metadata     map[string]string `json:"metadata"`
}

// BatchReader reads the batch objects of a run, live or past, for the
// batch browser and `inspect`.
type BatchReader interface {
	// ReadBatch fetches and decodes one batch object by key.
	ReadBatch(ctx context.Context, key string) (*connectors.Frame, ObjectMeta, error)
}
