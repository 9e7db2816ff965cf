package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connector-dev/harness"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/printer/")

// The headless printer over the event streams the TUI's goldens draw
// (tui's runEvents and failEvents, kept as JSON lines in
// testdata/printer/*_events.jsonl): what `run --ci` prints for a whole run
// and for a failed one is in testdata/printer/*.golden; `go test -run
// TestPrinterGolden -update` rewrites them after a deliberate change.
func TestPrinterGolden(t *testing.T) {
	for _, name := range []string{"run", "failed"} {
		t.Run(name, func(t *testing.T) {
			events, lines := readEvents(t, filepath.Join("testdata", "printer", name+"_events.jsonl"))
			got := printEvents(events, false)
			golden := filepath.Join("testdata", "printer", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("plain output differs from %s (-update rewrites it):\n--- got\n%s--- want\n%s", golden, got, want)
			}
			// --json is every event, progress too, one line each, as the
			// stream has it: a script sees what the dashboard is fed.
			js := strings.Split(strings.TrimSuffix(printEvents(events, true), "\n"), "\n")
			if len(js) != len(lines) {
				t.Fatalf("--json printed %d lines for %d events", len(js), len(lines))
			}
			for i := range js {
				if js[i] != lines[i] {
					t.Errorf("--json line %d:\n got  %s\n want %s", i+1, js[i], lines[i])
				}
			}
		})
	}
}

// readEvents decodes a JSON-lines event file; it returns the events and
// the lines they came from.
func readEvents(t *testing.T, path string) ([]harness.Event, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []harness.Event
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev harness.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("%s line %d: %v", path, len(lines)+1, err)
		}
		events = append(events, ev)
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return events, lines
}

// printEvents is what the headless printer writes for events.
func printEvents(events []harness.Event, jsonLines bool) string {
	var out bytes.Buffer
	p := harness.NewPrinter(&out, jsonLines)
	for _, ev := range events {
		p.Emit(ev)
	}
	p.Close()
	return out.String()
}
