package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	flag "github.com/spf13/pflag"

	"connector-dev/connectors"
)

// Outside a project folder run and check say so in one line, naming the
// folder and -C; list still lists what is compiled in, with no .env.
func TestOutsideProject(t *testing.T) {
	src, _ := os.Getwd()
	dir := t.TempDir()
	t.Chdir(dir)
	abs, _ := filepath.Abs(".")
	for _, args := range [][]string{{"run", "synthetic", "--ci"}, {"check", "synthetic"}, {"run", "salesforce", "--json"}} {
		code, _, errOut := cli(t, args...)
		if code != 3 {
			t.Errorf("%v: exit %d, want 3", args, code)
		}
		want := "connector-dev " + args[0] + ": no connectors.yaml in " + abs + ": "
		if !strings.HasPrefix(errOut, want) || !strings.Contains(errOut, "-C DIR") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: stderr %q, want one line starting %q and naming -C DIR", args, errOut, want)
		}
	}
	if _, err := os.Stat(".connector-dev"); err == nil {
		t.Error("a run outside a project folder left a state folder")
	}
	code, out, errOut := cli(t, "list")
	if code != 0 {
		t.Fatalf("list outside a project: exit %d: %s", code, errOut)
	}
	for _, reg := range connectors.Registered() {
		if !strings.Contains(out, reg.Name) || !strings.Contains(out, string(reg.Kind)) {
			t.Errorf("list lacks %s (%s):\n%s", reg.Name, reg.Kind, out)
		}
	}
	if !strings.Contains(out, "note: no connectors.yaml in "+abs) {
		t.Errorf("list does not say why credentials are missing:\n%s", out)
	}
	// -C names the project from anywhere.
	repo := filepath.Join(t.TempDir(), "p")
	os.MkdirAll(repo, 0o755)
	copyFile(t, filepath.Join(src, "connectors.yaml"), filepath.Join(repo, "connectors.yaml"))
	if code, out, _ := cli(t, "list", "-C", repo); code != 0 || !strings.Contains(out, "SALESFORCE_TOKEN") {
		t.Errorf("list -C with connectors.yaml and no .env: exit %d\n%s", code, out)
	}
}

// An unknown flag names the nearest one, for every command.
func TestUnknownFlagSuggests(t *testing.T) {
	project(t)
	for _, c := range []struct{ args, want string }{
		{"run synthetic --cii", "connector-dev run: unknown flag --cii (did you mean --ci?)\n"},
		{"check synthetic --jobb x", "connector-dev check: unknown flag --jobb (did you mean --job?)\n"},
		{"list --dri x", "connector-dev list: unknown flag --dri (did you mean --dir?)\n"},
		{"inspect --bacth 1", "connector-dev inspect: unknown flag --bacth (did you mean --batch?)\n"},
		{"s3 --adr x", "connector-dev s3: unknown flag --adr (did you mean --addr?)\n"},
		{"prune --kep 3", "connector-dev prune: unknown flag --kep (did you mean --keep?)\n"},
		{"run synthetic --zzzzzzzzzz", "connector-dev run: unknown flag --zzzzzzzzzz (see --help)\n"},
	} {
		code, _, errOut := cli(t, strings.Fields(c.args)...)
		if code != 3 || errOut != c.want {
			t.Errorf("%s: exit %d, stderr %q; want 3, %q", c.args, code, errOut, c.want)
		}
	}
}

// flagError turns any parse error into one line.
func FuzzFlagError(f *testing.F) {
	f.Add("--cii")
	f.Add("-x")
	f.Add("--job=")
	f.Fuzz(func(t *testing.T, arg string) {
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		fs.SetOutput(nopWriter{})
		fs.Bool("ci", false, "")
		fs.String("job", "", "")
		if err := fs.Parse([]string{arg}); err != nil && err != flag.ErrHelp {
			if msg := flagError(fs, err); msg == "" {
				t.Fatalf("%q: empty message", arg)
			}
		}
	})
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

// A connector without credentials needs no .env.credentials (nor its
// example): here a synthetic job without a destination, and one into
// SQLite with the destination's credential from the environment.
func TestNoCredentialsNeedNoCredentialsFile(t *testing.T) {
	project(t)
	os.Remove(".env.credentials.example")
	job, _ := os.ReadFile("fixtures/synthetic/job.json")
	var j map[string]any
	if err := json.Unmarshal(job, &j); err != nil {
		t.Fatal(err)
	}
	delete(j, "DestinationConnectorNM")
	delete(j, "DestinationObjectID")
	b, _ := json.Marshal(j)
	os.WriteFile("fixtures/synthetic/alone.json", b, 0o644)
	t.Setenv("SYNTHETIC_ROWS", "10")
	for _, args := range [][]string{
		{"check", "synthetic", "--job", "fixtures/synthetic/alone.json"},
		{"run", "synthetic", "--job", "fixtures/synthetic/alone.json", "--ci"},
	} {
		if code, out, errOut := cli(t, args...); code != 0 {
			t.Errorf("%v without .env.credentials: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	t.Setenv("SQLITE_DATABASE", "w.db")
	if code, out, errOut := cli(t, "run", "synthetic", "--ci"); code != 0 || countRows(t, "w.db", "accounts") != 10 {
		t.Errorf("run into SQLite without .env.credentials: exit %d\n%s%s", code, out, errOut)
	}
}
