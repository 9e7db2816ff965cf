package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"connector-dev/connectors"
)

// manifestVersion is the form of manifest.json this build writes and reads.
const manifestVersion = 1

// The objects a run stores beside its batches.
const (
	manifestName = "manifest.json"
	schemaName   = "schema.json"
)

// SchemaField is one column of a run's schema, in schema.json and
// manifest.json.
type SchemaField struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

// Manifest is <job>/<run-id>/manifest.json, which the source stage writes
// as it ends: what it stored, batch by batch, and how it ended. The
// destination and --from-run read exactly these batches and check each one
// against it; a run without one is incomplete (its source never finished).
type Manifest struct {
	Version   int           `json:"version"`
	RunID     string        `json:"run_id"`
	Job       string        `json:"job"`
	Connector string        `json:"connector"` // the source
	Prefix    string        `json:"prefix"`
	Format    string        `json:"format"`
	Schema    []SchemaField `json:"schema"`
	Batches   []BatchInfo   `json:"batches"`
	Rows      int64         `json:"rows"`
	Bytes     int64         `json:"bytes"`
	Exit      ExitInfo      `json:"exit"` // the source's
}

func schemaOf(fields []connectors.Field) []SchemaField {
	out := make([]SchemaField, len(fields))
	for i, f := range fields {
		out[i] = SchemaField{Name: f.Name, Type: f.Type.String(), Nullable: f.Nullable}
	}
	return out
}

// fieldsOf turns a stored schema back into fields; a type this build does
// not know or a name used twice is an error naming the column.
func fieldsOf(schema []SchemaField) ([]connectors.Field, error) {
	out := make([]connectors.Field, len(schema))
	seen := make(map[string]bool, len(schema))
	for i, f := range schema {
		if f.Name == "" {
			return nil, fmt.Errorf("schema column %d has no name", i+1)
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("schema column %d %q: the name is used twice", i+1, f.Name)
		}
		seen[f.Name] = true
		t, err := connectors.ParseType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("schema column %d %q: %w", i+1, f.Name, err)
		}
		out[i] = connectors.Field{Name: f.Name, Type: t, Nullable: f.Nullable}
	}
	return out, nil
}

// ParseManifest reads manifest.json and checks that it is whole: batches
// numbered 1..n in order under the manifest's prefix, counts that add up,
// a schema of known types.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a manifest: %v", err)
	}
	if m.Version != manifestVersion {
		return nil, fmt.Errorf("manifest version %d: this connector-dev reads version %d", m.Version, manifestVersion)
	}
	if _, err := fieldsOf(m.Schema); err != nil {
		return nil, err
	}
	var rows, size int64
	for i, b := range m.Batches {
		if b.Index != i+1 {
			return nil, fmt.Errorf("batch %d of the manifest has index %d", i+1, b.Index)
		}
		if !strings.HasPrefix(b.Key, m.Prefix) || b.Key == m.Prefix || batchIndex(b.Key) != b.Index {
			return nil, fmt.Errorf("batch %d of the manifest: key %q is not batch %d under %q", i+1, b.Key, b.Index, m.Prefix)
		}
		if b.Rows < 0 || b.Bytes < 0 || b.Bytes > maxObjectBytes {
			return nil, fmt.Errorf("batch %d of the manifest: %d rows, %d bytes", i+1, b.Rows, b.Bytes)
		}
		rows += b.Rows
		size += b.Bytes
	}
	if rows != m.Rows || size != m.Bytes {
		return nil, fmt.Errorf("the manifest says %d rows and %d bytes, its batches add up to %d and %d", m.Rows, m.Bytes, rows, size)
	}
	return &m, nil
}

// putJSON stores v as a JSON object.
func (s *Store) putJSON(ctx context.Context, key string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return s.Put(ctx, key, append(b, '\n'), "application/json", nil)
}

// GetManifest reads the manifest of the run under prefix. A run that has
// none wraps errNoSuchKey.
func (s *Store) GetManifest(ctx context.Context, prefix string) (*Manifest, error) {
	key := prefix + manifestName
	b, _, err := s.Get(ctx, key, nil)
	if err != nil {
		return nil, err
	}
	m, err := ParseManifest(b)
	if err != nil {
		return nil, fmt.Errorf("s3://%s/%s: %w", s.bucket, key, err)
	}
	return m, nil
}

