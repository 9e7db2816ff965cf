package main

import (
	"fmt"

	"connector-dev/harness/faults"
)

// faultsUsage is --faults' help, the same on run and s3.
const faultsUsage = "inject failures: a comma list of TARGET[:KIND]=RATE and seed=N, e.g. s3=0.2,seed=7 or s3:503=0.1,http:429=0.2 (s3 kinds: 503, reset, slow, truncate; http kinds: 429, 503, reset, timeout)"

// s3FaultsUsage is --faults' help on `connector-dev s3`, which serves S3
// only: http faults would have no connector to apply to, and are refused.
const s3FaultsUsage = "inject S3 failures into every request served: a comma list of s3[:KIND]=RATE and seed=N, e.g. s3=0.2,seed=7 or s3:503=0.1,s3:truncate=0.05 (kinds: 503, reset, slow, truncate; http faults do not apply here)"

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
