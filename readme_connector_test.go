package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readmeStep is one thing "Writing a connector" tells a user to do with a
// file: the code block and what to do with it.
type readmeStep struct {
	action string // "new", "imports", "append", "copy"
	path   string // the file acted on
	from   string // for "copy": the file copied first
	body   string
}

var stepRE = regexp.MustCompile("^(New file|Add to the imports of|Add to|Copy) `([^`]+)`(?: to `([^`]+)`)?")

// readmeSteps reads the blocks of the README's "Writing a connector"
// section and the sentence that introduces each.
func readmeSteps(t *testing.T) []readmeStep {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "\n## Writing a connector\n")
	if start < 0 {
		t.Fatal(`README.md has no "## Writing a connector" section`)
	}
	section := text[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	var steps []readmeStep
	var intro []string // the lines since the last block
	sc := bufio.NewScanner(strings.NewReader(section))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "```") {
			intro = append(intro, line)
			continue
		}
		var body strings.Builder
		for sc.Scan() && !strings.HasPrefix(sc.Text(), "```") {
			body.WriteString(sc.Text() + "\n")
		}
		// The paragraph right before the block says what it is for.
		paras := strings.Split(strings.Join(intro, "\n"), "\n\n")
		last := strings.Join(strings.Fields(paras[len(paras)-1]), " ")
		intro = nil
		m := stepRE.FindStringSubmatch(last)
		if m == nil {
			continue
		}
		st := readmeStep{path: m[2], body: body.String()}
		switch m[1] {
		case "New file":
			st.action = "new"
		case "Add to the imports of":
			st.action = "imports"
		case "Add to":
			st.action = "append"
		case "Copy":
			st.action, st.from, st.path = "copy", m[2], m[3]
		}
		steps = append(steps, st)
	}
	return steps
}

