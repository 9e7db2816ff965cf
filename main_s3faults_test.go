package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// `connector-dev s3 --faults` fails a client's requests as asked, prints the
// seed, a line per fault at LOG_LEVEL=debug, and the count when it stops.
func TestS3CommandFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	project(t)
	cmd := exec.Command(bin, "s3", "--s3-memory", "--faults", "s3:503=0.5,seed=4")
	cmd.Env = append(os.Environ(), "LOG_LEVEL=debug")
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var mu sync.Mutex
	var lines []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
		}
	}()
	snapshot := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), lines...) }
	var url string
	for deadline := time.Now().Add(30 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if l := snapshot(); len(l) >= 2 {
			if m := regexp.MustCompile(`^S3 at (http://\S+) `).FindStringSubmatch(l[0]); m != nil {
				url = m[1]
			}
			if l[1] != "faults: s3:503=0.5, seed=4 (pass seed=4 to repeat)" {
				t.Errorf("second line %q does not name the faults and the seed", l[1])
			}
		}
	}
	if url == "" {
		t.Fatalf("no S3 URL printed: %q", snapshot())
	}
	c := s3.New(s3.Options{
		BaseEndpoint: aws.String(url), Region: "us-east-1", UsePathStyle: true, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("connector-dev", "connector-dev-secret", ""),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	failed := 0
	for i := 0; i < 20; i++ {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("connector-dev"), Key: aws.String(fmt.Sprintf("k%d", i)), Body: strings.NewReader("x")})
		switch {
		case err == nil:
		case strings.Contains(err.Error(), "SlowDown"):
			failed++
		default:
			t.Errorf("put k%d: %v", i, err)
		}
	}
	if failed == 0 || failed == 20 {
		t.Errorf("%d of 20 PUTs failed at s3:503=0.5", failed)
	}
	cmd.Process.Signal(os.Interrupt)
	<-done
	cmd.Wait()
	out := strings.Join(snapshot(), "\n")
	if got := strings.Count(out, "faults: injected s3:503 into PUT connector-dev/k"); got != failed {
		t.Errorf("%d fault lines for %d failed PUTs:\n%s", got, failed, out)
	}
	if want := fmt.Sprintf("faults: %d injected (s3:503 %d)", failed, failed); !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}
