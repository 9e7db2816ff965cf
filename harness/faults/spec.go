// Package faults injects failures into a run's S3 and HTTP traffic, so a
// connector developer can watch a connector survive a bad day
// (`connector-dev run NAME --faults s3=0.2,seed=7`).
//
// A Spec is parsed from the --faults flag. An Injector decides, per request,
// whether it fails and how: from a hash of the seed, the target, the method,
// the request's path or key and how many requests with that method and key
// came before. The decision never depends on a shared random sequence, so
// the same seed fails the same requests even when requests run concurrently,
// and a retry of a failed request gets a decision of its own.
//
// The embedded S3 injects server-side (fakes3.Options.Chaos, adapted by the
// harness); Transport injects client-side, for the connector's HTTP client
// and for an external S3.
package faults

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Targets: which traffic a rule fails.
const (
	S3   = "s3"   // every request to S3 (embedded or --s3-endpoint)
	HTTP = "http" // the connector's HTTP client (replay, record and live)
)

// Kinds of fault. S3 knows KindUnavailable, KindReset, KindSlow and
// KindTruncate; HTTP knows KindTooMany, KindUnavailable, KindReset and
// KindTimeout.
const (
	KindUnavailable = "503"      // an HTTP 503 answer (S3: SlowDown)
	KindTooMany     = "429"      // an HTTP 429 answer
	KindReset       = "reset"    // the connection closed without a response
	KindSlow        = "slow"     // a delay of a few hundred ms, then served normally
	KindTruncate    = "truncate" // GET: a body cut short; PUT: nothing stored, an error answer
	KindTimeout     = "timeout"  // the request times out without a response
)

// kindsOf lists a target's kinds in the order they are documented and
// mixed; nil for an unknown target.
func kindsOf(target string) []string {
	switch target {
	case S3:
		return []string{KindUnavailable, KindReset, KindSlow, KindTruncate}
	case HTTP:
		return []string{KindTooMany, KindUnavailable, KindReset, KindTimeout}
	}
	return nil
}

// Rule fails Rate of a target's requests with Kind ("" mixes the target's
// kinds evenly).
type Rule struct {
	Target string
	Kind   string
	Rate   float64
}

// Name is the rule's TARGET[:KIND].
func (r Rule) Name() string {
	if r.Kind == "" {
		return r.Target
	}
	return r.Target + ":" + r.Kind
}

// Spec is a parsed --faults value.
type Spec struct {
	Rules []Rule
	// Seed picks which requests fail; SeedSet says seed= was given (else
	// the harness chooses one and prints it, so the run can be repeated).
	Seed    uint64
	SeedSet bool
}

// Parse reads a comma list of TARGET[:KIND]=RATE and seed=N, e.g.
// "s3=0.2,seed=7" or "s3:503=0.1,s3:truncate=0.05,http:429=0.2". A RATE is
// a fraction from 0 to 1; the rates of one target add up to at most 1. Each
// error names the bad part and what would be accepted.
func Parse(s string) (*Spec, error) {
	spec := &Spec{}
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("empty: give e.g. s3=0.2,seed=7 (targets: s3, http)")
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("empty entry: separate TARGET[:KIND]=RATE entries with single commas")
		}
		name, value, ok := strings.Cut(part, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok {
			return nil, fmt.Errorf("%q is not TARGET[:KIND]=RATE or seed=N (e.g. s3=0.2)", part)
		}
		if name == "seed" {
			if spec.SeedSet {
				return nil, fmt.Errorf("seed given twice")
			}
			n, err := strconv.ParseUint(value, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("seed %q is not a whole number from 0 to %d", value, uint64(math.MaxUint64))
			}
			spec.Seed, spec.SeedSet = n, true
			continue
		}
		target, kind, hasKind := strings.Cut(name, ":")
		kinds := kindsOf(target)
		if kinds == nil {
			return nil, fmt.Errorf("unknown target %q in %q (targets: s3, http; or seed=N)", target, part)
		}
		if hasKind && !slices.Contains(kinds, kind) {
			return nil, fmt.Errorf("unknown kind %q for %s (kinds: %s)", kind, target, strings.Join(kinds, ", "))
		}
		rate, err := strconv.ParseFloat(value, 64)
		if err != nil || math.IsNaN(rate) || rate < 0 || rate > 1 {
			return nil, fmt.Errorf("rate %q of %s is not a fraction from 0 to 1 (e.g. %s=0.2)", value, name, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("%s given twice", name)
		}
		seen[name] = true
		spec.Rules = append(spec.Rules, Rule{Target: target, Kind: kind, Rate: rate})
	}
	for _, target := range []string{S3, HTTP} {
		if sum := spec.rate(target); sum > 1+1e-9 {
			return nil, fmt.Errorf("the rates of %s add up to %s, more than 1: lower them", target, strconv.FormatFloat(sum, 'f', -1, 64))
		}
	}
	return spec, nil
}

// rate is the share of a target's requests that fail.
func (s *Spec) rate(target string) float64 {
	var sum float64
	for _, r := range s.Rules {
		if r.Target == target {
			sum += r.Rate
		}
	}
	return sum
}

// Has reports whether any rule can fail the target's requests.
func (s *Spec) Has(target string) bool { return s != nil && s.rate(target) > 0 }

// String is the spec as --faults takes it, seed last when set: what a user
// passes to repeat a run.
func (s *Spec) String() string {
	var parts []string
	for _, r := range s.Rules {
		parts = append(parts, r.Name()+"="+strconv.FormatFloat(r.Rate, 'f', -1, 64))
	}
	if s.SeedSet {
		parts = append(parts, "seed="+strconv.FormatUint(s.Seed, 10))
	}
	return strings.Join(parts, ",")
}
