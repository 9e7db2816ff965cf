package fakes3

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
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
