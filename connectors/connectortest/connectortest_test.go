package connectortest_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/stage"
)

// sourceFunc and destFunc make a connector of a function.
type sourceFunc func(ctx context.Context, rt connectors.Runtime) error

func (f sourceFunc) Run(ctx context.Context, rt connectors.Runtime) error { return f(ctx, rt) }

type destFunc func(ctx context.Context, rt connectors.Runtime, f *connectors.Frame) error

func (d destFunc) Batch(ctx context.Context, rt connectors.Runtime, f *connectors.Frame) error {
	return d(ctx, rt, f)
}

var (
	idField   = connectors.Field{Name: "id", Type: connectors.Int64}
	nameField = connectors.Field{Name: "name", Type: connectors.String, Nullable: true}
)

// frame builds a frame of fields with one row per id, named "n<id>".
func frame(t *testing.T, fields []connectors.Field, ids ...int64) *connectors.Frame {
	t.Helper()
	f := connectors.NewFrame(fields...)
	for _, id := range ids {
		row := []any{id}
		for _, fd := range fields[1:] {
			switch fd.Type {
			case connectors.String:
				row = append(row, "n"+string(rune('0'+id%10)))
			case connectors.Int64:
				row = append(row, id)
			default:
				t.Fatalf("frame: no value for %s", fd.Type)
			}
		}
		if err := f.AppendRow(row...); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func job(mapping string) *connectors.JobDetails {
	return &connectors.JobDetails{ETLJobNM: "t", SourceConnectorNM: "s", UpdateMethodCD: connectors.Append, JobDataJSON: connectors.JSONText(mapping)}
}

func TestUploadRowsErrors(t *testing.T) {
	base := []connectors.Field{idField, nameField}
	broken := connectors.FrameOf(&connectors.Column{Field: idField, Ints: []int64{1, 2}}, &connectors.Column{Field: nameField, Strings: []string{"a"}})
	tests := []struct {
		name   string
		second *connectors.Frame
		want   string
	}{
		{"nil frame", nil, "UploadRows: nil frame"},
		{"invalid frame", broken, `UploadRows: frame: column "name" has 1 rows, column "id" has 2`},
		{"a column more", frame(t, []connectors.Field{idField, nameField, {Name: "extra", Type: connectors.Int64}}, 1),
			"UploadRows: frame has 3 columns, earlier frames had 2 (id:int64,name:string?)"},
		{"a column less", frame(t, []connectors.Field{idField}, 1),
			"UploadRows: frame has 1 columns, earlier frames had 2 (id:int64,name:string?)"},
		{"renamed", frame(t, []connectors.Field{idField, {Name: "title", Type: connectors.String, Nullable: true}}, 1),
			"UploadRows: column 2 is title string (nullable true), earlier frames had name string (nullable true)"},
		{"retyped", frame(t, []connectors.Field{idField, {Name: "name", Type: connectors.Int64, Nullable: true}}, 1),
			"UploadRows: column 2 is name int64 (nullable true), earlier frames had name string (nullable true)"},
		{"not nullable any more", frame(t, []connectors.Field{idField, {Name: "name", Type: connectors.String}}, 1),
			"UploadRows: column 2 is name string (nullable false), earlier frames had name string (nullable true)"},
		{"reordered", frame(t, []connectors.Field{{Name: "name", Type: connectors.Int64, Nullable: true}, {Name: "id", Type: connectors.Int64}}, 1),
			"UploadRows: column 1 is name int64 (nullable true), earlier frames had id int64 (nullable false)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := connectortest.New(nil)
			var got error
			reason, msg := rt.RunSource(t.Context(), sourceFunc(func(ctx context.Context, rt connectors.Runtime) error {
				if err := rt.UploadRows(ctx, frame(t, base, 1, 2)); err != nil {
					return err
				}
				got = rt.UploadRows(ctx, tc.second)
				// The error is not an ending: the source may go on with a good frame.
				return rt.UploadRows(ctx, frame(t, base, 3))
			}))
			if got == nil || got.Error() != tc.want {
				t.Errorf("UploadRows error %v, want %q", got, tc.want)
			}
			if reason != connectors.Success || rt.Exit() != nil {
				t.Errorf("run ended %s (%s), exit %v; want success", reason, msg, rt.Exit())
			}
			if n := len(rt.Uploads()); n != 2 || rt.RowCount() != 3 {
				t.Errorf("kept %d frames, %d rows; want 2 frames, 3 rows", n, rt.RowCount())
			}
		})
	}
}

func TestUploadRowsMappingMissingColumn(t *testing.T) {
	tests := []struct {
		name string
		// source is the connector; it drops UploadRows' error in some cases.
		source func(t *testing.T) sourceFunc
	}{
		{"error returned", func(t *testing.T) sourceFunc {
			return func(ctx context.Context, rt connectors.Runtime) error {
				return rt.UploadRows(ctx, frame(t, []connectors.Field{idField, nameField}, 1))
			}
		}},
		{"error dropped", func(t *testing.T) sourceFunc {
			return func(ctx context.Context, rt connectors.Runtime) error {
				_ = rt.UploadRows(ctx, frame(t, []connectors.Field{idField, nameField}, 1))
				select {
				case <-ctx.Done():
				case <-time.After(10 * time.Second):
					return errors.New("context not cancelled after the setup ending")
				}
				_ = rt.UploadRows(ctx, frame(t, []connectors.Field{idField, nameField}, 2))
				return nil
			}
		}},
		{"error wrapped as another reason", func(t *testing.T) sourceFunc {
			return func(ctx context.Context, rt connectors.Runtime) error {
				if err := rt.UploadRows(ctx, frame(t, []connectors.Field{idField, nameField}, 1)); err != nil {
					return rt.LogErr("upload: %v", err)
				}
				return nil
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := connectortest.New(job(`{"columns":[{"source":"id"},{"source":"email","destination":"mail"}]}`))
			reason, msg := rt.RunSource(t.Context(), tc.source(t))
			if reason != connectors.Setup {
				t.Fatalf("run ended %s (%s), want setup", reason, msg)
			}
			want := `JobDataJSON maps a column the source does not have: no column "email" (the frame has id, name)`
			if msg != want {
				t.Errorf("message %q, want %q", msg, want)
			}
			if e := rt.Exit(); e == nil || e.Reason != connectors.Setup || e.Message != want {
				t.Errorf("recorded exit %v, want setup: %s", e, want)
			}
			if logs := rt.Logs(); len(logs) == 0 || logs[0] != (connectortest.Log{Level: "error", Message: want}) {
				t.Errorf("logs %v, want first an error line %q", logs, want)
			}
			if n := len(rt.Uploads()); n != 0 || rt.RowCount() != 0 {
				t.Errorf("kept %d frames, %d rows after the setup ending; want none", n, rt.RowCount())
			}
		})
	}
}

func TestUploadRowsEmptyFrameFixesSchemaButIsNoBatch(t *testing.T) {
	rt := connectortest.New(nil)
	var errs []error
	reason, msg := rt.RunSource(t.Context(), sourceFunc(func(ctx context.Context, rt connectors.Runtime) error {
		errs = append(errs, rt.UploadRows(ctx, frame(t, []connectors.Field{idField, nameField})))
		errs = append(errs, rt.UploadRows(ctx, frame(t, []connectors.Field{idField}, 1)))
		errs = append(errs, rt.UploadRows(ctx, frame(t, []connectors.Field{idField, nameField}, 1, 2)))
		return nil
	}))
	if reason != connectors.Success {
		t.Fatalf("run ended %s: %s", reason, msg)
	}
	if errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Errorf("errors %v, want only the second frame (other columns) refused", errs)
	}
	if n := len(rt.Uploads()); n != 1 || rt.RowCount() != 2 {
		t.Errorf("%d batches, %d rows; want 1 batch of 2 rows", n, rt.RowCount())
	}
}

// A test calling a connector's helpers directly, outside RunSource, still
// gets the mapping checked.
func TestUploadRowsOutsideRun(t *testing.T) {
	rt := connectortest.New(job(`{"columns":[{"source":"email"}]}`))
	err := rt.UploadRows(t.Context(), frame(t, []connectors.Field{idField}, 1))
	var ee *connectors.ExitError
	if !errors.As(err, &ee) || ee.Reason != connectors.Setup || !strings.Contains(ee.Message, `no column "email"`) {
		t.Fatalf("UploadRows error %v, want a setup ending naming email", err)
	}
}

func TestRunBatches(t *testing.T) {
	fields := []connectors.Field{idField, nameField}
	tests := []struct {
		name    string
		mapping string
		input   []*connectors.Frame
		dropErr bool
		reason  connectors.ExitReason
		msg     string
		batches [][]string // the column names each Batch call saw
		rows    int64
	}{
		{"no mapping passes columns through", "", []*connectors.Frame{frame(t, fields, 1, 2), frame(t, fields, 3)}, false,
			connectors.Success, "", [][]string{{"id", "name"}, {"id", "name"}}, 3},
		{"mapping selects and renames", `{"columns":[{"source":"name","destination":"who"},{"source":"id"}]}`,
			[]*connectors.Frame{frame(t, fields, 1, 2)}, false, connectors.Success, "", [][]string{{"who", "id"}}, 2},
		{"batch lacking a mapped column", `{"columns":[{"source":"id"},{"source":"name"}]}`,
			[]*connectors.Frame{frame(t, fields, 1), frame(t, []connectors.Field{idField}, 2), frame(t, fields, 3)}, false,
			connectors.Setup, `JobDataJSON maps a column batch 2 lacks: no column "name" (the frame has id)`, [][]string{{"id", "name"}}, 1},
		{"same, error dropped by the destination", `{"columns":[{"source":"id"},{"source":"name"}]}`,
			[]*connectors.Frame{frame(t, fields, 1), frame(t, []connectors.Field{idField}, 2), frame(t, fields, 3)}, true,
			connectors.Setup, `JobDataJSON maps a column batch 2 lacks: no column "name" (the frame has id)`, [][]string{{"id", "name"}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := connectortest.New(job(tc.mapping))
			rt.Input = tc.input
			var seen [][]string
			d := destFunc(func(ctx context.Context, rt connectors.Runtime, f *connectors.Frame) error {
				var names []string
				for _, fd := range f.Fields() {
					names = append(names, fd.Name)
				}
				seen = append(seen, names)
				return nil
			})
			var dest connectors.Destination = d
			if tc.dropErr {
				dest = runnerDest{d, func(ctx context.Context, rt connectors.Runtime) error {
					_ = rt.RunBatches(ctx)
					if ctx.Err() == nil {
						return errors.New("context not cancelled after the setup ending")
					}
					return nil
				}}
			}
			reason, msg := rt.RunDestination(t.Context(), dest)
			if reason != tc.reason || msg != tc.msg {
				t.Errorf("run ended %s %q, want %s %q", reason, msg, tc.reason, tc.msg)
			}
			if tc.reason == connectors.Setup {
				if e := rt.Exit(); e == nil || e.Reason != connectors.Setup {
					t.Errorf("recorded exit %v, want setup", e)
				}
			}
			if !equal(seen, tc.batches) {
				t.Errorf("Batch saw columns %v, want %v", seen, tc.batches)
			}
			if rt.RowCount() != tc.rows {
				t.Errorf("RowCount %d, want %d", rt.RowCount(), tc.rows)
			}
		})
	}
}

// runnerDest is a destination with its own Run.
type runnerDest struct {
	destFunc
	run sourceFunc
}

func (r runnerDest) Run(ctx context.Context, rt connectors.Runtime) error { return r.run(ctx, rt) }

func equal(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], ",") != strings.Join(b[i], ",") {
			return false
		}
	}
	return true
}

