package main

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// suiteRun runs the built binary's `test` in dir with extra environment
// variables and returns its exit code, stdout and stderr.
func suiteRun(t *testing.T, bin, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"test"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

// committedFixtures lists the repository's fixture jobs as `test` must find
// them: every fixtures/*/*.json holding ETLJobNM.
func committedFixtures(t *testing.T, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "fixtures", "*", "*.json"))
	var out []string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), `"ETLJobNM"`) {
			rel, _ := filepath.Rel(dir, f)
			out = append(out, filepath.ToSlash(rel))
		}
	}
	if len(out) == 0 {
		t.Fatal("no committed fixtures")
	}
	return out
}

// The whole committed fixture suite passes: `connector-dev test` over the
// repository exits 0, with a PASS line for every fixture but the external
// server's, which is a SKIP saying why.
func TestSuiteCommittedFixturesPass(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	repo, _ := os.Getwd()
	code, out, errOut := suiteRun(t, bin, repo, []string{"POSTGRES_URL="})
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
	}
	fixtures := committedFixtures(t, repo)
	passed, skipped := 0, 0
	for _, f := range fixtures {
		switch {
		case strings.Contains(out, "PASS  "+f+"  "):
			passed++
		case strings.Contains(out, "SKIP  "+f+"  destination postgres is an external server: run with --external"):
			skipped++
		default:
			t.Errorf("no PASS or SKIP line for %s:\n%s", f, out)
		}
	}
	if want := "ok: " + itoa(passed) + " passed, 0 failed, " + itoa(skipped) + " skipped\n"; !strings.HasSuffix(out, want) {
		t.Errorf("summary: want %q at the end of\n%s", want, out)
	}
	// Isolation: the suite leaves no state or warehouse in the project.
	if _, err := os.Stat(filepath.Join(repo, "fixtures", ".connector-dev")); err == nil {
		t.Error("test wrote a state folder under fixtures/")
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// A fixture whose expectations miss fails the suite (exit 4): its line and
// the miss, a JUnit failure carrying the miss, and under GITHUB_ACTIONS an
// ::error annotation on the expectation file. The others still pass.
func TestSuiteFailingFixture(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	dir := project(t)
	if err := os.WriteFile(filepath.Join(dir, "fixtures", "synthetic", "job.expect.yaml"), []byte("exit: success\nrows: 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	junit := filepath.Join(t.TempDir(), "junit.xml")
	code, out, errOut := suiteRun(t, bin, dir, []string{"GITHUB_ACTIONS=true", "POSTGRES_URL="}, "-j", "2", "--junit", junit)
	if code != 4 {
		t.Fatalf("exit %d, want 4\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "FAIL  fixtures/synthetic/job.json  success  10000 rows") {
		t.Errorf("no FAIL line for the fixture:\n%s", out)
	}
	if !strings.Contains(out, "\n      ") || !strings.Contains(out, "rows") {
		t.Errorf("no miss line under the FAIL line:\n%s", out)
	}
	if !strings.Contains(out, "\n::error file=fixtures/synthetic/job.expect.yaml,title=connector-dev test%3A fixtures/synthetic/job.json failed::") {
		t.Errorf("no GitHub annotation at the start of a line:\n%s", out)
	}
	if strings.Count(out, "::error ") != 1 {
		t.Errorf("want one annotation (one failure):\n%s", out)
	}
	if !strings.Contains(out, "FAIL: ") || !strings.Contains(out, " 1 failed, ") {
		t.Errorf("summary does not say FAIL with 1 failed:\n%s", out)
	}

	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var js junitSuites
	if err := xml.Unmarshal(b, &js); err != nil {
		t.Fatalf("junit does not parse: %v\n%s", err, b)
	}
	if len(js.Suites) != 1 || js.Suites[0].Failures != 1 || js.Suites[0].Tests != len(committedFixtures(t, dir)) {
		t.Fatalf("junit suite: %+v", js.Suites)
	}
	var failed []string
	for _, c := range js.Suites[0].Cases {
		if c.Failure != nil {
			failed = append(failed, c.Classname+" "+c.Name)
			if !strings.Contains(c.Failure.Body, "rows") || c.Failure.Message == "" {
				t.Errorf("failure carries no miss: %+v", c.Failure)
			}
		}
		if c.Name == "fixtures/synthetic/postgres.json" && c.Skipped == nil {
			t.Errorf("postgres fixture is not a skipped testcase: %+v", c)
		}
	}
	if !slices.Equal(failed, []string{"synthetic fixtures/synthetic/job.json"}) {
		t.Errorf("failed testcases %v", failed)
	}

	// --json: one event per fixture, then the summary.
	code, out, _ = suiteRun(t, bin, dir, []string{"POSTGRES_URL="}, "synthetic", "--json")
	if code != 4 {
		t.Fatalf("--json: exit %d, want 4\n%s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("--json synthetic: want 2 fixture events and a summary, got\n%s", out)
	}
	var ev fixtureEvent
	for _, l := range lines[:2] {
		if err := json.Unmarshal([]byte(l), &ev); err != nil || ev.Kind != "fixture" {
			t.Fatalf("not a fixture event: %s", l)
		}
		if ev.File == "fixtures/synthetic/job.json" && (ev.Status != "fail" || ev.ExitCode != 4 || ev.Rows != 10000 || len(ev.Misses) == 0) {
			t.Errorf("failing fixture's event: %s", l)
		}
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(lines[2]), &sum); err != nil || sum["kind"] != "summary" || sum["failed"] != 1.0 || sum["skipped"] != 1.0 {
		t.Errorf("summary event: %s", lines[2])
	}
}

// A job without a cassette never reaches the network: its request fails at
// once and the miss says how to record one. --repeat reruns each fixture.
func TestSuiteNeverLive(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	dir := project(t)
	copyFile(t, filepath.Join(dir, "fixtures", "salesforce", "job.json"), filepath.Join(dir, "fixtures", "salesforce", "nocassette.json"))
	code, out, errOut := suiteRun(t, bin, dir, nil, "--job", "fixtures/salesforce/nocassette.json", "--job", "fixtures/salesforce/job.json", "--repeat", "2")
	if code != 4 {
		t.Fatalf("exit %d, want 4\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"FAIL  fixtures/salesforce/nocassette.json  error  0 rows",
		"the job has no cassette and test never goes live: record one with `connector-dev run salesforce --job fixtures/salesforce/nocassette.json --record`",
		"PASS  fixtures/salesforce/job.json  success  5000 rows",
		"FAIL: 1 passed, 1 failed, 0 skipped",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// --shard K/N splits the fixtures: the shards together run each exactly once.
func TestSuiteShards(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	dir := project(t)
	seen := map[string]int{}
	for _, shard := range []string{"1/3", "2/3", "3/3"} {
		code, out, errOut := suiteRun(t, bin, dir, []string{"POSTGRES_URL="}, "--shard", shard, "--json")
		if code != 0 && code != 3 {
			t.Fatalf("--shard %s: exit %d\n%s%s", shard, code, out, errOut)
		}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var ev fixtureEvent
			if json.Unmarshal([]byte(l), &ev) == nil && ev.Kind == "fixture" {
				seen[ev.File]++
			}
		}
	}
	for _, f := range committedFixtures(t, dir) {
		if seen[f] != 1 {
			t.Errorf("%s ran %d times over the shards, want 1", f, seen[f])
		}
	}
}

// Setup problems of the suite itself are exit 3 with one line saying what to fix.
func TestSuiteSetupErrors(t *testing.T) {
	dir := project(t)
	if err := os.WriteFile(filepath.Join(dir, "notajob.json"), []byte(`{"a": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"salesforc"}, `connector-dev test: unknown connector "salesforc" (did you mean "salesforce"?)`},
		{[]string{"--shard", "0/2"}, `connector-dev test: --shard "0/2": K and N are whole numbers with 1 <= K <= N`},
		{[]string{"--shard", "3"}, `connector-dev test: --shard "3": give K/N`},
		{[]string{"--job", "notajob.json"}, "connector-dev test: --job notajob.json: not a job (it has no ETLJobNM)"},
		{[]string{"--job", "missing.json"}, "connector-dev test: job missing.json: open missing.json: no such file or directory"},
		{[]string{"-j", "0"}, "connector-dev test: -j 0: run at least 1 fixture at a time"},
		{[]string{"--repeat", "0"}, "connector-dev test: --repeat 0: run each fixture at least once"},
		{[]string{"--shard", "5/5", "--job", "fixtures/synthetic/job.json"}, "connector-dev test: no fixtures to run"},
		{[]string{"--junit", "out/j.xml"}, "connector-dev test: --junit out/j.xml: cannot create it (no such file or directory): name a file in a folder that exists and that you can write"},
		{[]string{"--junit", "fixtures"}, "connector-dev test: --junit fixtures: is a folder: name a file, e.g. fixtures/junit.xml"},
	} {
		code, out, errOut := cli(t, append([]string{"test"}, tt.args...)...)
		if code != 3 || !strings.HasPrefix(errOut, tt.want) || strings.Count(errOut, "\n") != 1 || out != "" {
			t.Errorf("test %v: exit %d, stderr %q, stdout %q; want 3 and %q", tt.args, code, errOut, out, tt.want)
		}
	}
	if _, err := os.Stat("out"); err == nil {
		t.Error("--junit out/j.xml created out/")
	}
	t.Chdir(t.TempDir())
	if code, _, errOut := cli(t, "test"); code != 3 || !strings.Contains(errOut, "connectors.yaml") {
		t.Errorf("outside a project: exit %d, %q", code, errOut)
	}
}

// Every form of a credential the scrubber knows is found in an artifact,
// and the line names the file, never the value.
func TestLeakedSecrets(t *testing.T) {
	dir := t.TempDir()
	secret := "s3cr3t-refresh-token"
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("runs/1/report.json", `{"ok": "nothing here"}`)
	if got := leakedSecrets([]string{secret}, dir, nil); got != nil {
		t.Fatalf("clean run: %v", got)
	}
	write("runs/1/run.log", "Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte("user:"+secret)))
	got := leakedSecrets([]string{secret}, dir, map[string][]byte{"stdout": []byte("token=" + secret)})
	want := []string{
		"free check: a credential (in one of its forms) is in runs/1/run.log",
		"free check: a credential (in one of its forms) is in the run's stdout",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// The --shard parser takes exactly K/N with 1 <= K <= N, and never panics.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"1/2", "2/2", "0/1", "3/2", "1/0", "/", "a/b", "-1/3", "1/2/3", " 1/2", "9999999999999999999/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, n, err := parseShard(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--shard ") {
				t.Errorf("%q: error does not name the flag: %v", s, err)
			}
			return
		}
		if k < 1 || n < 1 || k > n {
			t.Errorf("%q accepted as %d/%d", s, k, n)
		}
		fx := make([]fixture, 2*n+1)
		if got := len(shardOf(fx, k, n)); got < 2 || got > 3 {
			t.Errorf("shard %d/%d of %d fixtures has %d", k, n, len(fx), got)
		}
	})
}
