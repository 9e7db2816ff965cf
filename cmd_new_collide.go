package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"strconv"
	"strings"
)

// checkNameCollides refuses a name the generated Go files cannot carry: the
// test imports the new package under its name, so a name that is also one
// of the files' imports (context, testing, time, httptest with --http ...)
// or a name the test declares itself would not compile. The list comes
// from the filled templates, so a template that gains an import is covered.
func checkNameCollides(name string, code, test []byte) error {
	own := "connector-dev/connectors/" + name
	for _, g := range []struct {
		file string
		src  []byte
	}{{name + ".go", code}, {name + "_test.go", test}} {
		file, src := g.file, g.src
		f, err := parser.ParseFile(token.NewFileSet(), file, src, 0)
		if err != nil {
			return fmt.Errorf("the template for %q does not parse: %v", name, err)
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil || p == own {
				continue
			}
			local := path.Base(p)
			if imp.Name != nil {
				local = imp.Name.Name
			}
			if local == name {
				return fmt.Errorf("%q is the name of package %s, which the generated %s imports: pick another name", name, p, file)
			}
		}
		if !strings.HasSuffix(file, "_test.go") {
			continue // in its own package the name is no identifier
		}
		var declared bool
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == name && id.Obj != nil {
				declared = true
			}
			return !declared
		})
		if declared {
			return fmt.Errorf("%q is a name the generated %s declares, which would hide the package: pick another name", name, file)
		}
	}
	return nil
}
