package main

import (
	"fmt"

	"connector-dev/harness/faults"
)

// faultsUsage is --faults' help, the same on run and s3.
const faultsUsage = "inject failures: a comma list of TARGET[:KIND]=RATE and seed=N, e.g. s3=0.2,seed=7 or s3:503=0.1,http:429=0.2 (s3 kinds: 503, reset, slow, truncate; http kinds: 429, 503, reset, timeout)"

// parseFaults reads --faults; "" is no faults. The error names the flag,
// the value and the bad part, for one line on stderr.
func parseFaults(s string) (*faults.Spec, error) {
	if s == "" {
		return nil, nil
	}
	spec, err := faults.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("--faults %q: %v", s, err)
	}
	return spec, nil
}
