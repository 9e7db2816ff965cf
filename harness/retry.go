package harness

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Every S3 request is tried up to s3Attempts times, waiting a random time
// in [0, min(s3MaxBackoff, s3BaseBackoff*2^attempt)) between tries ("full
// jitter"). At a 20% fault rate ten attempts fail together about once in
// ten million requests; the waits add up to a few seconds at most.
const (
	s3Attempts    = 10
	s3BaseBackoff = 20 * time.Millisecond
	s3MaxBackoff  = time.Second
)

// maxObjectBytes bounds a GET whose size nothing vouches for (a manifest,
// a schema, a batch of a run made before manifests): a planted huge object
// is refused from its Content-Length, before its body is read.
const maxObjectBytes = 1 << 30

// errNoSuchKey is a GET of a key the bucket does not hold.
var errNoSuchKey = errors.New("NoSuchKey: no such object")

// castagnoli is the CRC32C table: cheap (SSE4.2/ARMv8 instructions), and
// the checksum S3 itself offers.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc32c is the checksum the manifest records for each batch.
func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// logHook is where a Store's retry lines go; copies of a Store share it.
type logHook struct {
	mu sync.Mutex
	f  func(format string, args ...any)
}

func (h *logHook) set(f func(format string, args ...any)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.f = f
}

func (h *logHook) logf(format string, args ...any) {
	h.mu.Lock()
	f := h.f
	h.mu.Unlock()
	if f != nil {
		f(format, args...)
	}
}

// jitterBackoff is full-jitter exponential backoff. The SDK's own starts
// at one second, which makes a flaky run crawl.
type jitterBackoff struct{}

// BackoffDelay implements retry.BackoffDelayer.
func (jitterBackoff) BackoffDelay(attempt int, _ error) (time.Duration, error) {
	return backoff(attempt), nil
}

func backoff(attempt int) time.Duration {
	ceil := s3MaxBackoff
	if attempt < 16 {
		ceil = min(s3MaxBackoff, s3BaseBackoff<<attempt)
	}
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}

// retryableTransport covers what the SDK's list misses: a connection that
// closes before the response (EOF), or a write into a closed one.
type retryableTransport struct{}

// IsErrorRetryable implements retry.IsErrorRetryable.
func (retryableTransport) IsErrorRetryable(err error) aws.Ternary {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || strings.Contains(err.Error(), "connection reset") {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
}

// loggingRetryer is the SDK's standard retryer (503 SlowDown, 500, 502,
// 504, connection errors, timeouts) with our attempts and backoff, no retry
// quota (a long run at a high fault rate would exhaust it and then fail
// requests the next try would have carried), and a debug line per retry.
type loggingRetryer struct {
	*retry.Standard
	log *logHook
}

func newRetryer(h *logHook) aws.Retryer {
	std := retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = s3Attempts
		o.MaxBackoff = s3MaxBackoff
		o.Backoff = jitterBackoff{}
		o.RateLimiter = ratelimit.None
		o.Retryables = append(o.Retryables, retryableTransport{})
	})
	return loggingRetryer{Standard: std, log: h}
}

// RetryDelay logs the retry the SDK is about to make.
func (r loggingRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	d, derr := r.Standard.RetryDelay(attempt, err)
	if derr == nil {
		r.log.logf("s3: retry %d of %d in %s: %v", attempt, s3Attempts-1, d.Round(time.Millisecond), s3Err(err))
	}
	return d, derr
}

// Expect is what a GET must find: Size is the object's byte count (-1:
// unknown, then at most maxObjectBytes), CRC32C its checksum when HasCRC.
type Expect struct {
	Size   int64
	CRC32C uint32
	HasCRC bool
}

// MismatchError is an object that is not what the manifest says: it was
// changed (or swapped, or planted) after the source stored it.
type MismatchError struct {
	What      string // "size" or "checksum"
	Want, Got string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s mismatch (manifest %s, object %s): the object was changed after the source stored it", e.What, e.Want, e.Got)
}

