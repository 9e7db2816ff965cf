package connectors

import "context"

// CheckRuntime is what a connector's Check sees: the settings it declares,
// its decrypted credentials and the job. It has nothing that moves data
// (no UploadRows, RunBatches or HTTPClient): a check validates, it does
// not connect.
type CheckRuntime interface {
	// Env returns one of the settings the connector declares in
	// connectors.yaml ("" when unset), as Runtime.Env does.
	Env(name string) string
	// Credentials are the connector's decrypted credentials.
	Credentials() map[string]string
	// Job is the job the platform sent.
	Job() *JobDetails
}

// Checker is implemented by a source or destination that validates its own
// settings and credentials before any stage runs, as Airbyte's check does.
// `connector-dev check` and `run` call it after the harness validated the
// settings, credentials and job, and before any connector's Run; an error
// ends the run with reason setup (exit 3), its text the one line the user
// sees. Say which variable to fix and how, e.g.
//
//	SYNTHETIC_ROWS="abc" is not a whole number: it must be 0 or more, a row count such as 1000000
//
// and never a credential's value (a setting's value is fine). Check must not
// change anything: it runs for `check` too.
type Checker interface {
	Check(ctx context.Context, rt CheckRuntime) error
}
