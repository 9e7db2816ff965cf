package codec

import (
	"testing"
	"unsafe"

	"connector-dev/connectors"
)

// Decoding into a frame an earlier decode returned gives exactly what a
// fresh decode gives, in every codec and for every column type, whether
// the next batch is larger, smaller or of other columns; strings taken
// from the earlier frame keep their values; and a batch of the same shape
// reuses the column memory instead of allocating it.
func TestDecodeIntoReusesAndKeepsStrings(t *testing.T) {
	edge := edgeFrame(t)
	big, small := synthFrame(300), synthFrame(40)
	for _, c := range codecs() {
		// Every batch is encoded into the same buffer, as the destination's
		// reader GETs every batch into one: a decoder whose strings pointed
		// into its input would see them overwritten by the next batch.
		var buf []byte
		encode := func(f *connectors.Frame) []byte {
			data, err := c.Encode(buf[:0], f)
			if err != nil {
				t.Fatalf("%s encode: %v", c.Name(), err)
			}
			buf = data
			return data
		}
		var got *connectors.Frame
		var kept []string
		for i, want := range []*connectors.Frame{big, small, edge, big, big} {
			schema := want.Fields()
			next, err := c.DecodeInto(got, encode(want), schema)
			if err != nil {
				t.Fatalf("%s batch %d: %v", c.Name(), i, err)
			}
			if c.Name() == "csv" {
				want = emptyAsNull(want) // CSV's one loss, as in TestRoundTrip
			}
			assertSameFrame(t, want, next)
			if i == 4 && unsafe.SliceData(next.Columns()[0].Ints) != unsafe.SliceData(got.Columns()[0].Ints) {
				t.Errorf("%s: a batch of the same shape got new column memory", c.Name())
			}
			for j, s := range kept {
				if want := big.Col("email").Strings[j]; s != want {
					t.Fatalf("%s batch %d: a string kept from batch 0 is now %q, want %q", c.Name(), i, s, want)
				}
			}
			if i == 0 {
				kept = append([]string(nil), next.Col("email").Strings...)
			}
			got = next
		}
	}
}

// BenchmarkDecodeInto is the steady state of the destination's reader: a
// 50,000-row batch decoded into the frame of the one before.
func BenchmarkDecodeInto(b *testing.B) {
	data, err := Parquet().Encode(nil, synthFrame(50_000))
	if err != nil {
		b.Fatal(err)
	}
	f, _ := Parquet().Decode(data, nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if f, err = Parquet().DecodeInto(f, data, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/50_000, "ns/row")
}