func TestUploadRowsFromDestination(t *testing.T) {
	rt := connectortest.New(nil)
	var got error
	rt.RunDestination(t.Context(), runnerDest{nil, func(ctx context.Context, rt connectors.Runtime) error {
		got = rt.UploadRows(ctx, frame(t, []connectors.Field{idField}, 1))
		return nil
	}})
	if got == nil || !strings.Contains(got.Error(), "only sources upload rows") {
		t.Errorf("UploadRows from a destination: %v, want an error", got)
	}
	if len(rt.Uploads()) != 0 {
		t.Errorf("a destination's upload was kept")
	}
}

func TestEndings(t *testing.T) {
	tests := []struct {
		name   string
		job    *connectors.JobDetails
		ctx    func(t *testing.T) context.Context
		run    sourceFunc
		reason connectors.ExitReason
		msg    string
		ran    bool
		// recorded: the ending is kept for Exit (an ending call or a setup problem).
		recorded bool
	}{
		{name: "success", run: func(context.Context, connectors.Runtime) error { return nil }, reason: connectors.Success, ran: true},
		{name: "LogErr dropped", run: func(ctx context.Context, rt connectors.Runtime) error {
			_ = rt.LogErr("bad %s", "thing")
			return nil
		}, reason: connectors.Error, msg: "bad thing", ran: true, recorded: true},
		{name: "first ending wins", run: func(ctx context.Context, rt connectors.Runtime) error {
			_ = rt.ExitNoFail("No rows returned")
			return rt.LogUnhandled("later")
		}, reason: connectors.NoFail, msg: "No rows returned", ran: true, recorded: true},
		{name: "plain error", run: func(context.Context, connectors.Runtime) error { return errors.New("boom") },
			reason: connectors.Unhandled, msg: "boom", ran: true},
		{name: "panic", run: func(context.Context, connectors.Runtime) error { panic("oops") },
			reason: connectors.Unhandled, msg: "panic: oops", ran: true},
		{name: "ending before a panic wins", run: func(ctx context.Context, rt connectors.Runtime) error {
			_ = rt.LogErr("first")
			panic("then")
		}, reason: connectors.Error, msg: "first", ran: true, recorded: true},
		{name: "bad mapping is setup before the run", job: job(`{"columns":[{"source":"a"},{"source":"a"}]}`),
			run: func(context.Context, connectors.Runtime) error { return nil }, reason: connectors.Setup,
			msg: `JobDataJSON: source column "a" is mapped twice`, recorded: true},
		{name: "bad window is setup before the run",
			job: &connectors.JobDetails{ETLJobNM: "t", UpdateMethodCD: connectors.Append, StartSelectionNM: "Tomorrow"},
			run: func(context.Context, connectors.Runtime) error { return nil }, reason: connectors.Setup,
			msg: `StartSelectionNM "Tomorrow" is not known: use one of Today, Yesterday, Custom, or leave it empty for no bound`, recorded: true},
		{name: "cancelled from outside is interrupted",
			ctx: func(t *testing.T) context.Context {
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				return ctx
			},
			run: func(ctx context.Context, _ connectors.Runtime) error { return ctx.Err() }, reason: connectors.Interrupted, msg: "interrupted", ran: true},
		{name: "deadline from outside is timeout",
			ctx: func(t *testing.T) context.Context {
				ctx, cancel := context.WithDeadline(t.Context(), time.Unix(0, 0))
				t.Cleanup(cancel)
				return ctx
			},
			run: func(ctx context.Context, _ connectors.Runtime) error { return ctx.Err() }, reason: connectors.Timeout,
			msg: "timeout: context deadline exceeded", ran: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := connectortest.New(tc.job)
			ctx := t.Context()
			if tc.ctx != nil {
				ctx = tc.ctx(t)
			}
			ran := false
			reason, msg := rt.RunSource(ctx, sourceFunc(func(ctx context.Context, rt connectors.Runtime) error {
				ran = true
				return tc.run(ctx, rt)
			}))
			if reason != tc.reason || msg != tc.msg {
				t.Errorf("run ended %s %q, want %s %q", reason, msg, tc.reason, tc.msg)
			}
			if ran != tc.ran {
				t.Errorf("connector ran: %v, want %v", ran, tc.ran)
			}
			// An ending the connector called or the runtime chose is kept for Exit.
			e := rt.Exit()
			if tc.recorded && (e == nil || e.Reason != tc.reason || e.Message != tc.msg) {
				t.Errorf("recorded exit %v, want %s %q", e, tc.reason, tc.msg)
			}
			if !tc.recorded && e != nil {
				t.Errorf("recorded exit %v, want none", e)
			}
		})
	}
}

