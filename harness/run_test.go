package harness_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connector-dev/connectors"

	_ "modernc.org/sqlite"

	_ "connector-dev/connectors/all"
	"connector-dev/harness"
)

// behave is a test source whose Run does what its job's SourceObjectID says.
type behave struct{}

const secretToken = "s3cr3t-refresh-token-value"

// stragglerErr receives what UploadRows said to the "straggler" source's
// goroutine that called it after Run returned.
var stragglerErr = make(chan error, 1)

func (behave) Run(ctx context.Context, rt connectors.Runtime) error {
	f := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64})
	for i := 0; i < 10; i++ {
		f.AppendRow(int64(i))
	}
	switch rt.Job().SourceObjectID {
	case "panic":
		var m map[string]int
		m["boom"] = 1 // a nil-map write: the panic a real bug makes
	case "log_err":
		return rt.LogErr("the API said no")
	case "log_err_dropped":
		rt.LogErr("ended, and the connector dropped the error")
		return nil
	case "no_fail":
		return rt.ExitNoFail("No rows returned")
	case "plain_error":
		return fmt.Errorf("dial tcp: refused")
	case "leak":
		rt.LogInfo("token is %s", rt.Credentials()["token"])
		return rt.LogErr("auth failed for %s", rt.Credentials()["token"])
	case "block":
		rt.UploadRows(ctx, f)
		<-ctx.Done()
		return ctx.Err()
	case "many":
		for i := 0; i < 50; i++ {
			g := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64})
			for k := 0; k < 10; k++ {
				g.AppendRow(int64(i*10 + k))
			}
			if err := rt.UploadRows(ctx, g); err != nil {
				return err
			}
		}
		return nil
	case "dropper": // ignores UploadRows' errors and returns nil
		for i := 0; i < 40; i++ {
			g := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64})
			g.AppendRow(int64(i))
			rt.UploadRows(ctx, g)
			time.Sleep(10 * time.Millisecond)
		}
		return nil
	case "straggler": // leaves a goroutine that uploads after Run returned
		go func() {
			time.Sleep(100 * time.Millisecond)
			stragglerErr <- rt.UploadRows(context.Background(), f)
		}()
		return nil
	case "leak_rows": // a row holds the credential, as an API echoing it would
		g := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64}, connectors.Field{Name: "note", Type: connectors.String})
		g.AppendRow(int64(1), "token "+rt.Credentials()["token"])
		g.AppendRow(int64(2), "plain")
		return rt.UploadRows(ctx, g)
	case "partial":
		rt.UploadRows(ctx, f) // stored at once, though the connector then ends
		return rt.ExitNoFail("stopping early")
	}
	return rt.UploadRows(ctx, f)
}

func init() { connectors.RegisterSource("behave", func() connectors.Source { return behave{} }) }

const testYAML = `behave:
  kind: source
  credentials: [token]
  env: []
sqlite:
  kind: destination
  credentials: [database]
  env: []
`

func setupProject(t *testing.T, object string) harness.Options {
	return setupProjectMethod(t, object, 1)
}

func setupProjectMethod(t *testing.T, object string, method int) harness.Options {
	t.Helper()
	dir := t.TempDir()
	repo, _ := filepath.Abs("..")
	env, err := os.ReadFile(filepath.Join(repo, ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".env", string(env))
	write(".env.credentials", fmt.Sprintf("BEHAVE_TOKEN=%s\nSQLITE_DATABASE=%s\n", secretToken, filepath.Join(dir, "wh.db")))
	write("connectors.yaml", testYAML)
	write("fixtures/behave/job.json", fmt.Sprintf(`{"ETLJobNM": "behave-job", "SourceObjectID": %q, "DestinationObjectID": "t",
		"SourceConnectorNM": "behave", "DestinationConnectorNM": "sqlite", "UpdateMethodCD": %d}`, object, method))
	return harness.Options{Dir: dir, Connector: "behave", S3Memory: true, Environ: []string{}}
}

type collect struct {
	mu     sync.Mutex
	events []harness.Event
}

func (c *collect) Emit(e harness.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, e)
}

func (c *collect) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, e := range c.events {
		b.WriteString(harness.FormatPlain(e) + "\n")
	}
	return b.String()
}

