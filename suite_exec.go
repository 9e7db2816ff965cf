package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"connector-dev/connectors"
	"connector-dev/harness"
	"connector-dev/harness/config"
)

// suite runs fixtures, each as its own connector-dev process.
type suite struct {
	self    string // connector-dev's own binary, re-executed per fixture
	project string // the project folder, absolute
	env     Env
	opts    *suiteOptions
	mu      sync.Mutex // one fixture's line at a time on stdout
}

// result is how one fixture went.
type result struct {
	fixture
	Status  string // "pass", "fail" or "skip"
	Reason  string // the run's exit reason ("" when skipped)
	Code    int    // the run's exit code
	Rows    int64
	Seconds float64
	Misses  []string // why it failed, a line each; why it was skipped
	RunID   string
	Expect  string // the expectation file, when the job has one
	// RowsChecksum is the loaded rows' checksum (harness.RowsChecksum),
	// measured under --repeat and --update: every repetition of a replayed
	// fixture must load the same rows. "" when nothing was measured.
	RowsChecksum string
	report       *harness.Report // the run's report.json, when it wrote one
}

// runAll runs fx with at most -j at a time and returns their results in
// fx's order, printing each as it finishes.
func (s *suite) runAll(fx []fixture) []result {
	specs, _ := config.LoadConnectors(".") // a bad connectors.yaml is each run's setup error
	secrets := suiteSecrets(s.env.Environ())
	out := make([]result, len(fx))
	sem := make(chan struct{}, s.opts.parallel)
	var wg sync.WaitGroup
	for i, f := range fx {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = s.runRepeated(f, specs, secrets)
			s.mu.Lock()
			s.printResult(out[i])
			s.mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// suiteSecrets is every secret value the settings hold: what no artifact
// of a run may contain in any form.
func suiteSecrets(environ []string) []string {
	cfg, err := config.Load(".", environ)
	if err != nil {
		return nil // each run reports the bad settings as its setup error
	}
	return cfg.Secrets()
}

// warehouse says where a fixture's destination keeps its data: "" and
// ok for a file (the *_DATABASE credential, pointed at a temporary file)
// or none; external names the server's credential when it is one.
func warehouse(spec config.ConnectorSpec) (fileVar, external string) {
	for _, f := range spec.Credentials {
		if f == "database" {
			return spec.CredentialVar(f), ""
		}
	}
	if len(spec.Credentials) > 0 {
		return "", spec.CredentialVar(spec.Credentials[0])
	}
	return "", ""
}

// runRepeated runs f --repeat times (once by default), stopping at the
// first failure; a repetition that loads other rows than the first (its
// rows checksum differs) fails, naming both checksums.
func (s *suite) runRepeated(f fixture, specs map[string]config.ConnectorSpec, secrets []string) result {
	first := s.runOne(f, specs, secrets)
	last := first
	for i := 2; i <= s.opts.repeat && last.Status == "pass"; i++ {
		r := s.runOne(f, specs, secrets)
		r.Seconds += last.Seconds
		if miss := repeatMiss(i, s.opts.repeat, first.RowsChecksum, r.RowsChecksum); r.Status == "pass" && miss != "" {
			r.Status = "fail"
			r.Misses = append(r.Misses, miss)
		}
		last = r
	}
	return last
}

// repeatMiss is the miss line of repetition i (of n) whose rows checksum
// got differs from the first repetition's, or "" when they agree.
func repeatMiss(i, n int, first, got string) string {
	if got == first {
		return ""
	}
	none := func(s string) string {
		if s == "" {
			return "none: no rows could be read back"
		}
		return s
	}
	return fmt.Sprintf("free check: repetition %d of %d loaded other rows than repetition 1 (rows_checksum %s, then %s): the fixture does not replay the same rows", i, n, none(first), none(got))
}

// runOne runs fixture f in a temporary folder of its own.
func (s *suite) runOne(f fixture, specs map[string]config.ConnectorSpec, secrets []string) result {
	res := result{fixture: f}
	expect := config.ExpectationsPath(f.Path)
	if _, err := os.Stat(expect); err == nil {
		res.Expect = expect
	}
	env := append(s.env.Environ(), "CI=true",
		// Replayed, never live: an HTTP request that is not in a cassette
		// meets a proxy that is not there and fails at once (loopback, the
		// embedded S3, is never proxied).
		"HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9")
	tmp, err := os.MkdirTemp("", "connector-dev-test-")
	if err != nil {
		return s.broken(res, fmt.Sprintf("temporary folder: %v", err))
	}
	defer os.RemoveAll(tmp)
	if spec, ok := specs[f.Dest]; ok {
		fileVar, external := warehouse(spec)
		switch {
		case external != "" && !s.opts.external:
			res.Status = "skip"
			res.Misses = []string{fmt.Sprintf("destination %s is an external server: run with --external and %s set", f.Dest, external)}
			return res
		case fileVar != "":
			env = append(env, fileVar+"="+filepath.Join(tmp, "warehouse.db"))
		}
	}
	abs, err := filepath.Abs(f.Path)
	if err != nil {
		return s.broken(res, err.Error())
	}
	state := filepath.Join(tmp, "state")
	args := []string{"run", f.Source, "--job", abs, "--ci", "--json", "--s3-memory", "--state-dir", state}
	if _, err := os.Stat(config.CassettePath(abs)); err == nil {
		args = append(args, "--replay")
	}
	if s.opts.update || s.opts.repeat > 1 {
		args = append(args, "--measure")
	}
	cmd := exec.CommandContext(context.Background(), s.self, args...)
	cmd.Dir, cmd.Env = s.project, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	res.Seconds = time.Since(start).Seconds()
	res.Code = cmd.ProcessState.ExitCode()
	if err != nil && res.Code < 0 {
		return s.broken(res, fmt.Sprintf("start %s: %v", s.self, err))
	}
	fin := suiteFinished(stdout.Bytes())
	if fin == nil || fin.Exit == nil {
		return s.broken(res, "the run ended without its finished event: "+lastLine(stderr.String()))
	}
	res.Reason, res.RunID = string(fin.Exit.Reason), fin.RunID
	for _, st := range fin.Summary {
		res.Rows = st.Rows
	}
	rep, _ := harness.LoadReport(state, fin.RunID)
	res.report = rep
	if rep != nil && rep.Expectations != nil {
		res.Misses = append(res.Misses, rep.Expectations.Misses...)
	}
	if res.Code != 0 && len(res.Misses) == 0 {
		msg := fin.Exit.Message
		if msg == "" {
			msg = lastLine(stderr.String())
		}
		res.Misses = append(res.Misses, fmt.Sprintf("exit %s (%d): %s", fin.Exit.Reason, res.Code, msg))
		if strings.Contains(msg, "proxyconnect") {
			res.Misses = append(res.Misses, fmt.Sprintf("the job has no cassette and test never goes live: record one with `connector-dev run %s --job %s --record`", f.Source, f.Path))
		}
	}
	// The free checks: what every fixture must also keep, expectations or not.
	free := leakedSecrets(secrets, tmp, map[string][]byte{"stdout": stdout.Bytes(), "stderr": stderr.Bytes()})
	if rep != nil {
		free = append(free, artifactsAgree(state, rep)...)
		if m := measured(rep); m != nil {
			res.RowsChecksum = m.RowsChecksum
		}
	}
	res.Misses = append(res.Misses, free...)
	res.Status = "pass"
	if res.Code != 0 || len(free) > 0 {
		res.Status = "fail"
	}
	return res
}

// broken is a fixture that could not be run at all: a failure, with why.
func (s *suite) broken(res result, why string) result {
	res.Status, res.Reason = "fail", string(connectors.Setup)
	res.Misses = append(res.Misses, harness.SafeText(why))
	return res
}

// suiteFinished is the last "finished" event of a --json run's output.
func suiteFinished(out []byte) *harness.Event {
	var fin *harness.Event
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var ev harness.Event
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Kind == harness.EventFinished {
			fin = &ev
		}
	}
	return fin
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
