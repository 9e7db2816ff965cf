package harness

import "strconv"

// Number renders a whole number with thousands separators (3,800,000): the
// one way every human-facing line of the printer, Outcome and the TUI shows
// counts. Machine output (--json, csv and jsonl rows) keeps plain digits.
func Number(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3+1)
	if neg {
		out = append(out, '-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// Quantity is Number followed by the singular or plural noun, as English
// wants it: "1 batch", "2 batches", "0 rows".
func Quantity(n int64, one, many string) string {
	if n == 1 || n == -1 {
		return Number(n) + " " + one
	}
	return Number(n) + " " + many
}
