package fakes3

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// BenchmarkPutGet measures one PUT and one GET of the same object through the
// SDK client connector-dev uses. MB/s counts the object size once per
// round trip (so bytes moved on the wire are twice that).
func BenchmarkPutGet(b *testing.B) {
	for _, be := range backends {
		for _, size := range []int{1 << 20, 8 << 20} {
			b.Run(fmt.Sprintf("%s/%dMiB", be.name, size>>20), func(b *testing.B) {
				srv, _ := startServer(b, be.disk)
				c := newClient(b, srv.URL(), testAK, testSK)
				ctx := context.Background()
				body := make([]byte, size)
				rng := rand.New(rand.NewPCG(1, 2))
				for i := range body {
					body[i] = byte(rng.Uint32())
				}
				buf := bytes.NewBuffer(make([]byte, 0, size))
				b.SetBytes(int64(size))
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					key := fmt.Sprintf("bench/batch-%06d.bin", i%4)
					if _, err := c.PutObject(ctx, &s3.PutObjectInput{
						Bucket: aws.String(testBucket), Key: aws.String(key), Body: bytes.NewReader(body),
					}); err != nil {
						b.Fatal(err)
					}
					out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
					if err != nil {
						b.Fatal(err)
					}
					buf.Reset()
					_, err = io.Copy(buf, out.Body)
					out.Body.Close()
					if err != nil || buf.Len() != size {
						b.Fatalf("GET %s: %d bytes, %v", key, buf.Len(), err)
					}
				}
			})
		}
	}
}

// BenchmarkPut measures what `curl -T` of a batch costs the server: one
// signed PUT with an UNSIGNED-PAYLOAD body over a kept-alive connection, so
// the client hashes nothing and the figure is the server's (auth, ETag MD5,
// the write to the store). Keys cycle over 4 names, as overwrites.
func BenchmarkPut(b *testing.B) {
	for _, be := range backends {
		for _, size := range []int{4 << 20} {
			b.Run(fmt.Sprintf("%s/%dMiB", be.name, size>>20), func(b *testing.B) {
				srv, _ := startServer(b, be.disk)
				body := make([]byte, size)
				rng := rand.New(rand.NewPCG(1, 2))
				for i := range body {
					body[i] = byte(rng.Uint32())
				}
				tr := &http.Transport{}
				b.Cleanup(tr.CloseIdleConnections)
				hc := &http.Client{Transport: tr}
				b.SetBytes(int64(size))
				for i := 0; b.Loop(); i++ {
					url := fmt.Sprintf("%s/%s/bench/batch-%06d.parquet", srv.URL(), testBucket, i%4)
					req := signedRequest(b, http.MethodPut, url, bytes.NewReader(body), "UNSIGNED-PAYLOAD", nil)
					req.ContentLength = int64(size)
					resp, err := hc.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Fatalf("PUT %s: %s", url, resp.Status)
					}
				}
			})
		}
	}
}
