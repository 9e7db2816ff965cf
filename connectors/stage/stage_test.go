package stage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/stage"
)

func frame(n int) *connectors.Frame {
	f := connectors.NewFrame(
		connectors.Field{Name: "id", Type: connectors.Int64},
		connectors.Field{Name: "name", Type: connectors.String, Nullable: true},
		connectors.Field{Name: "at", Type: connectors.Timestamp},
	)
	t0 := time.Date(2026, 1, 31, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		var name any = "n"
		if i%7 == 0 {
			name = nil
		}
		f.AppendRow(int64(i), name, t0.Add(time.Duration(i)*time.Second))
	}
	return f
}

// Each kind of change the fingerprint is meant to catch changes it.
func TestFingerprintSeesChanges(t *testing.T) {
	changes := map[string]func(f *connectors.Frame){
		"first value":   func(f *connectors.Frame) { f.Col("id").Ints[0] = -1 },
		"middle value":  func(f *connectors.Frame) { f.Col("name").Strings[50] = "other" },
		"last value":    func(f *connectors.Frame) { f.Col("at").Micros[99]++ },
		"a null set":    func(f *connectors.Frame) { f.Col("name").Null[99] = true },
		"a row added":   func(f *connectors.Frame) { f.AppendRow(int64(100), "x", time.Time{}) },
		"a column name": func(f *connectors.Frame) { f.Col("id").Name = "ID" },
	}
	for name, change := range changes {
		f := frame(100)
		before := stage.FingerprintOf(f)
		if again := stage.FingerprintOf(f); again != before {
			t.Fatalf("fingerprint not stable: %x then %x", before, again)
		}
		change(f)
		if stage.FingerprintOf(f) == before {
			t.Errorf("%s: fingerprint unchanged", name)
		}
	}
}

// The first ending wins and cancels the connector's context with ErrEnded.
func TestEndingFirstWins(t *testing.T) {
	e := stage.NewEnding(context.Background())
	err := e.End(connectors.NoFail, "No rows returned")
	again := e.End(connectors.Error, "later")
	var ee *connectors.ExitError
	if !errors.As(again, &ee) || ee.Reason != connectors.NoFail || err != again {
		t.Errorf("second End returned %v, want the first ending", again)
	}
	if !errors.Is(context.Cause(e.Context()), stage.ErrEnded) {
		t.Errorf("context cause %v, want ErrEnded", context.Cause(e.Context()))
	}
}

func TestCancelled(t *testing.T) {
	timedOut, cancel := context.WithTimeoutCause(context.Background(), time.Nanosecond, stage.ErrTimeout)
	defer cancel()
	<-timedOut.Done()
	deadline, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()
	interrupted, cancel3 := context.WithCancelCause(context.Background())
	cancel3(stage.ErrInterrupted)
	for _, tc := range []struct {
		ctx    context.Context
		text   string
		reason connectors.ExitReason
		msg    string
	}{
		{timedOut, "--timeout 1ns passed", connectors.Timeout, "--timeout 1ns passed"},
		{deadline, "", connectors.Timeout, "timeout: context deadline exceeded"},
		{interrupted, "--timeout 1ns passed", connectors.Interrupted, "interrupted"},
	} {
		if reason, msg := stage.Cancelled(tc.ctx, tc.text); reason != tc.reason || msg != tc.msg {
			t.Errorf("Cancelled: %s %q, want %s %q", reason, msg, tc.reason, tc.msg)
		}
	}
}

// BenchmarkFingerprint is the cost per batch of the check against frames
// changed after UploadRows: a batch of 50,000 rows of three columns.
func BenchmarkFingerprint(b *testing.B) {
	f := frame(50000)
	for b.Loop() {
		stage.FingerprintOf(f)
	}
}