// copyRepo copies the repository's files (tracked, and new ones not
// ignored; never .env, .env.credentials or the state folder) to dir.
func copyRepo(t *testing.T, dir string) {
	t.Helper()
	out, err := exec.Command("git", "ls-files", "-co", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("git ls-files: %v (the copy needs the list of the repository's files)", err)
	}
	for _, name := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if name == "" || strings.HasPrefix(name, ".connector-dev/") || name == ".env" || name == ".env.credentials" {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			continue // deleted in the work tree
		}
		to := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(to), 0o755)
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// apply does one step in the copy at dir.
func (st readmeStep) apply(t *testing.T, dir string) {
	t.Helper()
	path := filepath.Join(dir, st.path)
	old, _ := os.ReadFile(path)
	var out string
	switch st.action {
	case "new":
		if old != nil {
			t.Fatalf("README: new file %s exists already", st.path)
		}
		os.MkdirAll(filepath.Dir(path), 0o755)
		out = st.body
	case "imports":
		i := strings.Index(string(old), "import (\n")
		if i < 0 {
			t.Fatalf("README: %s has no import block", st.path)
		}
		i += len("import (\n")
		out = string(old[:i]) + "\t" + st.body + string(old[i:])
	case "append":
		if old == nil {
			t.Fatalf("README: add to %s, which does not exist", st.path)
		}
		out = string(old) + "\n" + st.body
	case "copy":
		from, err := os.ReadFile(filepath.Join(dir, st.from))
		if err != nil {
			t.Fatalf("README: copy %s: %v", st.from, err)
		}
		// Set each NAME=value of the block: replace the line of that name.
		out = string(from)
		for _, kv := range strings.Split(strings.TrimSpace(st.body), "\n") {
			name, _, _ := strings.Cut(kv, "=")
			re := regexp.MustCompile("(?m)^" + regexp.QuoteMeta(name) + "=.*$")
			if !re.MatchString(out) {
				t.Fatalf("README: %s has no %s line to set", st.from, name)
			}
			out = re.ReplaceAllLiteralString(out, kv)
		}
	}
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Adding a connector as the README says, in a copy of the repository,
// keeps the suite green and gives a connector that lists, checks and runs.
func TestAddConnectorTheREADMEWay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a copy of the repository")
	}
	steps := readmeSteps(t)
	var paths []string
	for _, st := range steps {
		paths = append(paths, st.action+" "+st.path)
	}
	want := []string{"new connectors/hubspot/hubspot.go", "imports connectors/all/all.go", "append connectors.yaml",
		"append .env.credentials.example", "copy .env.credentials", "new fixtures/hubspot/job.json", "new connectors/hubspot/hubspot_test.go"}
	if strings.Join(paths, ", ") != strings.Join(want, ", ") {
		t.Fatalf("README steps:\n got %q\nwant %q", paths, want)
	}
	dir := t.TempDir()
	copyRepo(t, dir)
	for _, st := range steps {
		st.apply(t, dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	env := append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "CGO_ENABLED=0", "CI=true")
	sh := func(extra []string, name string, args ...string) (string, int) {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir, cmd.Env = dir, append(env, extra...)
		out, err := cmd.CombinedOutput()
		code := 0
		if err != nil {
			code = -1
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
		}
		return string(out), code
	}
	for _, args := range [][]string{
		{"vet", "./..."},
		{"test", "-short", "./connectors/...", "./harness/config/"},
		{"test", "-short", "-run", "TestListAndCheck|TestHelp|TestConnectorsFileMatchesRegistry|TestFixturesMeetExpectations", "."},
		{"build", "-o", "bin/connector-dev", "."},
	} {
		if out, code := sh(nil, "go", args...); code != 0 {
			t.Fatalf("go %s in the copy: exit %d\n%s", strings.Join(args, " "), code, out)
		}
	}
	bin := filepath.Join(dir, "bin", "connector-dev")
	out, code := sh(nil, bin, "list")
	if code != 0 || !regexp.MustCompile(`hubspot\s+source\s+token \(HUBSPOT_TOKEN\)\s+HUBSPOT_API_URL`).MatchString(out) || strings.Contains(out, "note:") {
		t.Errorf("list: exit %d\n%s", code, out)
	}
	if out, code := sh(nil, bin, "check", "hubspot"); code != 0 || !strings.Contains(out, "check: ok") {
		t.Errorf("check hubspot: exit %d\n%s", code, out)
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer pat-na1-your-token" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"results": [{"id": "d1", "properties": {"amount": "7"}, "updatedAt": "2026-01-31T08:00:00Z"},
			{"id": "d2", "properties": {}, "updatedAt": "2026-01-31T09:00:00Z"}, {"id": "d3", "properties": {"amount": "1.5"}, "updatedAt": "2026-02-01T00:00:00Z"}]}`)
	}))
	defer api.Close()
	out, code = sh([]string{"HUBSPOT_API_URL=" + api.URL}, bin, "run", "hubspot", "--ci")
	if code != 0 || !strings.Contains(out, "uploading 3 deals") {
		t.Fatalf("run hubspot: exit %d\n%s", code, out)
	}
	if n := countRows(t, filepath.Join(dir, ".connector-dev", "warehouse.db"), "deals"); n != 3 {
		t.Errorf("the warehouse's deals table has %d rows, want 3", n)
	}
}

// connectors.yaml and the registry agree: list notes no connector that is
// compiled in without an entry, nor an entry without a connector. It asks
// the real binary: this test binary also holds connectors that tests
// register (leaky, wide, ...), which connectors.yaml rightly lacks.
func TestConnectorsFileMatchesRegistry(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the binary")
	}
	bin := buildBinary(t)
	cmd := exec.Command(bin, "list")
	cmd.Env = append(os.Environ(), "CI=true")
	b, err := cmd.CombinedOutput()
	out := string(b)
	if err != nil {
		t.Fatalf("list: %v %s", err, out)
	}
	if !strings.Contains(out, "synthetic") {
		t.Fatalf("list shows no synthetic connector:\n%s", out)
	}
	if strings.Contains(out, "note:") {
		t.Errorf("connectors.yaml and the compiled-in connectors differ:\n%s", out)
	}
}
