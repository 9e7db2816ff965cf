package harness

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"connector-dev/connectors"
	"connector-dev/harness/config"
)

// NeedProject is the first check of `run` and `check`: dir must be a
// project folder, one with a connectors.yaml. Without it, every later
// error (a missing .env setting, an unknown connector) would mislead.
func NeedProject(dir string) error {
	if dir == "" {
		dir = "."
	}
	if _, err := os.Stat(filepath.Join(dir, config.ConnectorsFile)); err == nil {
		return nil
	}
	return setupf("no %s in %s: start connector-dev in a project folder (one with %s, fixtures/), or name one with -C DIR",
		config.ConnectorsFile, absDir(dir), config.ConnectorsFile)
}

func absDir(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// ListConnectors renders `connector-dev list`: every connector compiled in,
// by kind. In a project folder it adds the credentials (and the variable
// each comes from) and env names connectors.yaml gives each; it reads no
// .env, so it works anywhere. environ is unused and kept for callers.
func ListConnectors(dir string, environ []string) ([]string, error) {
	_ = environ
	specs, err := config.LoadConnectors(dir)
	project := err == nil
	if err != nil && !errors.Is(err, config.ErrNoConnectorsFile) {
		return nil, err
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	if project {
		fmt.Fprintln(tw, "NAME\tKIND\tCREDENTIALS\tENV")
	} else {
		fmt.Fprintln(tw, "NAME\tKIND")
	}
	dash := func(s []string) string {
		if len(s) == 0 {
			return "-"
		}
		return strings.Join(s, ",")
	}
	var problems []string
	for _, reg := range connectors.Registered() {
		if !project {
			fmt.Fprintf(tw, "%s\t%s\n", reg.Name, reg.Kind)
			continue
		}
		spec, ok := specs[reg.Name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s is compiled in but connectors.yaml has no entry for it", reg.Name))
			fmt.Fprintf(tw, "%s\t%s\t?\t?\n", reg.Name, reg.Kind)
			continue
		}
		creds := make([]string, len(spec.Credentials))
		for i, c := range spec.Credentials {
			creds[i] = fmt.Sprintf("%s (%s)", c, spec.CredentialVar(c))
			if !spec.Secret(c) {
				creds[i] = fmt.Sprintf("%s (%s, not secret)", c, spec.CredentialVar(c))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", reg.Name, reg.Kind, dash(creds), dash(spec.Env))
	}
	tw.Flush()
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	for _, name := range sortedKeys(specs) {
		if _, ok := connectors.Lookup(name); !ok {
			problems = append(problems, fmt.Sprintf("connectors.yaml lists %s but it is not compiled in", name))
		}
	}
	if !project {
		problems = append(problems, fmt.Sprintf("no %s in %s: the credentials and env each connector needs are listed in a project folder (or with -C DIR)", config.ConnectorsFile, absDir(dir)))
	}
	for _, p := range problems {
		lines = append(lines, "note: "+p)
	}
	return lines, nil
}

func sortedKeys(m map[string]config.ConnectorSpec) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