func TestPanicLoggedWithStack(t *testing.T) {
	rt := connectortest.New(nil)
	rt.RunSource(t.Context(), sourceFunc(func(context.Context, connectors.Runtime) error { panic("oops") }))
	logs := rt.Logs()
	if len(logs) != 1 || logs[0].Level != "unhandled" || !strings.HasPrefix(logs[0].Message, "panic: oops\n") ||
		!strings.Contains(logs[0].Message, "connectortest_test.go") {
		t.Errorf("logs %v, want one unhandled line with the panic and its stack", logs)
	}
}

// The window is resolved once, when the run starts, as in the harness.
func TestWindowFixedAtStart(t *testing.T) {
	rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "t", UpdateMethodCD: connectors.Append,
		StartSelectionNM: "Yesterday", EndSelectionNM: "Today", TimezoneOffsetNBR: -5})
	rt.Clock = time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC) // still 28 Feb in UTC-5
	var during, later connectors.Window
	rt.RunSource(t.Context(), sourceFunc(func(ctx context.Context, r connectors.Runtime) error {
		rt.Clock = rt.Clock.Add(48 * time.Hour)
		during = r.Window()
		return nil
	}))
	later = rt.Window()
	want := connectors.Window{Start: time.Date(2026, 2, 27, 5, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 1, 5, 0, 0, 0, time.UTC)}
	if during != want {
		t.Errorf("window during the run %v, want %v", during, want)
	}
	if later == want {
		t.Errorf("window outside a run %v did not follow Clock", later)
	}
}

