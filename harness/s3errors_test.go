package harness

import (
	"context"
	"strings"
	"testing"
	"time"

	"connector-dev/fakes3"
)

// What the embedded S3 refuses reaches the run's one error line with the
// fix, as the store prints it (operation, key, S3 code and message).
func TestStoreShowsWhatToDo(t *testing.T) {
	dir := t.TempDir()
	srv, err := fakes3.Start(fakes3.Options{Dir: dir, AccessKey: "ak", SecretKey: "sk", Buckets: []string{"batches"}, MemoryHint: "use --s3-memory"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	store := NewStore(S3Config{Endpoint: srv.URL(), Region: "us-east-1", AccessKey: "ak", SecretKey: "sk", Bucket: "batches"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	long := strings.Repeat("x", 300)
	for key, want := range map[string]string{
		long + "/run/batch-000001.parquet": "KeyTooLongError: key part \"xxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxx\" is 300 bytes: the disk backend in " + dir +
			" keeps each '/'-separated part of a key as a file name, at most 255 bytes: shorten it or use --s3-memory",
		"job\x00/run/batch-000001.parquet": "InvalidArgument: key \"job\\x00/run/batch-000001.parquet\" contains the control character 0x00",
	} {
		err := store.Put(ctx, key, []byte("x"), "application/octet-stream", nil)
		if err == nil || !strings.HasPrefix(err.Error(), "put s3://batches/") || !strings.Contains(err.Error(), want) {
			t.Errorf("put %q: %v\nwant it to say %s", key, err, want)
		}
	}
}
