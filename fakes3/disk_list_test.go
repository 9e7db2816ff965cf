package fakes3

import (
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// A listing page reads the sidecars of its own keys only: a sidecar that
// cannot be read (here a folder stands in its place) fails the page that
// shows its key, and the pages before it list with the right ETags and
// continuation, in both listing versions.
func TestDiskListPageReadsOnlyItsSidecars(t *testing.T) {
	srv, opts := startServer(t, true)
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	keys := []string{"run/a", "run/b", "run/c", "run/d", "run/e"}
	etags := map[string]string{}
	for _, k := range keys {
		body := []byte("bytes of " + k)
		if err := put(ctx, c, k, body, nil); err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum(body)
		etags[k] = `"` + hex.EncodeToString(sum[:]) + `"`
	}
	broken := filepath.Join(opts.Dir, filepath.FromSlash(metaPath(testBucket, "run/e")))
	if err := os.Remove(broken); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(broken, 0o700); err != nil {
		t.Fatal(err)
	}

	check := func(version string, got []string, gotTags map[string]string, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s page: keys %q, want %q", version, got, want)
		}
		for _, k := range got {
			if gotTags[k] != etags[k] {
				t.Errorf("%s page: %s has ETag %s, want %s", version, k, gotTags[k], etags[k])
			}
		}
	}

	var token *string
	for _, want := range [][]string{{"run/a", "run/b"}, {"run/c", "run/d"}} {
		l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(testBucket), MaxKeys: aws.Int32(2), ContinuationToken: token})
		if err != nil {
			t.Fatalf("ListObjectsV2 page %q: %v", want, err)
		}
		var got []string
		tags := map[string]string{}
		for _, o := range l.Contents {
			got = append(got, aws.ToString(o.Key))
			tags[aws.ToString(o.Key)] = aws.ToString(o.ETag)
		}
		check("ListObjectsV2", got, tags, want)
		if !aws.ToBool(l.IsTruncated) || l.NextContinuationToken == nil {
			t.Fatalf("ListObjectsV2 page %q: truncated %v, token %v; want a continuation", want, aws.ToBool(l.IsTruncated), l.NextContinuationToken)
		}
		token = l.NextContinuationToken
	}
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(testBucket), MaxKeys: aws.Int32(2), ContinuationToken: token}); err == nil {
		t.Error("the page with run/e listed, though its sidecar is a folder: the test breaks nothing")
	}

	var marker *string
	for _, want := range [][]string{{"run/a", "run/b"}, {"run/c", "run/d"}} {
		l, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(testBucket), MaxKeys: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatalf("ListObjects page %q: %v", want, err)
		}
		var got []string
		tags := map[string]string{}
		for _, o := range l.Contents {
			got = append(got, aws.ToString(o.Key))
			tags[aws.ToString(o.Key)] = aws.ToString(o.ETag)
		}
		check("ListObjects", got, tags, want)
		if !aws.ToBool(l.IsTruncated) {
			t.Fatalf("ListObjects page %q is not truncated", want)
		}
		marker = aws.String(got[len(got)-1])
	}
}
