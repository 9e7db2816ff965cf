package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigJob writes a valid job with n extra keys made by key(i) (each on its
// own line) and a mapping of cols columns, and returns its path.
func bigJob(tb testing.TB, n, cols int, key func(i int) string) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString(`{"ETLJobNM": "big", "SourceConnectorNM": "synthetic", "UpdateMethodCD": 1,` + "\n")
	b.WriteString(`"JobDataJSON": {"columns": [`)
	for i := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "\n"+`{"source": "c%d", "destination": "d%d"}`, i, i)
	}
	b.WriteString("]}")
	for i := range n {
		fmt.Fprintf(&b, ",\n%q: %d", key(i), i)
	}
	b.WriteString("}\n")
	path := filepath.Join(tb.TempDir(), "job.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// A job of 200,000 comment keys and one of 200,000 mapped columns load;
// 200,000 unknown keys give one line that lists the first problems, with
// their lines, and counts the rest.
func TestLoadJobManyKeys(t *testing.T) {
	const n = 200_000
	if _, err := LoadJob(bigJob(t, n, 0, func(i int) string { return fmt.Sprintf("_note%d", i) })); err != nil {
		t.Fatalf("comment keys: %v", err)
	}
	job, err := LoadJob(bigJob(t, 0, n, nil))
	if err != nil {
		t.Fatalf("mapped columns: %v", err)
	}
	if !strings.Contains(string(job.JobDataJSON), `"d199999"`) {
		t.Errorf("the mapping lost its last column")
	}
	path := bigJob(t, n, 0, func(i int) string { return fmt.Sprintf("Unknown%d", i) })
	_, err = LoadJob(path)
	if err == nil {
		t.Fatal("unknown keys load")
	}
	msg := err.Error()
	// Line 3 holds the first unknown key, line 22 the 20th.
	for _, want := range []string{path + `:3:1: unknown key "Unknown0"`, path + `:22:1: unknown key "Unknown19"`, "and 199980 more problems"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %.300s", want, msg)
		}
	}
	if strings.Contains(msg, `"Unknown20"`) || strings.Contains(msg, "\n") {
		t.Errorf("error lists more than the first problems, or is not one line: %.300s", msg)
	}
	// Duplicates still name the first line, far down the file.
	dup := bigJob(t, n, 0, func(i int) string {
		if i == n-1 {
			return "_note5"
		}
		return fmt.Sprintf("_note%d", i)
	})
	if _, err := LoadJob(dup); err == nil || !strings.Contains(err.Error(), "_note5 is set twice (first on line 8)") {
		t.Errorf("duplicate: %v", err)
	}
}

// BenchmarkLoadJobKeys loads jobs of growing key counts: ns/op per key
// stays flat when parsing is linear (it grew with the count before).
func BenchmarkLoadJobKeys(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		path := bigJob(b, n, 0, func(i int) string { return fmt.Sprintf("_note%d", i) })
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := LoadJob(path); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/key")
		})
	}
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		path := bigJob(b, 0, n, nil)
		b.Run(fmt.Sprintf("columns=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := LoadJob(path); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/column")
		})
	}
}
