package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// wideSource uploads WIDE_ROWS rows of WIDE_COLUMNS string, int64 and
// nullable float64 columns with 40-character names: the shape of a wide
// Salesforce object, whose schema no S3 metadata header can hold.
type wideSource struct{}

func init() {
	connectors.RegisterSource("wide", func() connectors.Source { return wideSource{} })
}

func (wideSource) Run(ctx context.Context, rt connectors.Runtime) error {
	cols, _ := strconv.Atoi(rt.Env("WIDE_COLUMNS"))
	rows, _ := strconv.Atoi(rt.Env("WIDE_ROWS"))
	fields := make([]connectors.Field, cols)
	for i := range fields {
		name := fmt.Sprintf("Custom_Field_Number_%04d_With_A_Long_Name", i) // 40 characters
		switch i % 3 {
		case 0:
			fields[i] = connectors.Field{Name: name, Type: connectors.String}
		case 1:
			fields[i] = connectors.Field{Name: name, Type: connectors.Int64}
		default:
			fields[i] = connectors.Field{Name: name, Type: connectors.Float64, Nullable: true}
		}
	}
	f := connectors.NewFrame(fields...)
	row := make([]any, cols)
	for r := 0; r < rows; r++ {
		for i := range row {
			switch i % 3 {
			case 0:
				row[i] = fmt.Sprintf("r%d-c%d", r, i)
			case 1:
				row[i] = int64(r*cols + i)
			default:
				if r%2 == 0 {
					row[i] = nil
				} else {
					row[i] = float64(r) + 0.5
				}
			}
		}
		if err := f.AppendRow(row...); err != nil {
			return rt.LogErr("wide: %v", err)
		}
	}
	return rt.UploadRows(ctx, f)
}

