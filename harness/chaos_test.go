package harness

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"connector-dev/fakes3"
	"connector-dev/harness/faults"
)

// faultedRequests runs many PUTs and GETs from several goroutines at once
// against an embedded S3 that injects spec, each retried until it succeeds,
// and returns the fault lines with the run id taken out, sorted.
func faultedRequests(t *testing.T, spec, runID string) []string {
	t.Helper()
	s, err := faults.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	in := newRunFaults(s, runID)
	srv, err := fakes3.Start(fakes3.Options{AccessKey: "ak", SecretKey: "sk", Buckets: []string{"batches"}, Chaos: s3Chaos(in)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// The store's own client, with the SDK's retries off: this loop retries
	// at once, where the SDK would back off for seconds.
	store := NewStore(S3Config{Endpoint: srv.URL(), Region: "us-east-1", AccessKey: "ak", SecretKey: "sk", Bucket: "batches"})
	store.client = s3.New(store.client.Options(), func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	var mu sync.Mutex
	var lines []string
	in.Arm(func(msg string) {
		mu.Lock()
		lines = append(lines, strings.ReplaceAll(msg, runID, "RUN"))
		mu.Unlock()
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	retry := func(what string, op func() error) {
		for attempt := 0; ; attempt++ {
			err := op()
			if err == nil {
				return
			}
			if attempt == 50 {
				t.Errorf("%s still failing after 50 tries: %v", what, err)
				return
			}
		}
	}
	var wg sync.WaitGroup
	const workers, keys = 6, 60
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < keys; k += workers {
				key := fmt.Sprintf("job/%s/batch-%06d.parquet", runID, k)
				body := []byte(strings.Repeat(key, 50))
				retry("put "+key, func() error { return store.Put(ctx, key, body, "application/octet-stream", nil) })
				retry("get "+key, func() error {
					got, _, err := store.Get(ctx, key, nil)
					if err == nil && string(got) != string(body) {
						t.Errorf("get %s: %d bytes, want %d", key, len(got), len(body))
					}
					return err
				})
			}
		}()
	}
	wg.Wait()
	in.Disarm()
	if n := len(lines); int64(n) != sumOf(in.Counts()) {
		t.Errorf("%d fault lines, counts %v", n, in.Counts())
	}
	slices.Sort(lines)
	return lines
}

func sumOf(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// The same seed fails the same requests, however concurrent requests
// interleave and whatever the run id in the keys.
func TestS3FaultsSameSeedSameRequests(t *testing.T) {
	a := faultedRequests(t, "s3=0.3,seed=42", "20260101-000000-aaaaaa")
	b := faultedRequests(t, "s3=0.3,seed=42", "20260202-000000-bbbbbb")
	if len(a) == 0 {
		t.Fatal("no fault injected at s3=0.3")
	}
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different faults:\n%s\n--\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	for _, kind := range []string{"s3:503", "s3:reset", "s3:truncate"} {
		if !slices.ContainsFunc(a, func(l string) bool { return strings.Contains(l, kind+" into") }) {
			t.Errorf("no %s among the faults:\n%s", kind, strings.Join(a, "\n"))
		}
	}
	if c := faultedRequests(t, "s3=0.3,seed=43", "20260101-000000-aaaaaa"); slices.Equal(a, c) {
		t.Errorf("seeds 42 and 43 failed the same requests")
	}
}
