package harness

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestLevelRank: LOG_LEVEL keeps the lines at or above it, and a level the
// harness does not know is kept as an info line is, by the one ranking.
func TestLevelRank(t *testing.T) {
	levels := []Level{LevelDebug, LevelInfo, LevelWarn, LevelError, "notice", ""}
	for _, tt := range []struct {
		logLevel string
		want     []Level
	}{
		{"debug", levels},
		{"info", []Level{LevelInfo, LevelWarn, LevelError, "notice", ""}},
		{"warn", []Level{LevelWarn, LevelError}},
		{"error", []Level{LevelError}},
	} {
		t.Run(tt.logLevel, func(t *testing.T) {
			var got []Level
			em := &emitter{sink: SinkFunc(func(e Event) { got = append(got, e.Level) }), scrub: newScrubber(nil),
				clock: func() time.Time { return time.Time{} }, minLevel: Level(tt.logLevel).Rank()}
			for _, l := range levels {
				em.log("source", l, "line at "+string(l))
			}
			if strings.Join(levelWords(got), ",") != strings.Join(levelWords(tt.want), ",") {
				t.Errorf("LOG_LEVEL=%s passed %q, want %q", tt.logLevel, got, tt.want)
			}
		})
	}
}

func levelWords(ls []Level) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = string(l)
	}
	return out
}

// TestLevelJSON: --json and report files keep the level as its word.
func TestLevelJSON(t *testing.T) {
	b, err := json.Marshal(Event{Kind: EventLog, Level: LevelWarn, Message: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"level":"warn"`) {
		t.Errorf("json %s lacks \"level\":\"warn\"", b)
	}
	var e Event
	if err := json.Unmarshal([]byte(`{"kind":"log","level":"error"}`), &e); err != nil || e.Level != LevelError {
		t.Errorf("unmarshal level: %q, %v", e.Level, err)
	}
}
