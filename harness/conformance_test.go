package harness_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/stage"
	"connector-dev/harness"
)

// conformance is one behaviour a source can show, run against both
// runtimes: the harness (Plan, Start, Execute) and connectortest.
type conformance struct {
	name    string
	mapping string // JobDataJSON; empty maps nothing
	// run is the source's Run; hooks reach the test's side of the run.
	run func(ctx context.Context, rt connectors.Runtime, h *conformHooks) error
	// check, when set, is the source's own Check (connectors.Checker).
	check   func() error
	cancel  bool // the user cancels the run (Ctrl-C) when the source asks
	timeout bool // the run has a deadline that passes while the source waits

	reason connectors.ExitReason
	msg    string
	// harnessMsg is the harness's message where it differs, because it
	// names its own flag or the connector; empty: the same as msg.
	harnessMsg string
	warnings   []string // warnings logged during the run, in order
	late       string   // what a late UploadRows (after Run returned) was told
}

// conformHooks are what a conformance source reaches of its test.
type conformHooks struct {
	cancel func()     // cancel the run as the user would
	late   chan error // what UploadRows said to a goroutine left behind
}

// conformCurrent is the case the registered "conform" source plays now.
// The cases run one at a time.
var conformCurrent atomic.Pointer[conformRun]

type conformRun struct {
	c *conformance
	h *conformHooks
}

type conformSource struct{}

func (conformSource) Run(ctx context.Context, rt connectors.Runtime) error {
	cur := conformCurrent.Load()
	return cur.c.run(ctx, rt, cur.h)
}

func (conformSource) Check(context.Context, connectors.CheckRuntime) error {
	if cur := conformCurrent.Load(); cur != nil && cur.c.check != nil {
		return cur.c.check()
	}
	return nil
}

func init() {
	connectors.RegisterSource("conform", func() connectors.Source { return conformSource{} })
}

func ids(n ...int64) *connectors.Frame {
	f := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64})
	for _, v := range n {
		f.AppendRow(v)
	}
	return f
}

// waitDone blocks until ctx ends and returns its error, as a connector
// that honours cancellation does.
func waitDone(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(30 * time.Second):
		return errors.New("the context was never cancelled")
	}
}