// GetChecked fetches one object and checks it against want. The SDK
// retries the request; the body is read here, so a body cut short, a
// connection reset mid-read or bytes that fail the checksum re-issue the
// GET (up to s3Attempts in all). A size that differs from want is refused
// from the response's Content-Length, before the body is read; a checksum
// that fails twice the same way is what S3 holds, and is refused.
func (s *Store) GetChecked(ctx context.Context, key string, want Expect, buf []byte) ([]byte, ObjectMeta, error) {
	where := fmt.Sprintf("s3://%s/%s", s.bucket, key)
	var lastBad uint32
	var sawBad bool
	for attempt := 1; ; attempt++ {
		data, meta, retryable, err := s.getOnce(ctx, key, want, buf)
		if err == nil && want.HasCRC {
			if got := crc32c(data); got != want.CRC32C {
				if sawBad && got == lastBad {
					return nil, meta, &MismatchError{What: "checksum", Want: fmt.Sprintf("crc32c %08x", want.CRC32C), Got: fmt.Sprintf("%08x", got)}
				}
				sawBad, lastBad, retryable = true, got, true
				err = fmt.Errorf("checksum crc32c %08x, want %08x", got, want.CRC32C)
			}
		}
		if err == nil {
			return data, meta, nil
		}
		if !retryable || attempt >= s3Attempts || ctx.Err() != nil {
			if retryable {
				return nil, ObjectMeta{}, fmt.Errorf("get %s: %w (after %d attempts)", where, err, attempt)
			}
			return nil, ObjectMeta{}, err
		}
		d := backoff(attempt)
		s.log.logf("s3: retry get %s: %v; GET again (attempt %d of %d) in %s", where, err, attempt+1, s3Attempts, d.Round(time.Millisecond))
		if data != nil {
			buf = data
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ObjectMeta{}, fmt.Errorf("get %s: %w", where, ctx.Err())
		case <-t.C:
		}
	}
}

// getOnce is one GET and its body read; retryable says whether a new GET
// may succeed where this one failed.
func (s *Store) getOnce(ctx context.Context, key string, want Expect, buf []byte) ([]byte, ObjectMeta, bool, error) {
	where := fmt.Sprintf("s3://%s/%s", s.bucket, key)
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		var nsk *s3types.NoSuchKey
		if errors.As(err, &nsk) {
			return nil, ObjectMeta{}, false, fmt.Errorf("get %s: %w", where, errNoSuchKey)
		}
		return nil, ObjectMeta{}, false, fmt.Errorf("get %s: %w", where, s3Err(err))
	}
	defer out.Body.Close()
	meta := ObjectMeta{
		Key:         key,
		Size:        aws.ToInt64(out.ContentLength),
		ContentType: aws.ToString(out.ContentType),
		ETag:        strings.Trim(aws.ToString(out.ETag), `"`),
		Metadata:    lowerKeys(out.Metadata),
	}
	if out.LastModified != nil {
		meta.LastModified = out.LastModified.UTC()
	}
	switch {
	case out.ContentLength == nil:
		// Without a length nothing can be bounded before reading: read at
		// most the limit plus one byte and refuse past it.
	case want.Size >= 0 && meta.Size != want.Size:
		return nil, meta, false, &MismatchError{What: "size", Want: fmt.Sprintf("%d bytes", want.Size), Got: fmt.Sprintf("%d bytes", meta.Size)}
	case meta.Size > maxObjectBytes:
		return nil, meta, false, fmt.Errorf("get %s: the object is %d bytes, more than any batch connector-dev stores (%d): refusing to read it", where, meta.Size, int64(maxObjectBytes))
	}
	size := meta.Size
	if out.ContentLength == nil {
		size = -1
	}
	data, err := readBody(out.Body, size, buf)
	if err != nil {
		return data, meta, true, fmt.Errorf("reading body: %w", err)
	}
	return data, meta, false, nil
}

// readBody reads exactly size bytes (size -1: up to maxObjectBytes) into
// buf, growing it when too small. A body that ends early is
// io.ErrUnexpectedEOF; one that runs past size is an error too.
func readBody(r io.Reader, size int64, buf []byte) ([]byte, error) {
	if size < 0 {
		b, err := io.ReadAll(io.LimitReader(r, maxObjectBytes+1))
		if err == nil && int64(len(b)) > maxObjectBytes {
			err = fmt.Errorf("the object is more than %d bytes", int64(maxObjectBytes))
		}
		return b, err
	}
	if int64(cap(buf)) < size {
		// Room for an eighth more: batches of one run differ a little in
		// size, and a buffer reused for the next GET should not be
		// reallocated for each one slightly larger than the last.
		buf = make([]byte, size, size+size/8)
	}
	buf = buf[:size]
	if _, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return buf, err
	}
	var one [1]byte
	if n, _ := r.Read(one[:]); n > 0 {
		return buf, fmt.Errorf("the body is longer than its Content-Length %d", size)
	}
	return buf, nil
}

// Delete removes one object; a missing one is not an error (S3 says so too).
func (s *Store) Delete(ctx context.Context, key string) error {
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key}); err != nil {
		return fmt.Errorf("delete s3://%s/%s: %w", s.bucket, key, s3Err(err))
	}
	return nil
}
