package main

// The files `connector-dev new` writes. {{NAME}} is the connector's name
// (also its package), {{Title}} the same with a capital. Each compiles and
// passes as written, so the scaffold is green before the first edit.

const newSourceGo = `// Package {{NAME}} is a source connector. Replace this comment with what it
// reads, and the rows below with the real ones.
package {{NAME}}

import (
	"context"
	"time"

	"connector-dev/connectors"
)

// Name is the name the source is registered under: jobs name it in
// SourceConnectorNM, connectors.yaml lists what it needs under it.
const Name = "{{NAME}}"

func init() {
	connectors.RegisterSource(Name, func() connectors.Source { return Source{} })
}

// Source is the connector. The zero value is ready to use.
type Source struct{}

// Fields are the columns the source uploads, in order.
func Fields() []connectors.Field {
	return []connectors.Field{
		{Name: "id", Type: connectors.Int64},
		{Name: "name", Type: connectors.String},
		{Name: "updated_at", Type: connectors.Timestamp, Nullable: true},
	}
}

// Run reads the rows and uploads them. The runtime is the platform:
// rt.Credentials()["field"] and rt.Env("SETTING") are what connectors.yaml
// declares, rt.Job() the job, rt.Window() its date window, rt.HTTPClient()
// the client that records and replays cassettes. End with one of
// rt.LogErr (exit reason error), rt.LogUnhandled (unhandled) or
// rt.ExitNoFail (no rows, not a failure), or return nil for success.
func (Source) Run(ctx context.Context, rt connectors.Runtime) error {
	f := connectors.NewFrame(Fields()...)
	at := time.Date(2026, 1, 31, 8, 0, 0, 0, time.UTC)
	for i := int64(1); i <= 3; i++ {
		if err := f.AppendRow(i, "row", at); err != nil {
			return rt.LogUnhandled("{{NAME}}: %v", err)
		}
	}
	if f.Len() == 0 {
		return rt.ExitNoFail("No rows returned")
	}
	rt.LogInfo("uploading %d rows of %s", f.Len(), rt.Job().SourceObjectID)
	return rt.UploadRows(ctx, f) // one batch per call, split at BATCH_ROWS
}
`

const newSourceTest = `package {{NAME}}_test

import (
	"context"
	"testing"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/{{NAME}}"
)

// The source uploads its rows and ends in success.
func TestUploadsRows(t *testing.T) {
	rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "t", SourceObjectID: "things", UpdateMethodCD: connectors.Replace})
	reason, msg := rt.RunSource(context.Background(), {{NAME}}.Source{})
	if reason != connectors.Success {
		t.Fatalf("%s: %s", reason, msg)
	}
	rows := 0
	for _, f := range rt.Uploads() {
		rows += f.Len()
	}
	if rows != 3 {
		t.Errorf("uploaded %d rows, want 3", rows)
	}
}
`

const newDestinationGo = `// Package {{NAME}} is a destination connector. Replace this comment with
// where it loads the rows, and Batch's body with the loading.
package {{NAME}}

import (
	"context"

	"connector-dev/connectors"
)

// Name is the name the destination is registered under: jobs name it in
// DestinationConnectorNM, connectors.yaml lists what it needs under it.
const Name = "{{NAME}}"

func init() {
	connectors.RegisterDestination(Name, func() connectors.Destination { return &Destination{} })
}

// Destination is the connector: one value per run.
type Destination struct {
	rows int64
}

// Batch is called once per batch, in order, with the job's mapping applied
// (the columns are rt.DestinationColumns()). f is lent for this call only:
// the runtime reuses its memory for a later batch, so copy what you keep.
// Return rt.LogErr(...) to fail the run. A destination that loads in one transaction implements
// Run(ctx, rt) around rt.RunBatches(ctx), as connectors/sqlite does.
func (d *Destination) Batch(ctx context.Context, rt connectors.Runtime, f *connectors.Frame) error {
	d.rows += int64(f.Len())
	rt.LogInfo("{{NAME}}: received %d rows into %s (%d so far)", f.Len(), rt.Job().DestinationObjectID, d.rows)
	return nil
}
`

const newDestinationTest = `package {{NAME}}_test

import (
	"context"
	"strings"
	"testing"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/{{NAME}}"
)

// The destination takes every batch and ends in success.
func TestTakesBatches(t *testing.T) {
	rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "t", DestinationObjectID: "things", UpdateMethodCD: connectors.Replace})
	f := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64})
	for i := int64(1); i <= 2; i++ {
		if err := f.AppendRow(i); err != nil {
			t.Fatal(err)
		}
	}
	rt.Input = []*connectors.Frame{f}
	reason, msg := rt.RunDestination(context.Background(), &{{NAME}}.Destination{})
	if reason != connectors.Success {
		t.Fatalf("%s: %s", reason, msg)
	}
	var last string
	for _, l := range rt.Logs() {
		last = l.Message
	}
	if !strings.Contains(last, "received 2 rows") {
		t.Errorf("last log line %q", last)
	}
}
`

// newSourceJob runs the new source into the embedded SQLite warehouse.
const newSourceJob = `{
  "ETLJobNM": "{{NAME}}-things",
  "JobDataJSON": {"columns": [
    {"source": "id", "destination": "id"},
    {"source": "name", "destination": "name"},
    {"source": "updated_at", "destination": "updated_at"}
  ]},
  "SourceObjectID": "things",
  "DestinationObjectID": "{{NAME}}_things",
  "SourceConnectorNM": "{{NAME}}",
  "DestinationConnectorNM": "sqlite",
  "UpdateMethodCD": 2
}
`

// newDestinationJob runs the synthetic source into the new destination.
const newDestinationJob = `{
  "ETLJobNM": "{{NAME}}-accounts",
  "JobDataJSON": {"columns": [
    {"source": "id", "destination": "id"},
    {"source": "account_name", "destination": "account_name"},
    {"source": "amount", "destination": "amount"}
  ]},
  "SourceObjectID": "accounts",
  "DestinationObjectID": "accounts",
  "SourceConnectorNM": "synthetic",
  "DestinationConnectorNM": "{{NAME}}",
  "UpdateMethodCD": 2
}
`

const newSourceExpect = `# What a run of job.json must end with; connector-dev test checks it.
exit: success
rows: 3
batches: 1
`

const newDestinationExpect = `# What a run of job.json must end with; connector-dev test checks it.
exit: success
rows: 100
env:
  SYNTHETIC_ROWS: "100"
`

const newYAML = `
{{NAME}}:
  kind: {{KIND}}
  credentials: []  # fields, each from {{UPPER}}_<FIELD> in .env.credentials
  env: []          # settings it reads with rt.Env
`
