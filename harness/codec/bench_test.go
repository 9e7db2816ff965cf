package codec

import (
	"testing"
)

const benchRows = 100000

// benchCodecs are the default codecs plus the Parquet settings the default
// was chosen from.
func benchCodecs() []struct {
	name string
	c    Codec
} {
	out := []struct {
		name string
		c    Codec
	}{{"parquet", Parquet()}, {"csv", CSV()}}
	for _, comp := range []string{"none", "snappy", "snappy-better", "zstd"} {
		for _, dict := range []bool{false, true} {
			name := "parquet-" + comp + "-plain"
			if dict {
				name = "parquet-" + comp + "-dict"
			}
			out = append(out, struct {
				name string
				c    Codec
			}{name, parquetVariant(comp, dict)})
		}
	}
	return out
}

func BenchmarkEncode(b *testing.B) {
	f := synthFrame(benchRows)
	for _, bc := range benchCodecs() {
		b.Run(bc.name, func(b *testing.B) {
			var buf []byte
			var err error
			b.ReportAllocs()
			for b.Loop() {
				if buf, err = bc.c.Encode(buf[:0], f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(len(buf))/benchRows, "B/row")
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	f := synthFrame(benchRows)
	for _, bc := range benchCodecs() {
		b.Run(bc.name, func(b *testing.B) {
			data, err := bc.c.Encode(nil, f)
			if err != nil {
				b.Fatal(err)
			}
			schema := f.Fields()
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := bc.c.Decode(data, schema); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(len(data))/benchRows, "B/row")
		})
	}
}

// BenchmarkEncodeNullable is the benchmark frame with every column declared
// nullable and every 10th value null: the cost of definition levels.
func BenchmarkEncodeNullable(b *testing.B) {
	f := synthFrame(benchRows)
	for _, c := range f.Columns() {
		c.Nullable = true
		c.Null = make([]bool, benchRows)
		for i := 0; i < benchRows; i += 10 {
			c.Null[i] = true
		}
	}
	for _, c := range []Codec{Parquet(), CSV()} {
		b.Run(c.Name(), func(b *testing.B) {
			var buf []byte
			var err error
			for b.Loop() {
				if buf, err = c.Encode(buf[:0], f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(len(buf))/benchRows, "B/row")
		})
	}
}