// wideProject is project() plus the wide source's connectors.yaml entry
// and job.
func wideProject(t *testing.T) {
	t.Helper()
	dir := project(t)
	y, err := os.ReadFile(filepath.Join(dir, "connectors.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	y = append(y, "\nwide:\n  kind: source\n  credentials: []\n  env: [WIDE_COLUMNS, WIDE_ROWS]\n"...)
	os.WriteFile(filepath.Join(dir, "connectors.yaml"), y, 0o644)
	os.MkdirAll(filepath.Join(dir, "fixtures", "wide"), 0o755)
	os.WriteFile(filepath.Join(dir, "fixtures", "wide", "job.json"), []byte(`{"ETLJobNM": "wide-objects", "SourceObjectID": "Wide__c",
		"SourceConnectorNM": "wide", "DestinationConnectorNM": "sqlite", "DestinationObjectID": "wide", "UpdateMethodCD": 2}`), 0o644)
}

// A frame of 1,000 columns with 40-character names (40 KB of column names,
// twenty times what S3 user metadata holds) uploads and loads, as Parquet
// and as CSV, on the embedded S3 and on moto.
func TestWideFrameUploadsAndLoads(t *testing.T) {
	for _, format := range []string{"parquet", "csv"} {
		for _, where := range []string{"embedded", "moto"} {
			t.Run(format+"/"+where, func(t *testing.T) {
				wideProject(t)
				t.Setenv("WIDE_COLUMNS", "1000")
				t.Setenv("WIDE_ROWS", "30")
				t.Setenv("BATCH_ROWS", "20")
				t.Setenv("BATCH_FORMAT", format)
				args := []string{"run", "wide", "--ci"}
				if where == "moto" {
					args = append(args, "--s3-endpoint", startMoto(t))
				}
				code, out, errOut := cli(t, args...)
				if code != 0 {
					t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
				}
				if n := countRows(t, ".connector-dev/warehouse.db", "wide"); n != 30 {
					t.Errorf("warehouse has %d rows, want 30", n)
				}
				rep := lastReport(t)
				if len(rep.Batches) != 2 || rep.Stages[1].Rows != 30 {
					t.Errorf("report: %d batches, stages %+v", len(rep.Batches), rep.Stages)
				}
				code, out, errOut = cli(t, "inspect", rep.RunID, "--batch", "2", "--format", "jsonl")
				if code != 0 {
					t.Fatalf("inspect: %d %s", code, errOut)
				}
				if !strings.Contains(out, `"Custom_Field_Number_0998_With_A_Long_Name":null`) || !strings.Contains(out, `"Custom_Field_Number_0998_With_A_Long_Name":21.5`) || !strings.Contains(out, `"Custom_Field_Number_0997_With_A_Long_Name":21997`) || strings.Count(out, "\n") != 10 {
					t.Errorf("batch 2 of the wide run, as inspect prints it:\n%.300s", out)
				}
			})
		}
	}
}

// startMoto starts moto_server on a free port and returns its URL; the
// test is skipped where moto is not installed.
func startMoto(t *testing.T) string {
	t.Helper()
	moto, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto_server is not on PATH")
	}
	port := freePort(t)
	srv := exec.Command(moto, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for !listening(port) {
		if time.Now().After(deadline) {
			t.Fatal("moto_server did not listen within 30s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return url
}

func listening(port int) bool {
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err == nil {
		c.Close()
	}
	return err == nil
}

// batchFile is where the disk-backed embedded S3 keeps batch n of run id.
func batchFile(t *testing.T, id string, n int) string {
	t.Helper()
	var found string
	suffix := fmt.Sprintf("batch-%06d.parquet", n)
	filepath.WalkDir(".connector-dev/s3", func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, suffix) && strings.Contains(p, id) {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatalf("batch %d of run %s not found on disk", n, id)
	}
	return found
}

// A batch changed after the source stored it (a planted 2 GB object, a
// byte flipped, or swapped for another batch of the same row count) is refused by
// --from-run: exit 1, the key named, the table as it was.
func TestChangedBatchIsRefused(t *testing.T) {
	cases := []struct {
		name   string
		change func(t *testing.T, path, other string)
		want   string
	}{
		{"planted 2 GB", func(t *testing.T, path, _ string) {
			// Sparse: costs no disk. Read whole it would cost 2 GB of memory.
			if err := os.Truncate(path, 2<<30); err != nil {
				t.Fatal(err)
			}
		}, "size mismatch (manifest "},
		{"byte flipped", func(t *testing.T, path, _ string) {
			b, _ := os.ReadFile(path)
			b[len(b)/2] ^= 0xff
			os.WriteFile(path, b, 0o644)
		}, "checksum mismatch (manifest crc32c "},
		{"swapped", func(t *testing.T, path, other string) {
			// Batch 1's bytes, padded to batch 2's size: the same rows
			// count and the same length, other rows.
			a, _ := os.ReadFile(path)
			b, _ := os.ReadFile(other)
			if len(b) > len(a) {
				t.Skipf("batch 1 (%d bytes) is longer than batch 2 (%d)", len(b), len(a))
			}
			os.WriteFile(path, append(b, make([]byte, len(a)-len(b))...), 0o644)
		}, "checksum mismatch (manifest crc32c "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			project(t)
			t.Setenv("SYNTHETIC_ROWS", "3000")
			t.Setenv("BATCH_ROWS", "1000")
			if code, out, _ := cli(t, "run", "synthetic", "--ci"); code != 0 {
				t.Fatalf("first run: %d\n%s", code, out)
			}
			rep := lastReport(t)
			c.change(t, batchFile(t, rep.RunID, 2), batchFile(t, rep.RunID, 1))
			code, out, _ := cli(t, "run", "sqlite", "--from-run", rep.RunID, "--ci")
			if code != 1 {
				t.Fatalf("exit %d, want 1:\n%s", code, out)
			}
			key := "batch s3://connector-dev/synthetic-accounts/" + rep.RunID + "/batch-000002.parquet: " + c.want
			if !strings.Contains(out, key) || !strings.Contains(out, "the object was changed after the source stored it") {
				t.Errorf("output does not say %q:\n%s", key, out)
			}
			if n := countRows(t, ".connector-dev/warehouse.db", "accounts"); n != 3000 {
				t.Errorf("table has %d rows after a refused batch, want the previous 3000", n)
			}
		})
	}
}

// waitForLine waits until the file at path holds want (the child writes
// its run log as it goes), or the child exits, or a minute passes.
func waitForLine(t *testing.T, glob, want string, exited <-chan struct{}) string {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(want)) {
				return p
			}
		}
		select {
		case <-exited:
			t.Fatalf("the run ended before %q was in %s", want, glob)
		case <-deadline:
			t.Fatalf("no %q in %s within a minute", want, glob)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// startChild runs the real binary in the background, as a user would.
func startChild(t *testing.T, bin string, env []string, args ...string) (*exec.Cmd, <-chan struct{}, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	return cmd, exited, &out
}

// kill -9 once a batch is stored: run.log keeps its lines, inspect lists
// the run as incomplete, and --from-run of it says it is incomplete (exit 3).
func TestKilledRunIsIncomplete(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	project(t)
	cmd, exited, _ := startChild(t, bin, []string{"SYNTHETIC_ROWS=200000000", "BATCH_ROWS=20000"}, "run", "synthetic", "--ci")
	logPath := waitForLine(t, ".connector-dev/runs/*/run.log", "batch-000001.parquet", exited)
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	id := filepath.Base(filepath.Dir(logPath))
	b, _ := os.ReadFile(logPath)
	if !bytes.Contains(b, []byte("Generating 200,000,000 synthetic rows")) || !bytes.Contains(b, []byte("batch-000001.parquet")) {
		t.Errorf("run.log after kill -9 (%d bytes) lacks the lines written before it:\n%s", len(b), b)
	}
	code, out, errOut := cli(t, "inspect", "--ci")
	line := lineWith(out, id)
	if code != 0 || !strings.Contains(line, "incomplete") || !strings.Contains(line, "synthetic-accounts") {
		t.Errorf("inspect --ci (exit %d) does not list %s as incomplete:\n%s%s", code, id, out, errOut)
	}
	code, out, errOut = cli(t, "run", "sqlite", "--from-run", id, "--ci")
	msg := strings.TrimSpace(out + errOut)
	if code != 3 || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "run "+id+" is incomplete") || !strings.Contains(msg, "no manifest.json") {
		t.Errorf("--from-run of a killed run: exit %d, want 3 and one line saying it is incomplete:\n%s", code, msg)
	}
}

func lineWith(text, s string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// After Ctrl-C mid-source, the report, the manifest, inspect and the
// objects in S3 agree on every batch: none is half-known.
func TestInterruptedRunCountsAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	project(t)
	cmd, exited, out := startChild(t, bin, []string{"SYNTHETIC_ROWS=200000000", "BATCH_ROWS=20000"}, "run", "synthetic", "--ci")
	waitForLine(t, ".connector-dev/runs/*/run.log", "batch-000003.parquet", exited)
	cmd.Process.Signal(os.Interrupt)
	select {
	case <-exited:
	case <-time.After(time.Minute):
		t.Fatalf("no exit a minute after SIGINT:\n%s", out)
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d, want 130:\n%s", code, out)
	}
	rep := lastReport(t)
	var m harness.Manifest
	b, err := os.ReadFile(filepath.Join(".connector-dev", "runs", rep.RunID, "manifest.json"))
	if err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("manifest of the interrupted run: %v", err)
	}
	var onDisk int
	filepath.WalkDir(".connector-dev/s3", func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(p, rep.RunID) && strings.HasSuffix(p, ".parquet") {
			onDisk++
		}
		return nil
	})
	code, listing, _ := cli(t, "inspect", rep.RunID, "--ci")
	listed := strings.Count(listing, ".parquet")
	if code != 0 || len(rep.Batches) != int(rep.Stages[0].Batches) || len(m.Batches) != len(rep.Batches) || listed != len(rep.Batches) || onDisk != len(rep.Batches) || m.Exit.Reason != "interrupted" {
		t.Errorf("report %d batches (stage says %d), manifest %d (%s), inspect %d, S3 %d: want one count", len(rep.Batches), rep.Stages[0].Batches, len(m.Batches), m.Exit.Reason, listed, onDisk)
	}
	var rows int64
	for _, b := range m.Batches {
		rows += b.Rows
	}
	if rows != m.Rows || rows != rep.Stages[0].Rows {
		t.Errorf("rows: manifest batches %d, manifest total %d, report %d", rows, m.Rows, rep.Stages[0].Rows)
	}
}

// A state folder made before run manifests (the schema in each batch's
// metadata, no manifest.json, no report status) stays readable: inspect
// lists and prints its batches, and --from-run loads them.
func TestStateBeforeManifestsStaysReadable(t *testing.T) {
	repo, _ := os.Getwd()
	project(t)
	if err := os.CopyFS(".connector-dev", os.DirFS(filepath.Join(repo, "testdata", "legacy-state"))); err != nil {
		t.Fatal(err)
	}
	const id = "20261201-100206-2125b1"
	code, out, errOut := cli(t, "inspect", "--ci")
	if line := lineWith(out, id); code != 0 || !strings.Contains(line, "success") || !strings.Contains(line, "300") {
		t.Errorf("inspect --ci: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = cli(t, "inspect", id, "--batch", "2", "--format", "jsonl")
	if code != 0 || strings.Count(out, "\n") != 100 || !strings.Contains(out, `"id":100,`) {
		t.Errorf("inspect --batch 2: exit %d\n%.300s%s", code, out, errOut)
	}
	code, out, errOut = cli(t, "run", "sqlite", "--from-run", id, "--ci")
	if code != 0 || !strings.Contains(out, "made before run manifests") {
		t.Fatalf("--from-run: exit %d\n%s%s", code, out, errOut)
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "accounts"); n != 300 {
		t.Errorf("--from-run loaded %d rows, want 300", n)
	}
}

// kill -9 while the destination loads, after the source finished (the
// destination loads beside it): the manifest is there; inspect lists the run as incomplete with the
// manifest's rows, and --from-run of it loads every row.
func TestKilledInDestinationLoadsFromRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	project(t)
	const rows = 3_000_000
	cmd, exited, _ := startChild(t, bin, []string{fmt.Sprintf("SYNTHETIC_ROWS=%d", rows), "BATCH_ROWS=50000"}, "run", "synthetic", "--ci")
	logPath := waitForLine(t, ".connector-dev/runs/*/run.log", "source      synthetic finished", exited)
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	id := filepath.Base(filepath.Dir(logPath))
	code, out, _ := cli(t, "inspect", "--ci")
	if line := lineWith(out, id); code != 0 || !strings.Contains(line, "incomplete") || !strings.Contains(line, harness.Number(int64(rows))) {
		t.Errorf("inspect --ci does not list %s as incomplete with %d rows:\n%s", id, rows, out)
	}
	code, out, errOut := cli(t, "run", "sqlite", "--from-run", id, "--ci")
	if code != 0 {
		t.Fatalf("--from-run of a run killed in its destination: exit %d\n%s%s", code, out, errOut)
	}
	if n := countRows(t, ".connector-dev/warehouse.db", "accounts"); n != rows {
		t.Errorf("--from-run loaded %d rows, want %d", n, rows)
	}
}
