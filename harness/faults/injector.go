package faults

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"maps"
	"sort"
	"strings"
	"sync"
)

// Injector decides which requests fail. It is safe for concurrent use and
// holds no shared random sequence: see the package doc.
type Injector struct {
	spec Spec // Seed always set

	mu     sync.Mutex
	armed  bool
	log    func(msg string)
	canon  func(key string) string // nil: keys decide as they are
	seen   map[string]uint64       // target, method, key -> requests decided so far
	counts map[string]int64        // "s3:503" -> faults injected
}

// NewSeed picks a seed for a spec without one: small enough to read and
// type back (seed=N), random enough that runs differ.
func NewSeed() uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])%999_999 + 1
}

// New returns a disarmed injector for spec; a spec without seed= gets
// NewSeed's (Seed says which).
func New(spec *Spec) *Injector {
	s := *spec
	s.Rules = append([]Rule(nil), spec.Rules...)
	if !s.SeedSet {
		s.Seed, s.SeedSet = NewSeed(), true
	}
	return &Injector{spec: s, seen: map[string]uint64{}, counts: map[string]int64{}}
}

// Seed is the seed decisions are made from.
func (in *Injector) Seed() uint64 { return in.spec.Seed }

// Has reports whether the injector can fail target's requests.
func (in *Injector) Has(target string) bool { return in != nil && in.spec.Has(target) }

// Announce is the line a run prints before its first request: the spec
// with the seed that repeats it.
func (in *Injector) Announce() string {
	rules := Spec{Rules: in.spec.Rules}
	return fmt.Sprintf("faults: %s, seed=%d (pass seed=%d to repeat)", rules.String(), in.spec.Seed, in.spec.Seed)
}

// Canonical makes decisions on canon(key) instead of key, so that keys
// which differ only by what differs between runs (the run id in every batch
// key) fail alike under the same seed. Log lines keep the real key. Call it
// before Arm.
func (in *Injector) Canonical(canon func(key string) string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.canon = canon
}

// Arm starts injecting; log (may be nil) gets one line per fault injected.
// Requests decided before Arm are not counted, so what a run does before its
// stages start (creating the bucket) neither fails nor shifts the decisions.
func (in *Injector) Arm(log func(msg string)) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.armed, in.log = true, log
}

// Disarm stops injecting. Once it returns no fault is decided or logged, so
// the counts are final.
func (in *Injector) Disarm() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.armed, in.log = false, nil
}

// Decide is the fault for one request, "" for none. target is S3 or HTTP,
// key the S3 "bucket/key" or the HTTP URL path; body says the request moves
// an object's bytes (a GET or PUT of an object), the only ones KindTruncate
// applies to. Each call counts: a retry of the same request gets a fresh
// decision. A fault is counted and logged here, and only here.
func (in *Injector) Decide(target, method, key string, body bool) string {
	if in == nil {
		return ""
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.armed || !in.spec.Has(target) {
		return ""
	}
	id := key
	if in.canon != nil {
		id = in.canon(key)
	}
	id = target + "\x00" + method + "\x00" + id
	n := in.seen[id]
	in.seen[id] = n + 1
	u := unit(hash(in.spec.Seed, id, n))
	kind := pick(in.spec.Rules, target, u, body)
	if kind == "" {
		return ""
	}
	name := target + ":" + kind
	in.counts[name]++
	if in.log != nil {
		in.log(fmt.Sprintf("faults: injected %s into %s %s (request %d of it)", name, method, key, n+1))
	}
	return kind
}

// pick walks the target's rules as consecutive slices of [0,1): u falls in
// one of them (a fault of that rule) or past them all (none). A rule
// without a kind divides its slice evenly among the kinds that fail and
// apply to the request.
func pick(rules []Rule, target string, u float64, body bool) string {
	lo := 0.0
	for _, r := range rules {
		if r.Target != target || r.Rate == 0 {
			continue
		}
		if u >= lo+r.Rate {
			lo += r.Rate
			continue
		}
		if r.Kind != "" {
			if r.Kind == KindTruncate && !body {
				return "" // nothing to cut short
			}
			return r.Kind
		}
		var kinds []string
		for _, k := range kindsOf(target) {
			// slow succeeds in the end: a mixed rule fails requests, so it
			// is only injected when named.
			if k == KindSlow || (k == KindTruncate && !body) {
				continue
			}
			kinds = append(kinds, k)
		}
		i := int((u - lo) / r.Rate * float64(len(kinds)))
		return kinds[min(max(i, 0), len(kinds)-1)]
	}
	return ""
}

// hash mixes the seed, the request's identity and its ordinal. FNV-1a, then
// splitmix64's finalizer so neighbouring ordinals land far apart.
func hash(seed uint64, id string, n uint64) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(id))
	binary.LittleEndian.PutUint64(b[:], n)
	h.Write(b[:])
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// unit maps a hash to [0,1) with 53 bits, all a float64 holds.
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// Counts are the faults injected so far, per TARGET:KIND, for report.json.
// nil when there were none.
func (in *Injector) Counts() map[string]int64 {
	if in == nil {
		return nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.counts) == 0 {
		return nil
	}
	return maps.Clone(in.counts)
}

// Summary is one line of the counts ("faults: 14 injected (s3:503 9,
// s3:reset 5)"), for the end of a run's log.
func Summary(counts map[string]int64) string {
	var total int64
	names := make([]string, 0, len(counts))
	for k, v := range counts {
		total += v
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %d", k, counts[k])
	}
	if total == 0 {
		return "faults: none injected"
	}
	return fmt.Sprintf("faults: %d injected (%s)", total, strings.Join(parts, ", "))
}
