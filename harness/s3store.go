package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3Config is what the batch store needs to reach a bucket.
type S3Config struct {
	Endpoint  string // http(s)://host:port
	Region    string
	AccessKey string
	SecretKey string
	Bucket    string
	// Transport carries every request (nil: a plain http.Transport). A
	// fault injector or a test wraps the client's transport here.
	Transport http.RoundTripper
	// Logf receives one debug line per retried request or re-issued GET
	// (nil: retries are silent). Store.SetLogf changes it later.
	Logf func(format string, args ...any)
}

// Store keeps a run's batches in one S3 bucket. It talks to S3 only through
// aws-sdk-go-v2, so the embedded fake and a real S3 run the same code.
type Store struct {
	client *s3.Client
	bucket string
	url    string
	log    *logHook // shared by copies of the Store (PastRuns hands out copies)
}

// NewStore makes a client for cfg. It does not read ~/.aws or the AWS_*
// environment: a run uses exactly the settings connector-dev shows.
func NewStore(cfg S3Config) *Store {
	hook := &logHook{f: cfg.Logf}
	transport := cfg.Transport
	if transport == nil {
		// A server that accepts a connection and never answers would hang
		// a run forever; a timeout is an error the retryer retries.
		transport = &http.Transport{MaxIdleConnsPerHost: 8, ResponseHeaderTimeout: 30 * time.Second}
	}
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(cfg.Endpoint),
		Region:       cfg.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
		UsePathStyle: true,
		// With the SDK's default checksums, gofakes3 fails ranged GETs and keeps
		// stale CRCs on overwrite (DESIGN, known traps); real S3 needs none of them.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		HTTPClient:                 &http.Client{Transport: transport},
		Retryer:                    newRetryer(hook),
	})
	return &Store{client: client, bucket: cfg.Bucket, url: cfg.Endpoint, log: hook}
}

// SetLogf sends the store's retry lines to f from now on (nil: silent).
func (s *Store) SetLogf(f func(format string, args ...any)) { s.log.set(f) }

// Bucket is the store's bucket name.
func (s *Store) Bucket() string { return s.bucket }

// EnsureBucket creates the bucket unless it exists already.
func (s *Store) EnsureBucket(ctx context.Context) error {
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket})
	if err == nil {
		return nil
	}
	_, err = s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &s.bucket})
	var owned *s3types.BucketAlreadyOwnedByYou
	var exists *s3types.BucketAlreadyExists
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		return fmt.Errorf("S3 bucket %s at %s: %w", s.bucket, s.url, s3Err(err))
	}
	return nil
}

// Put stores one object with its user metadata. The body is sent as
// UNSIGNED-PAYLOAD: hashing every batch for the signature cost more CPU than
// encoding it, S3 accepts it, and over TLS the channel protects the bytes.
func (s *Store) Put(ctx context.Context, key string, body []byte, contentType string, meta map[string]string) error {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        &s.bucket,
		Key:           &key,
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String(contentType),
		Metadata:      meta,
	}, s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", s.bucket, key, s3Err(err))
	}
	return nil
}

// Get fetches one object's bytes and metadata, with no expectations
// beyond maxObjectBytes. buf is reused when large enough.
func (s *Store) Get(ctx context.Context, key string, buf []byte) ([]byte, ObjectMeta, error) {
	return s.GetChecked(ctx, key, Expect{Size: -1}, buf)
}

// List returns the keys under prefix with their sizes, sorted by key.
func (s *Store) List(ctx context.Context, prefix string) ([]ObjectMeta, error) {
	var out []ObjectMeta
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", s.bucket, prefix, s3Err(err))
		}
		for _, o := range page.Contents {
			out = append(out, ObjectMeta{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), ETag: strings.Trim(aws.ToString(o.ETag), `"`)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func lowerKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// s3Err shortens the SDK's error chain to the service's code and message,
// which is what a user can act on.
func s3Err(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		return fmt.Errorf("%s: %s", api.ErrorCode(), api.ErrorMessage())
	}
	var netErr *net.OpError
	if errors.As(err, &netErr) && netErr.Op == "dial" {
		return fmt.Errorf("cannot reach S3: %v (check --s3-endpoint / S3_ENDPOINT)", netErr)
	}
	if errors.As(err, &netErr) {
		// Reached, then lost (a reset, a timeout): the endpoint is right.
		return fmt.Errorf("connection to S3 lost: %v", netErr)
	}
	return err
}

// batchKey is <job>/<run-id>/batch-000001.<ext>.
func batchKey(prefix string, index int, ext string) string {
	return prefix + "batch-" + fmt.Sprintf("%06d", index) + ext
}

// batchIndex parses the index back out of a batch key; 0 when it is not one.
func batchIndex(key string) int {
	base := key[strings.LastIndexByte(key, '/')+1:]
	if !strings.HasPrefix(base, "batch-") {
		return 0
	}
	digits := strings.TrimPrefix(base, "batch-")
	if dot := strings.IndexByte(digits, '.'); dot > 0 {
		digits = digits[:dot]
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 {
		return 0
	}
	return n
}
