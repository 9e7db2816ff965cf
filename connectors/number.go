package connectors

import "strconv"

// Thousands writes n with thousands separators (1,234,567), as the harness
// shows every count on screen: a connector's log lines read the same. It
// lives here because a connector imports nothing else of ours.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	start := 0
	if n < 0 {
		start = 1
	}
	out := []byte(s[:start])
	digits := s[start:]
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, digits[i])
	}
	return string(out)
}
