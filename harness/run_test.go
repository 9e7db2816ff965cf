package harness_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connector-dev/connectors"
	_ "connector-dev/connectors/all"
	"connector-dev/harness"
)

// behave is a test source whose Run does what its job's SourceObjectID says.
type behave struct{}

const secretToken = "s3cr3t-refresh-token-value"

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
		"SourceConnectorNM": "behave", "DestinationConnectorNM": "sqlite", "UpdateMethodCD": 1}`, object))
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
	if err := r.Start(); err != nil {
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
