package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/harness"
	"connector-dev/harness/httprec"
	"connector-dev/tui"
)

// leakToken is the leaky connector's credential: it holds what JSON, Go
// quoting and URLs escape, and its length is no multiple of 3, so its base64
// differs at each alignment.
const leakToken = `s3cr<&>"tok/en+42`

// leakPath is its credential marked secret: false, which must stay visible.
const leakPath = "/srv/leaky/visible-path.db"

// leaky is a source that leaks its token every way a connector can: logs in
// every encoding, fd 1 and 2 through fmt, log and println, an HTTP request
// (header, query, body), and its ending: an error, a panic or a returned
// error, by LEAKY_END. It is registered by this test file only, so only the
// test binary has it.
type leaky struct{}

func init() { connectors.RegisterSource("leaky", func() connectors.Source { return leaky{} }) }

func (leaky) Run(ctx context.Context, rt connectors.Runtime) error {
	tok := rt.Credentials()["token"]
	rt.LogInfo("visible path %s", rt.Credentials()["path"])
	j, _ := json.Marshal(tok)
	b := []byte(tok)
	for _, s := range []string{
		tok, fmt.Sprintf("%q", tok), string(j), url.QueryEscape(tok), url.PathEscape(tok),
		base64.StdEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b),
		hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)),
		basic("user", tok), basic("us", tok), basic("u", tok),
		url.UserPassword("me", tok).String(),
	} {
		rt.LogInfo("leak log %s", s)
	}
	fmt.Printf("leak printf %s\n", tok)
	fmt.Fprintln(os.Stderr, "leak stderr", tok)
	log.Printf("leak log.Printf %s", tok)
	println("leak println", tok)
	os.Stdout.WriteString("leak partial line without newline " + tok)
	if api := rt.Env("LEAKY_API"); api != "" {
		body := strings.NewReader(`{"token":` + string(j) + `,"hex":"` + hex.EncodeToString(b) + `"}`)
		req, _ := http.NewRequestWithContext(ctx, "POST", api+"/v1/things?key="+url.QueryEscape(tok)+"&b64="+base64.URLEncoding.EncodeToString(b), body)
		req.Header.Set("Authorization", basic("user", tok))
		req.Header.Set("X-Leak", tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := rt.HTTPClient().Do(req)
		if err != nil {
			return rt.LogErr("request with %s: %v", tok, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	switch rt.Env("LEAKY_END") {
	case "panic":
		panic("leak panic " + tok)
	case "error":
		return rt.LogErr("leak LogErr %s", tok)
	}
	return fmt.Errorf("leak returned error %s", tok)
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// leakyProject is project() plus the leaky connector's entry, job and
// credentials.
func leakyProject(t *testing.T, end string) {
	t.Helper()
	project(t)
	f, err := os.OpenFile("connectors.yaml", os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "\nleaky:\n  kind: source\n  credentials: [token, {name: path, secret: false}]\n  env: [LEAKY_END, LEAKY_API]\n")
	f.Close()
	os.MkdirAll(filepath.Join("fixtures", "leaky"), 0o755)
	job := `{"ETLJobNM": "leaky-job", "SourceObjectID": "things", "SourceConnectorNM": "leaky",
	  "DestinationConnectorNM": "sqlite", "DestinationObjectID": "things", "UpdateMethodCD": 2}`
	if err := os.WriteFile(filepath.Join("fixtures", "leaky", "job.json"), []byte(job), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LEAKY_TOKEN", leakToken)
	t.Setenv("LEAKY_PATH", leakPath)
	t.Setenv("LEAKY_END", end)
}

// leakForms is every form of the token the test looks for: spelled out
// here, independently of the scrubber, and the scrubber's own list besides.
func leakForms() []string {
	b := []byte(leakToken)
	j, _ := json.Marshal(leakToken)
	q := strconv.Quote(leakToken)
	forms := []string{leakToken, q[1 : len(q)-1], string(j[1 : len(j)-1]), url.QueryEscape(leakToken), url.PathEscape(leakToken),
		strings.TrimPrefix(url.UserPassword("me", leakToken).String(), "me:"),
		base64.StdEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b),
		hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b))}
	forms = append(forms, httprec.SecretForms(leakToken)...)
	for _, u := range []string{"user", "us", "u"} {
		forms = append(forms, strings.TrimPrefix(basic(u, leakToken), "Basic "))
	}
	return forms
}

// assertNoLeak fails for any form of the token in text, named where.
func assertNoLeak(t *testing.T, where, text string) {
	t.Helper()
	for _, f := range leakForms() {
		if strings.Contains(text, f) {
			t.Errorf("%s holds the token as %q", where, f)
		}
	}
}

// runArtifacts checks every file of the last run's folder (and the state
// folder's modes) for the token, and returns run.log.
func runArtifacts(t *testing.T) string {
	t.Helper()
	rep := lastReport(t)
	dir := filepath.Join(".connector-dev", "runs", rep.RunID)
	var runLog string
	for _, d := range []string{filepath.Join(".connector-dev", "runs"), dir} {
		if info, err := os.Stat(d); err != nil || info.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700 (%v)", d, info.Mode().Perm(), err)
		}
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, _ := d.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", path, info.Mode().Perm())
		}
		if d.Name() == "stderr.log" {
			t.Errorf("%s exists: output is captured into run.log now", path)
		}
		b, _ := os.ReadFile(path)
		assertNoLeak(t, path, string(b))
		if d.Name() == "run.log" {
			runLog = string(b)
		}
		return nil
	})
	if runLog == "" {
		t.Fatalf("no run.log in %s", dir)
	}
	return runLog
}

