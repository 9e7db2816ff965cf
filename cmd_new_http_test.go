package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// `new --http` in a copy of the repository (one with a .env.credentials of
// its own, 0600): the files it says it wrote, a skeleton that gofmt, vet,
// its unit tests and a build accept, a cassette without the token that
// `connector-dev test` replays offline, --update pinning checksum, schema
// and samples that then hold, and --repeat passing. A second connector
// whose rows change with the clock fails --repeat, naming the repetition
// and both checksums.
func TestNewHTTPScaffoldPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := repoCopy(t)
	bin := buildBinary(t)
	creds := filepath.Join(dir, ".env.credentials")
	example, err := os.ReadFile(filepath.Join(dir, ".env.credentials.example"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, example, 0o600); err != nil {
		t.Fatal(err)
	}
	newIn := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"new"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("new %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	out := newIn("acmeapi", "--http")
	for _, want := range []string{
		"wrote connectors/acmeapi/acmeapi.go\nwrote connectors/acmeapi/acmeapi_test.go\nwrote fixtures/acmeapi/job.json\nwrote fixtures/acmeapi/job.expect.yaml\nwrote fixtures/acmeapi/job.cassette.yaml\n",
		"edited .env.credentials.example\nedited .env.credentials\n",
		"\nfixtures/acmeapi/job.cassette.yaml was recorded from connector-dev new's example API (https://api.example.com), not a real one",
		"\n  2. put your token in .env.credentials as ACMEAPI_TOKEN\n",
		"\n  3. rm fixtures/acmeapi/job.expect.yaml && go build -o connector-dev . && ./connector-dev run acmeapi --record\n",
		"\n  4. ./connector-dev test acmeapi --update ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("new --http output lacks %q:\n%s", want, out)
		}
	}
	if fi, err := os.Stat(creds); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf(".env.credentials after new: %v, mode %v; want 0600 kept", err, fi.Mode())
	}
	for _, f := range []string{creds, filepath.Join(dir, ".env.credentials.example")} {
		if b, _ := os.ReadFile(f); !strings.HasSuffix(string(b), "\nACMEAPI_TOKEN=example-acmeapi-token\n") {
			t.Errorf("%s does not end with the token's placeholder:\n%s", f, b)
		}
	}
	cassette, _ := os.ReadFile(filepath.Join(dir, "fixtures", "acmeapi", "job.cassette.yaml"))
	if strings.Contains(string(cassette), "example-acmeapi-token") || !strings.Contains(string(cassette), "url: https://api.example.com/v1/things?cursor=2&limit=100") {
		t.Errorf("cassette holds the token or lacks the second page:\n%s", cassette)
	}
	newIn("flaky")
	// flaky's rows carry the time they were made: no two runs load the same.
	code := filepath.Join(dir, "connectors", "flaky", "flaky.go")
	src, _ := os.ReadFile(code)
	if !strings.Contains(string(src), `f.AppendRow(i, "row", at)`) {
		t.Fatalf("the source template changed; this test edits its row:\n%s", src)
	}
	if err := os.WriteFile(code, []byte(strings.Replace(string(src), `f.AppendRow(i, "row", at)`, `f.AppendRow(i, time.Now().Format(time.RFC3339Nano), at)`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if fmtOut, err := exec.Command("gofmt", "-l", filepath.Join(dir, "connectors")).Output(); err != nil || len(fmtOut) != 0 {
		t.Errorf("gofmt -l: %v %s", err, fmtOut)
	}
	goIn(t, dir, "vet", "./...")
	goIn(t, dir, "test", "./connectors/acmeapi/", "./connectors/flaky/", "./connectors/all/")
	goIn(t, dir, "build", "-o", "cd-new", ".")
	cd := filepath.Join(dir, "cd-new")

	code1, out, errOut := suiteRun(t, cd, dir, nil, "acmeapi")
	if code1 != 0 || !strings.Contains(out, "PASS  fixtures/acmeapi/job.json  success  3 rows") {
		t.Fatalf("test acmeapi: exit %d\n%s%s", code1, out, errOut)
	}
	code1, out, errOut = suiteRun(t, cd, dir, nil, "acmeapi", "--update")
	for _, want := range []string{
		"\nupdated  fixtures/acmeapi/job.expect.yaml  schema: (none) -> id int64, name string, updated_at timestamp\n",
		"\nupdated  fixtures/acmeapi/job.expect.yaml  samples: (none) -> 3 rows\n",
		"\nupdated 1 expectation file;",
	} {
		if code1 != 0 || !strings.Contains(out, want) {
			t.Errorf("test acmeapi --update: exit %d, no line %q\n%s%s", code1, want, out, errOut)
		}
	}
	expect, _ := os.ReadFile(filepath.Join(dir, "fixtures", "acmeapi", "job.expect.yaml"))
	for _, want := range []string{"# How a replay of job.cassette.yaml ends.", "\nrows: 3\nbatches: 2\nrows_checksum: ",
		"\nsamples:\n", "  - {id: 3, name: three, updated_at: ~}\n", "  - {id: 1, name: one, updated_at: '2026-01-31T08:00:00Z'}\n"} {
		if !strings.Contains(string(expect), want) {
			t.Errorf("job.expect.yaml after --update lacks %q:\n%s", want, expect)
		}
	}
	code1, out, errOut = suiteRun(t, cd, dir, nil, "acmeapi", "--repeat", "3")
	if code1 != 0 || !strings.Contains(out, "PASS  fixtures/acmeapi/job.json  success  3 rows") {
		t.Errorf("test acmeapi --repeat 3 with the pinned expectations: exit %d\n%s%s", code1, out, errOut)
	}

	code1, out, errOut = suiteRun(t, cd, dir, nil, "flaky", "--repeat", "3")
	m := regexp.MustCompile(`\n      free check: repetition 2 of 3 loaded other rows than repetition 1 \(rows_checksum ([0-9a-f]{16}), then ([0-9a-f]{16})\): the fixture does not replay the same rows\n`).FindStringSubmatch(out)
	if code1 != 4 || !strings.Contains(out, "FAIL  fixtures/flaky/job.json") || m == nil || m[1] == m[2] {
		t.Errorf("test flaky --repeat 3: exit %d, want 4 and the repetition's line with two checksums\n%s%s", code1, out, errOut)
	}
	if code1, out, errOut = suiteRun(t, cd, dir, nil, "flaky"); code1 != 0 {
		t.Errorf("test flaky once: exit %d, want 0\n%s%s", code1, out, errOut)
	}
}
