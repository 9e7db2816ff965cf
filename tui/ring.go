package tui

// ring is a bounded FIFO: once full, each push drops the oldest element.
// The dashboard keeps log lines in one so that memory stays flat however
// much a connector logs; the full log is on disk.
type ring[T any] struct {
	buf   []T
	start int // index of the oldest element
	n     int
}

func newRing[T any](capacity int) *ring[T] {
	if capacity < 1 {
		capacity = 1
	}
	return &ring[T]{buf: make([]T, capacity)}
}

// push appends v and reports whether the oldest element was dropped for it.
func (r *ring[T]) push(v T) bool {
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = v
		r.n++
		return false
	}
	r.buf[r.start] = v
	r.start = (r.start + 1) % len(r.buf)
	return true
}

func (r *ring[T]) len() int { return r.n }

// at returns element i, 0 being the oldest.
func (r *ring[T]) at(i int) T { return r.buf[(r.start+i)%len(r.buf)] }

// drain returns every element, oldest first, and empties the ring.
func (r *ring[T]) drain() []T {
	out := make([]T, r.n)
	for i := range out {
		out[i] = r.at(i)
	}
	var zero T
	for i := range r.buf {
		r.buf[i] = zero
	}
	r.start, r.n = 0, 0
	return out
}
