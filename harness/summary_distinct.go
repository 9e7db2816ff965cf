package harness

import (
	"math"
	"math/bits"
	"slices"
)

// DefaultExactDistinct is how many distinct values of a column the
// summary counts exactly; past it the count is a HyperLogLog estimate.
const DefaultExactDistinct = 1_000_000

// distinctSet counts a column's distinct values by their 64-bit hashes:
// exactly (the hashes kept in a slice, sorted and deduplicated whenever it
// fills, which costs 8 bytes a value where a map of strings would cost the
// strings) up to limit, then as a HyperLogLog estimate in 64 KiB. Integers
// are hashed by a bijection, so their exact count is exact; strings and
// timestamps may collide, about once in 2^64/n² summaries of n values.
type distinctSet struct {
	limit   int
	hashes  []uint64
	hll     *hll      // non-nil once the count is estimated
	scratch *[]uint64 // the radix sort's buffer, shared by a summary's columns
}

func newDistinctSet(limit int, scratch *[]uint64) *distinctSet {
	return &distinctSet{limit: limit, hashes: make([]uint64, 0, min(8192, limit+1)), scratch: scratch}
}

func (d *distinctSet) add(h uint64) {
	if d.hll != nil {
		d.hll.add(h)
		return
	}
	if len(d.hashes) == cap(d.hashes) {
		d.compact()
		if d.hll != nil {
			d.hll.add(h)
			return
		}
	}
	d.hashes = append(d.hashes, h)
}

// compact deduplicates the hashes; past the limit it moves them into a
// HyperLogLog and frees them. The slice grows when less than half of it
// came free, up to twice the limit, so compacting stays rare.
func (d *distinctSet) compact() {
	radixSort(d.hashes, d.scratch)
	d.hashes = slices.Compact(d.hashes)
	n := len(d.hashes)
	if n > d.limit {
		d.hll = newHLL()
		for _, h := range d.hashes {
			d.hll.add(h)
		}
		d.hashes = nil
		return
	}
	if c := cap(d.hashes); n > c/2 && c < 2*d.limit+2 {
		grown := make([]uint64, n, min(2*c, 2*d.limit+2))
		copy(grown, d.hashes)
		d.hashes = grown
	}
}

// count is the number of distinct values and whether it is an estimate.
func (d *distinctSet) count() (int64, bool) {
	if d.hll != nil {
		return d.hll.estimate(), true
	}
	d.compact()
	if d.hll != nil {
		return d.hll.estimate(), true
	}
	return int64(len(d.hashes)), false
}

// radixSort sorts hashes in six passes of 11 bits (least significant
// first) through the shared scratch buffer: hashes are spread evenly, and
// this is several times faster than a comparison sort, from a few
// thousand values (a column of few values compacts every few thousand
// rows) to millions.
func radixSort(a []uint64, scratch *[]uint64) {
	if len(a) < 256 || scratch == nil {
		slices.Sort(a)
		return
	}
	if cap(*scratch) < len(a) {
		*scratch = make([]uint64, len(a))
	}
	src, dst := a, (*scratch)[:len(a)]
	const digit = 11
	var counts [1 << digit]int
	for shift := uint(0); shift < 64; shift += digit {
		clear(counts[:])
		for _, v := range src {
			counts[(v>>shift)&(1<<digit-1)]++
		}
		sum := 0
		for i, c := range counts {
			counts[i] = sum
			sum += c
		}
		for _, v := range src {
			k := (v >> shift) & (1<<digit - 1)
			dst[counts[k]] = v
			counts[k]++
		}
		src, dst = dst, src
	}
	// An even number of passes: the sorted values are back in a.
}

// hllP is the HyperLogLog's precision: 2^16 registers, a standard error
// of 1.04/sqrt(2^16), about 0.4%.
const hllP = 16

// hll is a HyperLogLog sketch (Flajolet et al. 2007) over 64-bit hashes,
// with the small-range correction by linear counting. It only ever sees
// more than DefaultExactDistinct values in practice, far above the range
// where HyperLogLog++'s bias tables would matter.
type hll struct{ reg []uint8 }

func newHLL() *hll { return &hll{reg: make([]uint8, 1<<hllP)} }

func (s *hll) add(h uint64) {
	i := h >> (64 - hllP)
	// The rank of the first 1 in the remaining bits (1-based), capped by
	// a sentinel bit so a zero rest is 64-hllP+1.
	rest := h<<hllP | 1<<(hllP-1)
	r := uint8(bits.LeadingZeros64(rest)) + 1
	if r > s.reg[i] {
		s.reg[i] = r
	}
}

func (s *hll) estimate() int64 {
	m := float64(len(s.reg))
	sum, zeros := 0.0, 0
	for _, r := range s.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	alpha := 0.7213 / (1 + 1.079/m)
	e := alpha * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros))
	}
	return int64(math.Round(e))
}

// mix64 is SplitMix64's finalizer: a bijection on 64 bits whose output
// bits all depend on every input bit, as HyperLogLog needs.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// The primes of xxHash64, whose short-input path hashString follows.
const (
	xxP1 uint64 = 11400714785074694791
	xxP2 uint64 = 14029467366897019727
	xxP3 uint64 = 1609587929392839161
	xxP4 uint64 = 9650029242287828579
	xxP5 uint64 = 2870177450012600261
)

// hashString is a seedless 64-bit string hash (xxHash64's path for inputs
// under 32 bytes, applied to every length): stable from run to run, so an
// estimated count is the same every time the same run is summarized,
// which hash/maphash's random seeds would not give.
func hashString(s string) uint64 {
	h := xxP5 + uint64(len(s))
	for len(s) >= 8 {
		k := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		k *= xxP2
		k = bits.RotateLeft64(k, 31)
		k *= xxP1
		h ^= k
		h = bits.RotateLeft64(h, 27)*xxP1 + xxP4
		s = s[8:]
	}
	if len(s) >= 4 {
		k := uint64(uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24)
		h ^= k * xxP1
		h = bits.RotateLeft64(h, 23)*xxP2 + xxP3
		s = s[4:]
	}
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i]) * xxP5
		h = bits.RotateLeft64(h, 11) * xxP1
	}
	h ^= h >> 33
	h *= xxP2
	h ^= h >> 29
	h *= xxP3
	h ^= h >> 32
	return h
}
