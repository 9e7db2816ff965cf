package harness_test

import (
	"context"
	"errors"
	"testing"

	"connector-dev/harness"
)

// Ctrl-C while S3 starts stops the start-up: the error carries the cause,
// so it is not reported as bad settings.
func TestStartStopsWhenCancelled(t *testing.T) {
	opts := setupProject(t, "ok")
	r, err := harness.Plan(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(harness.ErrInterrupted)
	err = r.Start(ctx)
	defer r.Close()
	var se *harness.SetupError
	if !errors.Is(err, harness.ErrInterrupted) || errors.As(err, &se) {
		t.Fatalf("Start after Ctrl-C: %v, want the interruption, not a setup error", err)
	}
}

func TestStorageKind(t *testing.T) {
	for storage, want := range map[string]harness.StorageKind{
		"embedded, on disk at .connector-dev/s3": harness.StorageDisk,
		"embedded, in memory":                    harness.StorageMemory,
		"external":                               harness.StorageExternal,
		"":                                       harness.StorageUnknown,
	} {
		if got := (harness.RunInfo{Storage: storage}).StorageKind(); got != want {
			t.Errorf("%q: kind %d, want %d", storage, got, want)
		}
	}
}
