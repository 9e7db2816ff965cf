package codec

import (
	"fmt"
	"path"
	"strings"

	"connector-dev/connectors"
)

// Codec turns a frame into the bytes of one batch object and back.
// Implementations are stateless and safe for concurrent use.
type Codec interface {
	// Name is the codec's name as BATCH_FORMAT spells it: "parquet" or "csv".
	Name() string
	// Ext is the object key's extension, with the dot: ".parquet" or ".csv".
	Ext() string
	// ContentType is the object's MIME type.
	ContentType() string
	// Encode appends the frame's encoding to dst and returns it; dst's
	// capacity is reused, so callers can recycle buffers between batches.
	Encode(dst []byte, f *connectors.Frame) ([]byte, error)
	// Decode parses one object. schema is the batch's schema from the
	// object's metadata (FormatSchema form). Parquet carries its own schema
	// and only checks that it agrees; CSV needs it to type its columns (nil
	// reads every column as a nullable string).
	Decode(data []byte, schema []connectors.Field) (*connectors.Frame, error)
	// DecodeInto is Decode into the column buffers of reuse, a frame an
	// earlier Decode or DecodeInto returned (nil: fresh buffers), so that
	// reading batch after batch stops allocating them. The caller promises
	// that nothing reads reuse, or any frame sharing its columns, any more:
	// its values are overwritten. Strings are new (never written in place),
	// so one taken from reuse before stays valid.
	DecodeInto(reuse *connectors.Frame, data []byte, schema []connectors.Field) (*connectors.Frame, error)
}

// Limits on what Decode accepts, so that a corrupt or hostile object whose
// headers declare huge sizes fails fast instead of exhausting memory.
const (
	// MaxRows is the most rows one batch object may hold.
	MaxRows = 1 << 24
	// MaxCells bounds rows × columns of a Parquet object: a column of nulls
	// compresses to almost nothing, so the object's size cannot bound the
	// frame it decodes to (at most ~24 bytes a cell).
	MaxCells = 1 << 26
	// MaxPageBytes is the largest uncompressed Parquet page accepted. The
	// encoder writes pages far smaller (see pageBufferSize).
	MaxPageBytes = 64 << 20
)

// acceptedNames is what an unknown BATCH_FORMAT error offers instead.
const acceptedNames = "parquet, csv"

// ByName returns the codec called name ("parquet" or "csv", any case), as
// the BATCH_FORMAT setting names it.
func ByName(name string) (Codec, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "parquet":
		return Parquet(), nil
	case "csv":
		return CSV(), nil
	}
	return nil, fmt.Errorf("unknown batch format %q (want one of: %s)", name, acceptedNames)
}

// ForKey returns the codec for an object key by its extension, e.g.
// "job/run/batch-000001.parquet".
func ForKey(key string) (Codec, error) {
	ext := strings.ToLower(path.Ext(key))
	for _, c := range []Codec{Parquet(), CSV()} {
		if c.Ext() == ext {
			return c, nil
		}
	}
	return nil, fmt.Errorf("object %q: unknown batch extension %q (want .parquet or .csv)", key, ext)
}
