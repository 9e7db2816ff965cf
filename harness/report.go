package harness

// StageReport is one stage's line of report.json and of the summary.
type StageReport struct {
	Name      string    `json:"name"`      // "source" or "destination"
	Connector string    `json:"connector"` // registry name
	Rows      int64     `json:"rows"`
	Batches   int64     `json:"batches"`
	Bytes     int64     `json:"bytes"`
	Seconds   float64   `json:"seconds"`
	RowsPerS  float64   `json:"rows_per_s"`
	Exit      *ExitInfo `json:"exit,omitempty"`
}

// Report is .connector-dev/runs/<run-id>/report.json.
type Report struct {
	RunID        string        `json:"run_id"`
	Connector    string        `json:"connector"` // what `run` was asked for
	Job          string        `json:"job"`       // ETLJobNM
	JobFile      string        `json:"job_file"`
	Started      string        `json:"started"` // RFC 3339
	Seconds      float64       `json:"seconds"`
	Run          *RunInfo      `json:"run,omitempty"`
	Exit         ExitInfo      `json:"exit"`
	Stages       []StageReport `json:"stages"`
	Batches      []BatchInfo   `json:"batches"` // the source's batch objects, in order
	Expectations []string      `json:"expectation_misses,omitempty"`
}