// The leaky connector, run under --ci, --json and --record, leaves its token
// in no artifact: stdout, stderr, run.log, report.json, job.json, the
// cassette. What it printed to fd 1 and 2 is in the log, marked by stream
// and stage, and its not-secret credential is shown.
func TestLeakyConnectorLeaksNothing(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"echo":%q,"access_token":"at-%s"}`, r.Header.Get("X-Leak"), hex.EncodeToString([]byte(leakToken)))
	}))
	defer api.Close()
	cases := []struct {
		name, end string
		args      []string
		code      int
	}{
		{"ci panic", "panic", []string{"--ci"}, 2},
		{"json error", "error", []string{"--json"}, 1},
		{"record returned error", "", []string{"--ci", "--record"}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			leakyProject(t, c.end)
			if strings.Contains(strings.Join(c.args, " "), "--record") {
				t.Setenv("LEAKY_API", api.URL)
			}
			code, out, errOut := cli(t, append([]string{"run", "leaky"}, c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out, errOut)
			}
			assertNoLeak(t, "stdout", out)
			assertNoLeak(t, "stderr", errOut)
			runLog := runArtifacts(t)
			for _, want := range []string{
				"source      stdout: leak printf [REDACTED]",
				"source      stderr: leak stderr [REDACTED]",
				"stderr: leak println [REDACTED]",
				"stdout: leak partial line without newline [REDACTED]",
				"visible path " + leakPath,
			} {
				if !strings.Contains(runLog, want) {
					t.Errorf("run.log lacks %q:\n%s", want, runLog)
				}
			}
			if strings.Contains(strings.Join(c.args, " "), "--json") {
				sc := bufio.NewScanner(strings.NewReader(out))
				sc.Buffer(nil, 1<<20)
				n := 0
				for sc.Scan() {
					var ev harness.Event
					if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
						t.Errorf("stdout line is not JSON: %q", sc.Text())
					}
					if ev.Stream == "stdout" && strings.HasPrefix(ev.Message, "leak printf") {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%d JSON events of the printf line, want 1", n)
				}
			} else if !strings.Contains(out, "visible path "+leakPath) {
				t.Errorf("--ci output does not show the not-secret path:\n%s", out)
			}
			if c.end == "" {
				// A run that did not succeed keeps its recording beside
				// the cassette (job.cassette.new.yaml), not in its place.
				cas, err := os.ReadFile(filepath.Join("fixtures", "leaky", "job.cassette.yaml"))
				if err != nil {
					cas, err = os.ReadFile(filepath.Join("fixtures", "leaky", "job.cassette.new.yaml"))
				}
				if err != nil {
					t.Fatalf("no cassette: %v", err)
				}
				assertNoLeak(t, "cassette", string(cas))
				if !strings.Contains(string(cas), "/v1/things") {
					t.Errorf("cassette lacks the request:\n%s", cas)
				}
			}
		})
	}
}

// The dashboard run of the leaky connector: nothing it prints reaches the
// screen raw, and the screen shows no form of the token.
func TestLeakyConnectorDashboard(t *testing.T) {
	leakyProject(t, "error")
	r, err := harness.Plan(harness.Options{Connector: "leaky", Dir: ".", StateDir: ".connector-dev", Environ: os.Environ()})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var screen, out, errOut bytes.Buffer
	keys := &quitWhenReported{report: filepath.Join(r.RunDir(), "report.json")}
	code := execute(context.Background(), r, ".connector-dev", &out, &errOut, false, true, tui.Options{In: keys, Out: &screen, NoColor: true})
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstderr:\n%s", code, errOut.String())
	}
	assertNoLeak(t, "the dashboard's screen", screen.String())
	assertNoLeak(t, "stdout", out.String())
	assertNoLeak(t, "stderr", errOut.String())
	if !strings.Contains(screen.String(), "leak LogErr [REDACTED]") {
		t.Errorf("the screen does not show the scrubbed log:\n%q", screen.String())
	}
	runLog := runArtifacts(t)
	if !strings.Contains(runLog, "source      stdout: leak printf [REDACTED]") {
		t.Errorf("run.log lacks the captured printf:\n%s", runLog)
	}
	if !strings.Contains(out.String(), "error (exit 1)") {
		t.Errorf("no outcome line after the dashboard: %q", out.String())
	}
}

// quitWhenReported is the dashboard's keyboard: once the run's report is
// written it answers "n" (no, to a quit prompt shown before the run's end
// reached the screen) and "q" until the program has quit.
type quitWhenReported struct{ report string }

func (q *quitWhenReported) Read(p []byte) (int, error) {
	for {
		if _, err := os.Stat(q.report); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	return copy(p, "nq"), nil
}
