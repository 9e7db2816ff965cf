package main

import (
	"errors"
	"go/build"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

const module = "connector-dev"

// mayImport is the README's table of packages ("Design notes"): for a
// package of ours, the packages of ours it may import. "x/..." stands for
// x's sub-packages. A package the table does not name fails the test, so a
// new one is placed in the table (and the README) when it is made.
func mayImport(pkg string) ([]string, bool) {
	switch pkg {
	case "", "fixtures/salesforce/generate":
		return []string{"*"}, true
	case "connectors", "fakes3", "harness/faults":
		return nil, true
	case "connectors/stage", "harness/config", "harness/codec", "harness/httprec":
		return []string{"connectors"}, true
	case "connectors/connectortest":
		return []string{"connectors", "connectors/stage"}, true
	case "connectors/all":
		return []string{"connectors/..."}, true
	case "harness":
		return []string{"connectors", "connectors/stage", "fakes3", "harness/..."}, true
	case "connectors/postgres/pgtest/pgserve":
		return []string{"connectors/postgres/pgtest"}, true
	}
	switch {
	case strings.HasPrefix(pkg, "connectors/"): // one connector, or its test double
		return []string{"connectors"}, true
	case strings.HasPrefix(pkg, "harness/"):
		return []string{"connectors", "connectors/stage", "fakes3", "harness/..."}, true
	case pkg == "tui" || strings.HasPrefix(pkg, "tui/"):
		return []string{"connectors", "harness", "tui/..."}, true
	}
	return nil, false
}

func allows(rules []string, imp string) bool {
	for _, r := range rules {
		if r == "*" || r == imp {
			return true
		}
		if base, ok := strings.CutSuffix(r, "/..."); ok && strings.HasPrefix(imp, base+"/") {
			return true
		}
	}
	return false
}

// Every import of ours (tests aside) points down the table: a connector
// never imports harness, harness never imports tui, fakes3 nothing.
func TestImportRules(t *testing.T) {
	checked := 0
	err := filepath.WalkDir(".", func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); dir != "." && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(dir, 0)
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return nil
		}
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(dir)
		if rel == "." {
			rel = ""
		}
		rules, known := mayImport(rel)
		if !known {
			t.Errorf("package %s is not in the table of packages: add it to mayImport and to README's Design notes", rel)
			return nil
		}
		checked++
		for _, imp := range p.Imports {
			ours, ok := strings.CutPrefix(imp, module+"/")
			if !ok {
				continue
			}
			if !allows(rules, ours) {
				t.Errorf("%s imports %s, but may import %s (README, Design notes)", filepath.ToSlash(dir), ours, describe(rules))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("checked %d packages: the walk missed the tree", checked)
	}
}

func describe(rules []string) string {
	if len(rules) == 0 {
		return "nothing of ours"
	}
	return strings.Join(rules, ", ")
}
