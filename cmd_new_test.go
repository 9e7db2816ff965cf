package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repoCopy copies the repository's files (committed and new, not ignored)
// into a temp folder: a clone where `new` may write.
func repoCopy(t *testing.T) string {
	t.Helper()
	repo, _ := os.Getwd()
	ls := exec.Command("git", "ls-files", "-co", "--exclude-standard")
	ls.Dir = repo
	out, err := ls.Output()
	if err != nil {
		t.Skipf("git ls-files: %v", err)
	}
	dir := t.TempDir()
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		b, err := os.ReadFile(filepath.Join(repo, f))
		if err != nil {
			continue // deleted in the work tree
		}
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func goIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// `new` in a copy of the repository: a source and a destination that build,
// vet, pass their unit tests and `connector-dev test NAME` right away, and
// that gofmt leaves as they are.
func TestNewScaffoldPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := repoCopy(t)
	bin := buildBinary(t)
	for _, args := range [][]string{{"new", "acme"}, {"new", "acmedb", "--destination"}} {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "wrote connectors/"+args[1]+"/"+args[1]+".go\n") {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	fmtOut, err := exec.Command("gofmt", "-l", filepath.Join(dir, "connectors")).Output()
	if err != nil || len(fmtOut) != 0 {
		t.Errorf("gofmt -l: %v %s", err, fmtOut)
	}
	goIn(t, dir, "vet", "./...")
	goIn(t, dir, "test", "./connectors/acme/", "./connectors/acmedb/", "./connectors/all/")
	goIn(t, dir, "build", "-o", "cd-new", ".")
	code, out, errOut := suiteRun(t, filepath.Join(dir, "cd-new"), dir, nil, "acme", "acmedb")
	if code != 0 || !strings.Contains(out, "PASS  fixtures/acme/job.json  success  3 rows") ||
		!strings.Contains(out, "PASS  fixtures/acmedb/job.json  success  100 rows") {
		t.Fatalf("test acme acmedb: exit %d\n%s%s", code, out, errOut)
	}
}

// `new` refuses, in one line, exit 3 and touching nothing: an existing
// connector, a bad or reserved name, a folder in the way, outside the repo.
func TestNewRefuses(t *testing.T) {
	dir := repoCopy(t)
	t.Chdir(dir)
	os.MkdirAll(filepath.Join("fixtures", "zz"), 0o755)
	ex, _ := os.ReadFile(".env.credentials.example")
	os.WriteFile(".env.credentials.example", append(ex, "ACMEQ_TOKEN=mine\n"...), 0o644)
	before := snapshot(t, dir)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"synthetic"}, `connector "synthetic" exists already`},
		{[]string{"func"}, `"func" is a Go keyword`},
		{[]string{"Bad-Name"}, `"Bad-Name" is not a connector name: use lower-case letters and digits`},
		{[]string{"all"}, `"all" is reserved`},
		{[]string{"connectortest"}, `"connectortest" is reserved`},
		{[]string{"zz"}, "fixtures/zz exists already"},
		{[]string{"x1", "--source", "--destination"}, "--source and --destination exclude each other"},
		{[]string{}, "name the new connector"},
		{[]string{"synthetic", "--http"}, `connector "synthetic" exists already`},
		{[]string{"func", "--http"}, `"func" is a Go keyword`},
		{[]string{"Bad-Name", "--http"}, `"Bad-Name" is not a connector name`},
		{[]string{"stage", "--http"}, `"stage" is reserved`},
		{[]string{"zz", "--http"}, "fixtures/zz exists already"},
		{[]string{"x1", "--http", "--destination"}, "--http makes a source that calls an HTTP API: drop --destination"},
		{[]string{"acmeq", "--http"}, ".env.credentials.example sets ACMEQ_TOKEN already"},
		{[]string{"context"}, `"context" is the name of package context, which the generated context.go imports: pick another name`},
		{[]string{"testing"}, `"testing" is the name of package testing, which the generated testing_test.go imports`},
		{[]string{"time"}, `"time" is the name of package time, which the generated time.go imports`},
		{[]string{"context", "--destination"}, `"context" is the name of package context, which the generated context.go imports`},
		{[]string{"httptest", "--http"}, `"httptest" is the name of package net/http/httptest, which the generated httptest_test.go imports`},
		{[]string{"strings", "--http"}, `"strings" is the name of package strings`},
		{[]string{"rt"}, `"rt" is a name the generated rt_test.go declares, which would hide the package`},
	} {
		code, out, errOut := cli(t, append([]string{"new"}, tt.args...)...)
		if code != 3 || !strings.HasPrefix(errOut, "connector-dev new: "+tt.want) || strings.Count(errOut, "\n") != 1 || out != "" {
			t.Errorf("new %v: exit %d, stderr %q; want 3 and %q", tt.args, code, errOut, tt.want)
		}
	}
	// SALESFORCE_TOKEN in the credentials is not FORCE_TOKEN: planning
	// "force" (which writes nothing) is not refused for it.
	if _, err := planNew("force", false, true); err != nil {
		t.Errorf("plan new force --http: %v", err)
	}
	// httptest is imported only by the --http templates.
	if _, err := planNew("httptest", false, false); err != nil {
		t.Errorf("plan new httptest: %v", err)
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("a refusal changed files")
	}
	t.Chdir(t.TempDir())
	for _, args := range [][]string{{"new", "acme"}, {"new", "acme", "--http"}} {
		if code, _, errOut := cli(t, args...); code != 3 || !strings.Contains(errOut, "not the connector-dev repository") {
			t.Errorf("%v outside the repo: exit %d, %q", args, code, errOut)
		}
	}

}

// snapshot is every file's path and size under dir, as one string.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil {
			b.WriteString(p + " " + fi.Mode().String() + " " + itoa(int(fi.Size())) + "\n")
		}
		return nil
	})
	return b.String()
}

// FuzzNewName: a name checkNewName accepts is a valid, non-keyword Go identifier.
func FuzzNewName(f *testing.F) {
	for _, s := range []string{"acme", "all", "func", "Bad", "a1", "1a", "a_b", "", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkNewName(s) != nil {
			return
		}
		for i, r := range s {
			if !(r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
				t.Errorf("%q accepted", s)
			}
		}
		if s == "" || s == "func" || s == "all" {
			t.Errorf("%q accepted", s)
		}
	})
}