func execute(t *testing.T, opts harness.Options, ctx context.Context) (*harness.Report, string) {
	t.Helper()
	r, err := harness.Plan(opts)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	defer r.Close()
	var c collect
	rep := r.Execute(ctx, &c)
	return rep, c.text()
}

func TestExitReasons(t *testing.T) {
	tests := []struct {
		object string
		reason connectors.ExitReason
		code   int
		want   string // in the output
		rows   int    // in the destination table afterwards
	}{
		{"ok", connectors.Success, 0, "success (code 0)", 10},
		{"panic", connectors.Unhandled, 2, "assignment to entry in nil map", 0},
		{"log_err", connectors.Error, 1, "the API said no", 0},
		{"log_err_dropped", connectors.Error, 1, "connector dropped the error", 0},
		{"no_fail", connectors.NoFail, 0, "No rows returned", 0},
		{"plain_error", connectors.Unhandled, 2, "unhandled error: dial tcp: refused", 0},
		{"partial", connectors.NoFail, 0, "batch-000001.parquet: 10 rows", 0},
	}
	for _, tt := range tests {
		t.Run(tt.object, func(t *testing.T) {
			opts := setupProject(t, tt.object)
			rep, out := execute(t, opts, context.Background())
			if rep.Exit.Reason != tt.reason || rep.ExitCode != tt.code {
				t.Fatalf("exit %s/%d, want %s/%d\n%s", rep.Exit.Reason, rep.ExitCode, tt.reason, tt.code, out)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, out)
			}
			if tt.object == "panic" && !strings.Contains(out, "goroutine ") {
				t.Errorf("a panic's stack belongs in the log:\n%s", out)
			}
			if tt.rows == 0 && len(rep.Stages) > 1 {
				t.Errorf("destination ran after %s", tt.reason)
			}
			if got := tableRows(t, opts); got != tt.rows {
				t.Errorf("destination table has %d rows, want %d", got, tt.rows)
			}
		})
	}
}

func TestSecretsNeverReachOutput(t *testing.T) {
	opts := setupProject(t, "leak")
	rep, out := execute(t, opts, context.Background())
	logFile, _ := os.ReadFile(filepath.Join(opts.Dir, ".connector-dev", "runs", rep.RunID, "run.log"))
	report, _ := os.ReadFile(filepath.Join(opts.Dir, ".connector-dev", "runs", rep.RunID, "report.json"))
	for name, text := range map[string]string{"events": out, "run.log": string(logFile), "report.json": string(report)} {
		if strings.Contains(text, secretToken) {
			t.Errorf("%s holds the secret:\n%s", name, text)
		}
		if !strings.Contains(text, "[REDACTED]") {
			t.Errorf("%s does not show the redaction", name)
		}
	}
}

func TestInterrupted(t *testing.T) {
	opts := setupProject(t, "block")
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(200*time.Millisecond, func() { cancel(harness.ErrInterrupted) })
	rep, out := execute(t, opts, ctx)
	if rep.Exit.Reason != connectors.Interrupted || rep.ExitCode != 130 {
		t.Fatalf("exit %s/%d, want interrupted/130\n%s", rep.Exit.Reason, rep.ExitCode, out)
	}
}

