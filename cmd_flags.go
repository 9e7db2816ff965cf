package main

import (
	"fmt"
	"strings"

	flag "github.com/spf13/pflag"

	"connector-dev/harness/config"
)

// flagError is a flag parse error as one line; an unknown flag names the
// nearest flag the command has: "unknown flag --cii (did you mean --ci?)",
// and any other error points at --help.
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return msg + " (see --help)"
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	names = append(names, "help")
	if near := config.Nearest(name, names); near != "" {
		return fmt.Sprintf("unknown flag --%s (did you mean --%s?)", name, near)
	}
	return fmt.Sprintf("unknown flag --%s (see --help)", name)
}