func TestWindowOutsideRunPanicsOnBadJob(t *testing.T) {
	rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "t", UpdateMethodCD: connectors.Append, StartSelectionNM: "Custom"})
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "StartValueTXT is empty") {
			t.Errorf("recovered %v, want a panic naming StartValueTXT", p)
		}
	}()
	rt.Window()
}

// A frame changed in place after UploadRows took it would reach S3 changed
// (or be caught before encoding) under the harness: the fake catches it
// when the source returns, even if the source did nothing else wrong.
func TestFrameChangedAfterUploadIsUnhandled(t *testing.T) {
	rt := connectortest.New(nil)
	reason, msg := rt.RunSource(t.Context(), sourceFunc(func(ctx context.Context, rt connectors.Runtime) error {
		f := frame(t, []connectors.Field{idField, nameField}, 1, 2)
		if err := rt.UploadRows(ctx, f); err != nil {
			return err
		}
		f.Col("id").Ints[1] = 99 // a buffer reused in place
		return nil
	}))
	if reason != connectors.Unhandled || msg != stage.MsgChanged {
		t.Errorf("run ended %s %q, want unhandled %q", reason, msg, stage.MsgChanged)
	}
	if logs := rt.Logs(); len(logs) == 0 || logs[len(logs)-1] != (connectortest.Log{Level: "unhandled", Message: stage.MsgChanged}) {
		t.Errorf("logs %v, want the ending last", logs)
	}
}

