package harness

import (
	"testing"

	"connector-dev/connectors"

	"connector-dev/connectors/synthetic"
)

// BenchmarkSummarize1M folds a million synthetic rows (ten columns, five
// of them with a million distinct values) into a summary, in one process.
func BenchmarkSummarize1M(b *testing.B) {
	frames := make([]*connectors.Frame, 0, 20)
	for start := int64(0); start < 1_000_000; start += 50_000 {
		frames = append(frames, synthetic.Generate(start, 50_000))
	}
	b.ReportAllocs()
	for b.Loop() {
		s := NewSummarizer(SummaryOptions{})
		for _, f := range frames {
			if err := s.Add(f); err != nil {
				b.Fatal(err)
			}
		}
		s.Result()
	}
	b.ReportMetric(float64(1_000_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
