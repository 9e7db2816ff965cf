// Package connectors is the SDK a connector author sees: the Source and
// Destination interfaces, the Runtime that hands a connector the platform's
// resources (the Python template's log_info, upload_rows, run_batches, ...),
// JobDetails with the platform's field names, Frame (the DataFrame), exit
// reasons, and the registry through which connectors are compiled in.
//
// A Frame's Timestamp column holds int64 microseconds since the epoch (UTC)
// in Column.Micros; Column.AppendTime and Column.Time convert. A frame
// handed to Runtime.UploadRows is the runtime's from then on (build a new
// one per call); a frame handed to Destination.Batch is lent for that call.
//
// A connector imports this package and nothing else of connector-dev. It is
// unit-tested with connectors/connectortest, as net/http handlers are with
// net/http/httptest.
package connectors