// tableRows counts the rows of table t in the project's warehouse; 0 when
// there is no table (or no database).
func tableRows(t *testing.T, opts harness.Options) int {
	t.Helper()
	path := filepath.Join(opts.Dir, "wh.db")
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM "t"`).Scan(&n); err != nil {
		return 0
	}
	return n
}

// A run cancelled while the destination loads (Replace) leaves the previous
// table whole and exits 130.
func TestInterruptDuringDestinationKeepsTable(t *testing.T) {
	opts := setupProjectMethod(t, "many", 2)
	if rep, out := execute(t, opts, context.Background()); rep.ExitCode != 0 {
		t.Fatalf("first run: %+v\n%s", rep.Exit, out)
	}
	if n := tableRows(t, opts); n != 500 {
		t.Fatalf("first run loaded %d rows, want 500", n)
	}
	r, err := harness.Plan(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancelCause(context.Background())
	var reads int
	rep := r.Execute(ctx, harness.SinkFunc(func(e harness.Event) {
		if e.Kind == harness.EventBatchRead {
			if reads++; reads == 3 {
				cancel(harness.ErrInterrupted)
			}
		}
	}))
	if rep.Exit.Reason != connectors.Interrupted || rep.ExitCode != 130 {
		t.Fatalf("exit %+v code %d, want interrupted 130", rep.Exit, rep.ExitCode)
	}
	// The source may still run (the destination loads beside it): then it
	// is the one reported, interrupted too.
	if reads < 3 {
		t.Fatalf("the destination did not start loading (%d reads)", reads)
	}
	if n := tableRows(t, opts); n != 500 {
		t.Errorf("table has %d rows after the interrupted replace, want the previous 500", n)
	}
}

// A stopped run proves nothing about a fixture: its own code (124) stands.
func TestTimeoutIsNotAnExpectationMiss(t *testing.T) {
	opts := setupProject(t, "block")
	os.WriteFile(filepath.Join(opts.Dir, "fixtures/behave/job.expect.yaml"), []byte("exit: success\n"), 0o644)
	opts.Timeout = 200 * time.Millisecond
	rep, out := execute(t, opts, context.Background())
	if rep.Exit.Reason != connectors.Timeout || rep.ExitCode != 124 {
		t.Fatalf("exit %+v code %d, want timeout 124\n%s", rep.Exit, rep.ExitCode, out)
	}
	if !strings.Contains(out, "not checked: the run was stopped (timeout)") {
		t.Errorf("output:\n%s", out)
	}
}

// Expectation misses quote the exit message: they must quote it scrubbed.
func TestExpectationMissesAreScrubbed(t *testing.T) {
	opts := setupProject(t, "leak")
	os.WriteFile(filepath.Join(opts.Dir, "fixtures/behave/job.expect.yaml"), []byte("exit: success\n"), 0o644)
	rep, out := execute(t, opts, context.Background())
	if rep.ExitCode != 4 {
		t.Fatalf("code %d, want 4\n%s", rep.ExitCode, out)
	}
	raw, _ := os.ReadFile(filepath.Join(opts.Dir, ".connector-dev", "runs", rep.RunID, "report.json"))
	var m struct {
		Expectations struct{ Misses []string }
	}
	json.Unmarshal(raw, &m)
	if len(m.Expectations.Misses) == 0 || strings.Contains(string(raw), secretToken) {
		t.Errorf("report.json misses %v, secret present: %v", m.Expectations.Misses, strings.Contains(string(raw), secretToken))
	}
}

// --from-run refuses a run whose source did not finish: its batches may be
// partial, and a Replace would swap a good table for part of one.
func TestFromRunRefusesPartialSource(t *testing.T) {
	opts := setupProject(t, "block")
	opts.S3Memory = false
	opts.Timeout = 200 * time.Millisecond
	rep, _ := execute(t, opts, context.Background())
	if rep.Exit.Reason != connectors.Timeout {
		t.Fatalf("exit %+v", rep.Exit)
	}
	from := harness.Options{Dir: opts.Dir, Connector: "sqlite", FromRun: rep.RunID, Environ: []string{}}
	_, err := harness.Plan(from)
	if err == nil || !strings.Contains(err.Error(), "ended with timeout: its batches may be partial") {
		t.Fatalf("Plan: %v", err)
	}
}

// A source that drops UploadRows' errors and returns nil after the run's
// deadline did not finish: its exit is timeout, not success.
func TestDroppedRefusalIsNotSuccess(t *testing.T) {
	opts := setupProject(t, "dropper")
	opts.Timeout = 100 * time.Millisecond
	rep, out := execute(t, opts, context.Background())
	if rep.Exit.Reason != connectors.Timeout || rep.Stages[0].Exit.Reason != connectors.Timeout {
		t.Fatalf("exit %+v, source %+v; want timeout\n%s", rep.Exit, rep.Stages[0].Exit, out)
	}
}

// UploadRows from a goroutine the source left behind gets an error, not a
// panic that would take the process down.
func TestUploadAfterRunReturnedIsAnError(t *testing.T) {
	opts := setupProject(t, "straggler")
	execute(t, opts, context.Background())
	select {
	case err := <-stragglerErr:
		if err == nil || !strings.Contains(err.Error(), "after the connector's Run returned") {
			t.Errorf("late UploadRows: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the straggler never returned from UploadRows")
	}
}