var conformances = []conformance{
	{name: "returns nil", reason: connectors.Success,
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			rt.LogInfo("uploading %d rows", 3)
			return rt.UploadRows(ctx, ids(1, 2, 3))
		}},
	{name: "LogErr", reason: connectors.Error, msg: "the API said no: 403",
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			return rt.LogErr("the API said no: %d", 403)
		}},
	{name: "LogUnhandled", reason: connectors.Unhandled, msg: "unexpected page token",
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			return rt.LogUnhandled("unexpected page token")
		}},
	{name: "ExitNoFail", reason: connectors.NoFail, msg: "No rows returned",
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			return rt.ExitNoFail("No rows returned")
		}},
	{name: "ending then returning nil", reason: connectors.Error, msg: "ended, and the error dropped",
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			_ = rt.LogErr("ended, and the error dropped")
			return nil
		}},
	{name: "two endings, the first wins", reason: connectors.NoFail, msg: "No rows returned",
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			_ = rt.ExitNoFail("No rows returned")
			return rt.LogErr("later")
		}},
	{name: "ending stops the context", reason: connectors.Error, msg: "stop",
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			_ = rt.LogErr("stop")
			return waitDone(ctx)
		}},
	{name: "panic with a value", reason: connectors.Unhandled, msg: "panic: oops",
		run: func(context.Context, connectors.Runtime, *conformHooks) error { panic("oops") }},
	{name: "panic with an error", reason: connectors.Unhandled, msg: "panic: bad state",
		run: func(context.Context, connectors.Runtime, *conformHooks) error { panic(errors.New("bad state")) }},
	{name: "ending before a panic wins", reason: connectors.Error, msg: "first",
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			_ = rt.LogErr("first")
			panic("then")
		}},
	{name: "returned error", reason: connectors.Unhandled, msg: "dial tcp: refused",
		run: func(context.Context, connectors.Runtime, *conformHooks) error { return fmt.Errorf("dial tcp: refused") }},
	{name: "context cancelled by the user", cancel: true, reason: connectors.Interrupted, msg: "interrupted",
		run: func(ctx context.Context, rt connectors.Runtime, h *conformHooks) error {
			h.cancel()
			return waitDone(ctx)
		}},
	{name: "cancelled, then returned nil", cancel: true, reason: connectors.Success,
		run: func(ctx context.Context, rt connectors.Runtime, h *conformHooks) error {
			h.cancel()
			waitDone(ctx)
			return nil // it finished its work: a nil return stands
		}},
	// The harness names its flag; connectortest has none to name.
	{name: "timeout", timeout: true, reason: connectors.Timeout, msg: "timeout: context deadline exceeded",
		harnessMsg: "--timeout 1ms passed",
		run:        func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error { return waitDone(ctx) }},
	{name: "upload after return", reason: connectors.Success, late: stage.MsgAfterReturn,
		run: func(ctx context.Context, rt connectors.Runtime, h *conformHooks) error {
			go func() {
				<-ctx.Done() // cancelled when Run returns
				h.late <- rt.UploadRows(context.Background(), ids(1))
			}()
			return nil
		}},
	{name: "nil frame", reason: connectors.Unhandled, msg: "UploadRows: nil frame",
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			return rt.UploadRows(ctx, nil)
		}},
	{name: "invalid frame", reason: connectors.Unhandled, msg: `UploadRows: frame: column "b" has 1 rows, column "a" has 2`,
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			f := connectors.NewFrame(connectors.Field{Name: "a", Type: connectors.Int64}, connectors.Field{Name: "b", Type: connectors.Int64})
			f.Col("a").Ints, f.Col("b").Ints = []int64{1, 2}, []int64{1}
			return rt.UploadRows(ctx, f)
		}},
	{name: "schema change between uploads", reason: connectors.Unhandled,
		msg: "UploadRows: column 1 is id string (nullable false), earlier frames had id int64 (nullable false)",
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			if err := rt.UploadRows(ctx, ids(1)); err != nil {
				return err
			}
			g := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.String})
			g.AppendRow("1")
			return rt.UploadRows(ctx, g)
		}},
	{name: "unmapped column", mapping: `{"columns":[{"source":"id"},{"source":"email"}]}`, reason: connectors.Setup,
		msg: `JobDataJSON maps a column the source does not have: no column "email" (the frame has id)`,
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			_ = rt.UploadRows(ctx, ids(1)) // dropped: the ending holds
			return nil
		}},
	{name: "mutating a frame after handing it over", reason: connectors.Unhandled, msg: stage.MsgHandedAgain,
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			f := ids(1, 2, 3)
			if err := rt.UploadRows(ctx, f); err != nil {
				return err
			}
			f.AppendRow(int64(4)) // a buffer refilled in place, then handed over again
			_ = rt.UploadRows(ctx, f)
			return nil
		}},
	{name: "formatting verbs in a message passed as the format", reason: connectors.Success,
		warnings: []string{formatHint()},
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			rt.LogInfo("100% done") // should be LogInfo("%s", text)
			return nil
		}},
	{name: "formatting verb that does not fit", reason: connectors.Error, msg: "HTTP %!d(string=teapot)",
		warnings: []string{formatHint()},
		run: func(ctx context.Context, rt connectors.Runtime, _ *conformHooks) error {
			return rt.LogErr("HTTP %d", "teapot")
		}},
	// The harness prefixes the connector's name: it checks two connectors.
	{name: "own setup error (connectors.Checker)", reason: connectors.Setup,
		msg: `CONFORM_PAGE_SIZE="x" is not a whole number: set it to a page size such as 100`, harnessMsg: `conform: CONFORM_PAGE_SIZE="x" is not a whole number: set it to a page size such as 100`,
		check: func() error {
			return errors.New(`CONFORM_PAGE_SIZE="x" is not a whole number:
				set it to a page size such as 100`)
		},
		run: func(context.Context, connectors.Runtime, *conformHooks) error {
			return errors.New("ran despite a failed check")
		}},
}

// formatHint is the warning both runtimes log after a line with "%!" in it.
func formatHint() string {
	w, _ := stage.FormatWarning("%!")
	return w
}

// outcome is what a run showed: the part a user sees that both runtimes
// must agree on.
type outcome struct {
	reason   connectors.ExitReason
	code     int
	msg      string
	warnings []string
	late     string
}

