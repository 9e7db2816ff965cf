package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	flag "github.com/spf13/pflag"

	"connector-dev/connectors"
	"connector-dev/harness/config"
)

func newCommand() *command {
	return &command{
		Name:      "new",
		UsageLine: "new NAME [--source|--destination] [--http] [flags]",
		Short:     "scaffold a connector that builds and passes its tests at once",
		Long: `Writes a new connector in the connector-dev repository: connectors/NAME/NAME.go
(a commented skeleton on the runtime's resources), NAME_test.go on
connectortest, its blank import in connectors/all, its entry in
connectors.yaml, and fixtures/NAME/job.json with job.expect.yaml (a
destination's job runs the synthetic source into it). --http makes a source
that pages through an HTTP API with the runtime's client, a unit test on
httptest, a token credential (a placeholder in .env.credentials.example, and
in .env.credentials when there is one), and the job's cassette, recorded
from a built-in example API; it prints how to record the real API's. Right
after it, go build, go vet, go test ./... and "connector-dev test NAME"
pass. Refuses, touching nothing, an existing connector, a name that is
not a plain Go package name, or one the generated files import (context,
testing, time; httptest with --http). Exit 0, or 3 with one line saying why.
`,
		Flags: func(fs *flag.FlagSet) func(*call) int {
			var src, dst, web bool
			fs.BoolVar(&src, "source", false, "a source (the default)")
			fs.BoolVar(&dst, "destination", false, "a destination")
			fs.BoolVar(&web, "http", false, "a source that calls an HTTP API, with a recorded example cassette")
			return func(c *call) int { return runNew(c, src, dst, web) }
		},
	}
}

var newNameRE = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// checkNewName refuses a name that is not a plain Go package name or that
// names a package of the SDK.
func checkNewName(name string) error {
	if !newNameRE.MatchString(name) {
		return fmt.Errorf("%q is not a connector name: use lower-case letters and digits, starting with a letter (it is the Go package name)", name)
	}
	if token.IsKeyword(name) {
		return fmt.Errorf("%q is a Go keyword: pick another name", name)
	}
	switch name {
	case "all", "connectortest", "stage", "connectors", "main", "internal", "testdata":
		return fmt.Errorf("%q is reserved (a package of the SDK or of Go): pick another name", name)
	}
	return nil
}

// newFile is one file the scaffold writes, with its content.
type newFile struct {
	path string
	body []byte
	edit bool   // an existing file rewritten, not a new one
	old  []byte // an edited file's content before, to undo the edit
}

func runNew(c *call, src, dst, web bool) int {
	if c.fs.NArg() != 1 {
		return c.fail("name the new connector, e.g. `connector-dev new hubspot`")
	}
	name := c.fs.Arg(0)
	if src && dst {
		return c.fail("--source and --destination exclude each other: pick one")
	}
	if web && dst {
		return c.fail("--http makes a source that calls an HTTP API: drop --destination (or --http)")
	}
	files, err := planNew(name, dst, web)
	if err != nil {
		return c.fail("%v", err)
	}
	var done []newFile
	for _, f := range files {
		if f.edit {
			f.old, _ = os.ReadFile(f.path)
		}
		if err := writeNewFile(f); err != nil {
			undoNew(done)
			return c.fail("write %s: %v (nothing was kept)", f.path, err)
		}
		done = append(done, f)
	}
	for _, f := range files {
		verb := "wrote"
		if f.edit {
			verb = "edited"
		}
		fmt.Fprintf(c.Stdout, "%s %s\n", verb, f.path)
	}
	fmt.Fprintf(c.Stdout, "next: go test ./connectors/%s/ && go build -o connector-dev . && ./connector-dev test %s\n", name, name)
	if web {
		fmt.Fprint(c.Stdout, recordHint(name))
	}
	return 0
}

