package fakes3

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAWSCLI proves the SigV4 check against a signer we did not write
// (botocore, through the aws CLI), where the machine has one.
func TestAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the aws CLI (about a second per call)")
	}
	awsBin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not on PATH")
	}
	srv, _ := startServer(t, true)
	home := t.TempDir()
	config := filepath.Join(home, "config")
	if err := os.WriteFile(config, []byte("[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(home, "src.txt")
	if err := os.WriteFile(src, []byte("from botocore"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(secret string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, awsBin, append([]string{"--endpoint-url", srv.URL()}, args...)...)
		cmd.Env = []string{
			"HOME=" + home, "PATH=" + os.Getenv("PATH"),
			"AWS_CONFIG_FILE=" + config, "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"),
			"AWS_ACCESS_KEY_ID=" + testAK, "AWS_SECRET_ACCESS_KEY=" + secret,
			"AWS_REQUEST_CHECKSUM_CALCULATION=when_required", "AWS_RESPONSE_CHECKSUM_VALIDATION=when_required",
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	key := "cli dir/ü+x (1).txt"
	if out, err := run(testSK, "s3api", "put-object", "--bucket", testBucket, "--key", key, "--body", src, "--metadata", "rows=5"); err != nil {
		t.Fatalf("put-object: %v\n%s", err, out)
	}
	dst := filepath.Join(home, "dst.txt")
	out, err := run(testSK, "s3api", "get-object", "--bucket", testBucket, "--key", key, dst)
	if err != nil {
		t.Fatalf("get-object: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(dst); string(b) != "from botocore" || !strings.Contains(out, `"rows": "5"`) {
		t.Errorf("get-object wrote %q and said %s", b, out)
	}
	if out, err := run(testSK, "s3", "ls", "--recursive", "s3://"+testBucket+"/"); err != nil || !strings.Contains(out, key) {
		t.Errorf("s3 ls = %v\n%s", err, out)
	}
	if out, err := run("wrong", "s3api", "head-object", "--bucket", testBucket, "--key", key); err == nil || !strings.Contains(out, "403") {
		t.Errorf("head-object with a wrong secret = %v\n%s; want a 403", err, out)
	}
	// What botocore stored is readable by the SDK client, metadata included.
	_, meta, err := get(ctxT(t), newClient(t, srv.URL(), testAK, testSK), key)
	if err != nil || !maps.Equal(meta, map[string]string{"rows": "5"}) {
		t.Errorf("SDK get of the CLI's object: %v %v", meta, err)
	}
}
