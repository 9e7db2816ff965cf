package codec

import (
	"testing"

	"connector-dev/connectors"
)

// fuzzSeeds are real encodings: the edge frame, a slice of the benchmark
// data, a zero-row frame, and (for Parquet) the other settings' output.
func fuzzSeeds(f *testing.F, c Codec) {
	f.Helper()
	frames := []*connectors.Frame{edgeFrame(f), synthFrame(50), edgeFrame(f).Slice(0, 0)}
	for _, fr := range frames {
		data, err := c.Encode(nil, fr)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, FormatSchema(fr.Fields()))
		if c.Name() == "parquet" {
			for _, v := range []parquetCodec{parquetVariant("zstd", true), parquetVariant("none", false)} {
				if data, err = v.Encode(nil, fr); err != nil {
					f.Fatal(err)
				}
				f.Add(data, "")
			}
		}
	}
}

// fuzzDecode checks that decoding never panics, and that whatever decodes
// is a valid frame that survives another round trip unchanged.
func fuzzDecode(t *testing.T, c Codec, data []byte, schemaText string) {
	schema, err := ParseSchema(schemaText)
	if err != nil || schemaText == "" {
		schema = nil
	}
	fr, err := c.Decode(data, schema)
	if err != nil {
		return
	}
	if err := fr.Validate(); err != nil {
		t.Fatalf("decoded an invalid frame: %v", err)
	}
	if fr.Len() > MaxRows {
		t.Fatalf("decoded %d rows, over the limit", fr.Len())
	}
	enc, err := c.Encode(nil, fr)
	if err != nil {
		return // e.g. a CSV timestamp is fine but Parquet has no columns
	}
	again, err := c.Decode(enc, fr.Fields())
	if err != nil {
		t.Fatalf("re-decoding our own encoding: %v", err)
	}
	assertSameFrame(t, fr, again)
}

func FuzzParquetDecode(f *testing.F) {
	fuzzSeeds(f, Parquet())
	f.Fuzz(func(t *testing.T, data []byte, schema string) { fuzzDecode(t, Parquet(), data, schema) })
}

func FuzzCSVDecode(f *testing.F) {
	fuzzSeeds(f, CSV())
	f.Add([]byte("a,b\n\"x\"\"y\",\r\n"), "a:string,b:int64?")
	f.Add([]byte("t\n2026-01-01T00:00:00.5+02:00\n"), "t:timestamp")
	f.Fuzz(func(t *testing.T, data []byte, schema string) { fuzzDecode(t, CSV(), data, schema) })
}

func FuzzParseSchema(f *testing.F) {
	for _, s := range []string{
		"", "id:int64,account_name:string,amount:float64?",
		FormatSchema(edgeFrame(f).Fields()), "a:bool?,b:timestamp", "%zz:int64", "a:int64,a:string", "a", ":int64", "a:int64??",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fields, err := ParseSchema(s)
		if err != nil {
			return
		}
		text := FormatSchema(fields)
		for i := 0; i < len(text); i++ {
			if text[i] < 0x21 || text[i] > 0x7e {
				t.Fatalf("FormatSchema output %q is not printable ASCII", text)
			}
		}
		again, err := ParseSchema(text)
		if err != nil || !sameFields(fields, again) {
			t.Fatalf("ParseSchema(FormatSchema(%v)) = %v, %v", fields, again, err)
		}
	})
}