// TestConformance runs each behaviour under the harness and under
// connectortest and wants the same reason, code, message, warnings and
// late-upload error from both.
func TestConformance(t *testing.T) {
	for i := range conformances {
		c := &conformances[i]
		t.Run(c.name, func(t *testing.T) {
			want := outcome{reason: c.reason, code: c.reason.Code(), msg: c.msg, warnings: c.warnings, late: c.late}
			got := conformHarness(t, c)
			hwant := want
			if c.harnessMsg != "" {
				hwant.msg = c.harnessMsg
			}
			if d := diffOutcome(got, hwant); d != "" {
				t.Errorf("harness: %s", d)
			}
			if d := diffOutcome(conformFake(t, c), want); d != "" {
				t.Errorf("connectortest: %s", d)
			}
		})
	}
}

func diffOutcome(got, want outcome) string {
	if got.reason != want.reason || got.code != want.code || got.msg != want.msg {
		return fmt.Sprintf("ended %s (code %d) %q, want %s (code %d) %q", got.reason, got.code, got.msg, want.reason, want.code, want.msg)
	}
	if fmt.Sprint(got.warnings) != fmt.Sprint(want.warnings) {
		return fmt.Sprintf("warnings %q, want %q", got.warnings, want.warnings)
	}
	if got.late != want.late {
		return fmt.Sprintf("late UploadRows got %q, want %q", got.late, want.late)
	}
	return ""
}

// runContext is the context both runtimes get: cancellable by the hooks
// as a user's Ctrl-C (harness.ErrInterrupted), or with a passing deadline.
func runContext(t *testing.T, c *conformance) (context.Context, *conformHooks) {
	ctx, cancel := context.WithCancelCause(context.Background())
	t.Cleanup(func() { cancel(nil) })
	h := &conformHooks{cancel: func() { cancel(harness.ErrInterrupted) }, late: make(chan error, 1)}
	return ctx, h
}

func lateError(t *testing.T, c *conformance, h *conformHooks) string {
	if c.late == "" {
		return ""
	}
	select {
	case err := <-h.late:
		if err == nil {
			return "<nil>"
		}
		return err.Error()
	case <-time.After(30 * time.Second):
		t.Fatal("the late UploadRows never returned")
		return ""
	}
}

func conformHarness(t *testing.T, c *conformance) outcome {
	t.Helper()
	dir := t.TempDir()
	repo, _ := filepath.Abs("..")
	env, err := os.ReadFile(filepath.Join(repo, ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	mapping := c.mapping
	if mapping == "" {
		mapping = "{}"
	}
	for name, body := range map[string]string{
		".env":             string(env),
		".env.credentials": "",
		"connectors.yaml":  "conform:\n  kind: source\n  credentials: []\n  env: []\n",
		"fixtures/conform/job.json": fmt.Sprintf(`{"ETLJobNM": "conform-job", "SourceObjectID": "x", "SourceConnectorNM": "conform",
			"UpdateMethodCD": 1, "JobDataJSON": %s}`, mapping),
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts := harness.Options{Dir: dir, Connector: "conform", S3Memory: true, Environ: []string{}}
	if c.timeout {
		opts.Timeout = time.Millisecond
	}
	ctx, h := runContext(t, c)
	conformCurrent.Store(&conformRun{c: c, h: h})
	defer conformCurrent.Store(nil)
	r, err := harness.Plan(opts)
	var se *harness.SetupError
	if errors.As(err, &se) {
		return outcome{reason: connectors.Setup, code: connectors.Setup.Code(), msg: se.Error()}
	}
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	defer r.Close()
	var events collect
	rep := r.Execute(ctx, &events)
	out := outcome{reason: rep.Exit.Reason, code: rep.ExitCode, msg: rep.Exit.Message, late: lateError(t, c, h)}
	events.mu.Lock()
	for _, e := range events.events {
		if e.Kind == harness.EventLog && e.Stage == stage.Source && e.Level == harness.LevelWarn {
			out.warnings = append(out.warnings, e.Message)
		}
	}
	events.mu.Unlock()
	return out
}

func conformFake(t *testing.T, c *conformance) outcome {
	t.Helper()
	rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "conform-job", SourceObjectID: "x", SourceConnectorNM: "conform",
		UpdateMethodCD: connectors.Append, JobDataJSON: connectors.JSONText(c.mapping)})
	ctx, h := runContext(t, c)
	if c.timeout {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Millisecond)
		defer cancel()
	}
	conformCurrent.Store(&conformRun{c: c, h: h})
	defer conformCurrent.Store(nil)
	reason, msg := rt.RunCheck(ctx, conformSource{})
	if reason == connectors.Success {
		reason, msg = rt.RunSource(ctx, conformSource{})
	}
	return outcome{reason: reason, code: reason.Code(), msg: msg, warnings: rt.Warnings(), late: lateError(t, c, h)}
}
