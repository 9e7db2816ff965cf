package main

import (
	"fmt"
	"strings"

	flag "github.com/spf13/pflag"

	"connector-dev/harness"
)

func listCommand() *command {
	return &command{
		Name:      "list",
		UsageLine: "list [flags]",
		Short:     "compiled-in connectors: kind, credentials, env",
		Long: `Lists the compiled-in connectors with the kind, credentials (and the
variable each comes from) and env settings connectors.yaml gives them.
`,
		Flags: func(*flag.FlagSet) func(*call) int { return runList },
	}
}

func runList(c *call) int {
	lines, err := harness.ListConnectors(c.dir, c.Environ())
	if err != nil {
		return c.fail("%v", err)
	}
	fmt.Fprint(c.Stdout, strings.Join(lines, "\n")+"\n")
	return 0
}
