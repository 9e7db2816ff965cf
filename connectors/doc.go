// Package connectors is the SDK a connector author sees: the Source and
// Destination interfaces, the Runtime that hands a connector the platform's
// resources (the Python template's log_info, upload_rows, run_batches, ...),
// JobDetails with the platform's field names, Frame (the DataFrame), exit
// reasons, and the registry through which connectors are compiled in.
//
// A connector imports this package and nothing else of connector-dev. It is
// unit-tested with connectors/connectortest, as net/http handlers are with
// net/http/httptest.
package connectors