// Warnings lists the "%!" hint once per line that needs it, and nothing for
// a line formatted right.
func TestWarnings(t *testing.T) {
	rt := connectortest.New(nil)
	rt.RunSource(t.Context(), sourceFunc(func(ctx context.Context, rt connectors.Runtime) error {
		rt.LogInfo("50%% done")
		rt.LogInfo("100% done")
		return nil
	}))
	hint, _ := stage.FormatWarning("%!")
	if w := rt.Warnings(); len(w) != 1 || w[0] != hint {
		t.Errorf("warnings %q, want one %q", w, hint)
	}
	logs := rt.Logs()
	if len(logs) != 3 || logs[0].Message != "50% done" || logs[2] != (connectortest.Log{Level: "warn", Message: hint}) {
		t.Errorf("logs %v, want the warning right after the line it is about", logs)
	}
}

// After RunSource returned, UploadRows is refused as the harness refuses
// it, until the next run.
func TestUploadAfterRunRefused(t *testing.T) {
	rt := connectortest.New(nil)
	rt.RunSource(t.Context(), sourceFunc(func(context.Context, connectors.Runtime) error { return nil }))
	err := rt.UploadRows(t.Context(), frame(t, []connectors.Field{idField, nameField}, 1))
	if err == nil || err.Error() != stage.MsgAfterReturn {
		t.Errorf("UploadRows after the run: %v, want %q", err, stage.MsgAfterReturn)
	}
	if n := len(rt.Uploads()); n != 0 {
		t.Errorf("kept %d frames after the run", n)
	}
}

// As in a run, a batch's frame is lent for one Batch call: a destination
// that keeps it (against connectors.Destination's contract) finds it zeroed
// afterwards, one that copies what it needs keeps its values, a string
// taken from the frame stays valid, and Input itself is left as it was.
func TestBatchFrameIsLentForOneCall(t *testing.T) {
	fields := []connectors.Field{idField, nameField}
	rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "t", UpdateMethodCD: connectors.Append})
	rt.Input = []*connectors.Frame{frame(t, fields, 1, 2), frame(t, fields, 3)}
	var kept []*connectors.Frame
	var ids []int64
	var names []string
	reason, msg := rt.RunDestination(context.Background(), destFunc(func(ctx context.Context, rt connectors.Runtime, f *connectors.Frame) error {
		kept = append(kept, f)
		ids = append(ids, f.Col("id").Ints...)
		names = append(names, f.Col("name").Strings...)
		return nil
	}))
	if reason != connectors.Success {
		t.Fatalf("%s: %s", reason, msg)
	}
	if got := kept[0].Col("id").Ints; got[0] != 0 || got[1] != 0 {
		t.Errorf("a kept frame still holds ids %v after its Batch returned, want them zeroed", got)
	}
	if want := []int64{1, 2, 3}; !slices.Equal(ids, want) {
		t.Errorf("copied ids %v, want %v", ids, want)
	}
	if want := []string{"n1", "n2", "n3"}; !slices.Equal(names, want) {
		t.Errorf("kept strings %q, want %q", names, want)
	}
	if got := rt.Input[0].Col("id").Ints; got[0] != 1 || got[1] != 2 {
		t.Errorf("Input changed to %v", got)
	}
}