// getSchema reads schema.json under prefix.
func (s *Store) getSchema(ctx context.Context, prefix string) ([]connectors.Field, error) {
	key := prefix + schemaName
	b, _, err := s.Get(ctx, key, nil)
	if err != nil {
		return nil, err
	}
	var schema []SchemaField
	if err := json.Unmarshal(b, &schema); err != nil {
		return nil, fmt.Errorf("s3://%s/%s: %v", s.bucket, key, err)
	}
	f, err := fieldsOf(schema)
	if err != nil {
		return nil, fmt.Errorf("s3://%s/%s: %w", s.bucket, key, err)
	}
	return f, nil
}

// writeManifest ends the source stage: manifest.json goes beside the
// batches (and a copy into the run's folder, so inspect and --from-run
// know a run's batches without S3). It is written also when the source
// failed or was stopped, with that exit, so that report, manifest and S3
// agree on what was stored; it is written with a context of its own, as
// the run's may be cancelled. A manifest that cannot be stored fails a
// source that had succeeded.
func (x *execution) writeManifest(ctx context.Context, st *stageRun, exit ExitInfo) ExitInfo {
	stored := exit // the manifest is kept and shown: no secret in it
	stored.Message = x.em.scrub.Replace(stored.Message)
	m := &Manifest{Version: manifestVersion, RunID: x.r.info.RunID, Job: x.r.job.ETLJobNM, Connector: st.connector,
		Prefix: x.prefix, Format: x.r.codec.Name(), Schema: schemaOf(st.up.schema), Batches: st.up.written(), Exit: stored}
	if m.Batches == nil {
		m.Batches = []BatchInfo{}
	}
	for _, b := range m.Batches {
		m.Rows += b.Rows
		m.Bytes += b.Bytes
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	err := x.store.putJSON(wctx, x.prefix+manifestName, m)
	if err == nil {
		err = writeJSON(filepath.Join(x.r.runDir, manifestName), m)
	}
	if err != nil {
		msg := "manifest: " + err.Error()
		x.em.log(st.name, LevelError, msg)
		if !exit.Reason.Failed() {
			return exitInfo(connectors.Error, msg)
		}
		return exit
	}
	x.stored = x.prefix + manifestName
	x.em.log(st.name, LevelDebug, fmt.Sprintf("manifest s3://%s/%s%s: %d batches, %d rows", x.store.Bucket(), x.prefix, manifestName, len(m.Batches), m.Rows))
	return exit
}

// loadLocalManifest reads the copy of a run's manifest in its folder.
func loadLocalManifest(runDir string) (*Manifest, error) {
	path := filepath.Join(runDir, manifestName)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := ParseManifest(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// sourceBatches is what the destination reads: the manifest's batches and
// schema, read from S3. A run made before manifests (its report names
// none) is read as its report lists it, the schema from each batch's
// metadata, sizes checked and checksums not.
func (x *execution) sourceBatches(ctx context.Context) ([]BatchInfo, []connectors.Field, bool, error) {
	if x.r.past != nil && x.r.past.Manifest == "" {
		x.em.log("", LevelInfo, fmt.Sprintf("run %s was made before run manifests: reading the batches its report lists, without checksums", x.r.past.RunID))
		return x.batches, nil, false, nil
	}
	m, err := x.store.GetManifest(ctx, x.prefix)
	if err != nil {
		if errors.Is(err, errNoSuchKey) {
			return nil, nil, false, fmt.Errorf("no manifest at s3://%s/%s%s: the run is incomplete (its source never finished); rerun the source", x.store.Bucket(), x.prefix, manifestName)
		}
		return nil, nil, false, fmt.Errorf("manifest: %w", err)
	}
	if m.Exit.Reason != connectors.Success {
		return nil, nil, false, fmt.Errorf("the manifest at s3://%s/%s%s says the source ended with %s: its batches may be partial; rerun the source", x.store.Bucket(), x.prefix, manifestName, m.Exit.Reason)
	}
	fields, _ := fieldsOf(m.Schema) // checked by ParseManifest
	return m.Batches, fields, true, nil
}
