// Package codec stores a source's frames as batch objects and reads them
// back: Parquet by default, or CSV (BATCH_FORMAT). The object's schema also
// travels in its metadata in FormatSchema form, which is what CSV is typed
// by and what Parquet is checked against.
//
// # Parquet
//
// One row group per object, one leaf per column, in frame order, under the
// column's own name: string is BYTE_ARRAY (STRING), int64 INT64, float64
// DOUBLE, bool BOOLEAN and timestamp INT64 TIMESTAMP(MICROS,
// isAdjustedToUTC); a nullable column is OPTIONAL, the rest REQUIRED.
// Encoding writes whole columns through parquet-go's column writers and
// decoding reads page by page into the typed slices, with no reflection.
// Settings were chosen by BenchmarkEncode/BenchmarkDecode (100,000 rows of
// the ten-column synthetic set, one core; rows/s encode, decode, bytes/row):
//
//	none,   PLAIN            8.2M  7.7M  86.7
//	snappy, PLAIN (default)  8.7M  8.6M  36.0   s2's fast Snappy encoder
//	snappy-better, PLAIN     5.7M  7.4M  33.4   parquet-go's Snappy codec
//	zstd fastest, PLAIN      4.5M  5.5M  13.6
//	any, RLE_DICTIONARY      ~2M   4-7M  +4-8   dictionaries of unique values
//
// Snappy costs about what the bytes it saves would cost to hash and copy
// on the way to S3; zstd is the choice if the link is slow. Timestamps are
// stored as the frame holds them, int64 microseconds (Column.Micros).
//
// DecodeInto decodes into the column slices of a frame an earlier decode
// returned, so that the destination's reader, batch after batch, stops
// allocating them: 46 B/row instead of 295 for the benchmark frame
// (go test -bench DecodeInto -benchmem), the rest being the strings, which
// are made new for every batch and so stay valid when the frame is reused.
//
// Decode checks the footer and every page header against the bytes present
// and the MaxRows, MaxCells and MaxPageBytes limits before parquet-go reads
// them, since parquet-go allocates whatever sizes a file declares.
//
// # CSV
//
// RFC 4180 with a header row of column names and "\n" line ends. Values:
// int64 in decimal, float64 in the shortest form that reads back exactly
// (NaN, +Inf, -Inf), bool as true/false, timestamp as RFC 3339 in UTC with
// six fractional digits (2026-01-01T00:00:00.000000Z), and null as an empty
// field.
//
// The one ambiguity: in a nullable string column an empty string and a null
// are both an empty field, and read back as null. Use Parquet when the
// difference matters. (A non-nullable string column reads an empty field as
// the empty string.)
package codec