// planNew checks everything first and returns every file to write, so a
// refusal touches nothing.
func planNew(name string, dst, web bool) ([]newFile, error) {
	if err := checkNewName(name); err != nil {
		return nil, err
	}
	mod, err := os.ReadFile("go.mod")
	if err != nil || !bytes.HasPrefix(bytes.TrimSpace(mod), []byte("module connector-dev")) {
		return nil, errors.New("not the connector-dev repository (no go.mod of module connector-dev here): run it at the repository's root or give -C DIR")
	}
	allPath := filepath.Join("connectors", "all", "all.go")
	all, err := os.ReadFile(allPath)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", allPath, err)
	}
	if _, ok := connectors.Lookup(name); ok {
		return nil, fmt.Errorf("connector %q exists already (see `connector-dev list`)", name)
	}
	for _, p := range []string{filepath.Join("connectors", name), filepath.Join("fixtures", name)} {
		if _, err := os.Stat(p); err == nil {
			return nil, fmt.Errorf("%s exists already: pick another name or remove it", p)
		}
	}
	specs, err := config.LoadConnectors(".")
	if err != nil {
		return nil, err
	}
	if _, ok := specs[name]; ok {
		return nil, fmt.Errorf("connectors.yaml has an entry %q already: pick another name or remove it", name)
	}
	yaml, err := os.ReadFile("connectors.yaml")
	if err != nil {
		return nil, fmt.Errorf("read connectors.yaml: %w", err)
	}
	kind, code, test, job, expect := "source", newSourceGo, newSourceTest, newSourceJob, newSourceExpect
	if dst {
		kind, code, test, job, expect = "destination", newDestinationGo, newDestinationTest, newDestinationJob, newDestinationExpect
	}
	entry := newYAML
	if web {
		code, test, expect, entry = newHTTPSourceGo, newHTTPSourceTest, newHTTPSourceExpect, newHTTPYAML
	}
	// The import goes last in its group: the sources' group ends at the
	// blank line before "// Destinations.", the destinations' at ")".
	imp := "\t_ \"connector-dev/connectors/" + name + "\"\n"
	anchor, with := "\n\n\t// Destinations.", "\n"+imp+"\n\t// Destinations."
	if dst {
		anchor, with = "\n)", "\n"+imp+")"
	}
	if !strings.Contains(string(all), anchor) {
		return nil, fmt.Errorf("%s: cannot find where to add the import: add `_ \"connector-dev/connectors/%s\"` by hand", allPath, name)
	}
	edited, err := format.Source([]byte(strings.Replace(string(all), anchor, with, 1)))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", allPath, err)
	}
	fill := func(s string) []byte {
		return []byte(strings.NewReplacer("{{NAME}}", name, "{{KIND}}", kind, "{{UPPER}}", strings.ToUpper(name),
			"{{APIURL}}", newHTTPAPIURL, "{{TOKEN}}", exampleToken(name)).Replace(s))
	}
	yamlOut := append(bytes.TrimRight(yaml, "\n"), '\n')
	yamlOut = append(yamlOut, fill(entry)...)
	// gofmt sorts the imports, where the name falls among them.
	goCode, err1 := format.Source(fill(code))
	goTest, err2 := format.Source(fill(test))
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("the template for %q does not format: %v", name, err)
	}
	if err := checkNameCollides(name, goCode, goTest); err != nil {
		return nil, err
	}
	files := []newFile{
		{path: filepath.Join("connectors", name, name+".go"), body: goCode},
		{path: filepath.Join("connectors", name, name+"_test.go"), body: goTest},
		{path: filepath.Join("fixtures", name, "job.json"), body: fill(job)},
		{path: config.ExpectationsPath(filepath.Join("fixtures", name, "job.json")), body: fill(expect)},
		{path: allPath, body: edited, edit: true},
		{path: "connectors.yaml", body: yamlOut, edit: true},
	}
	if !web {
		return files, nil
	}
	cassette, err := exampleCassette(name)
	if err != nil {
		return nil, fmt.Errorf("record the example cassette: %v", err)
	}
	files = slices.Insert(files, 4, newFile{path: config.CassettePath(filepath.Join("fixtures", name, "job.json")), body: cassette})
	// The token's placeholder goes where the credentials are read from: the
	// example, and .env.credentials too when there is one (it replaces the
	// example whole, so without the line the run would miss the credential).
	for _, p := range []string{".env.credentials.example", ".env.credentials"} {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		if regexp.MustCompile(`(?m)^[ \t]*(export[ \t]+)?` + strings.ToUpper(name) + `_TOKEN[ \t]*=`).Match(b) {
			return nil, fmt.Errorf("%s sets %s_TOKEN already: pick another name or remove the line", p, strings.ToUpper(name))
		}
		files = append(files, newFile{path: p, body: append(append(bytes.TrimRight(b, "\n"), '\n'), fill(newHTTPCredentials)...), edit: true})
	}
	return files, nil
}

// writeNewFile writes a new file (refusing to replace one) or an edit.
func writeNewFile(f newFile) error {
	if f.edit {
		mode := os.FileMode(0o644)
		if fi, err := os.Stat(f.path); err == nil {
			mode = fi.Mode().Perm() // .env.credentials stays as private as it was
		}
		if err := os.WriteFile(f.path+".new-tmp", f.body, mode); err != nil {
			return err
		}
		if err := os.Chmod(f.path+".new-tmp", mode); err != nil {
			return err
		}
		if err := os.Rename(f.path+".new-tmp", f.path); err != nil {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := out.Write(f.body); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// undoNew removes the new files written so far and restores the edited.
func undoNew(done []newFile) {
	for _, f := range done {
		if f.edit {
			_ = os.WriteFile(f.path, f.old, 0o644)
		} else {
			os.Remove(f.path)
			os.Remove(filepath.Dir(f.path)) // only if empty
		}
	}
}
