package main

import (
	"fmt"
	"net"

	flag "github.com/spf13/pflag"

	"connector-dev/harness"
)

func s3Command() *command {
	return &command{
		Name:      "s3",
		UsageLine: "s3 [flags]",
		Short:     "serve the embedded S3 alone (for aws-cli, boto3, benchmarks)",
		Long: `Serves the embedded S3 alone, over the state folder, with the S3_* settings'
keys, until Ctrl-C: point aws-cli or boto3 at it to look at batches.
`,
		Shared: withState,
		Flags: func(fs *flag.FlagSet) func(*call) int {
			var addr, faultSpec string
			var memory bool
			fs.StringVar(&addr, "addr", "127.0.0.1:0", "listen address on loopback (port 0 picks a free one)")
			fs.BoolVar(&memory, "s3-memory", false, "keep objects in memory instead of the state folder")
			fs.StringVar(&faultSpec, "faults", "", s3FaultsUsage)
			return func(c *call) int { return runS3(c, addr, faultSpec, memory) }
		},
	}
}

func runS3(c *call, addr, faultSpec string, memory bool) int {
	// The keys are the committed development ones unless .env says
	// otherwise: never serve them beyond this machine.
	if host, _, err := net.SplitHostPort(addr); err != nil || !isLoopback(host) {
		return c.fail("--addr %q: give a loopback host and a port, e.g. 127.0.0.1:9000", addr)
	}
	spec, err := parseFaults(faultSpec)
	if err != nil {
		return c.fail("%v", err)
	}
	ctx, stop := signalContext()
	defer stop()
	err = harness.ServeS3(ctx, c.state(), addr, memory, c.Environ(), spec, func(url, storage, bucket string) {
		fmt.Fprintf(c.Stdout, "S3 at %s (%s), bucket %s, keys from S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY; Ctrl-C stops it\n", url, storage, bucket)
	}, func(msg string) { fmt.Fprintln(c.Stdout, msg) })
	if err != nil {
		return c.fail("%v", err)
	}
	return 0
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
