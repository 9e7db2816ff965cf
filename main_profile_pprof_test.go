package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"runtime/pprof"
	"testing"
)

// gzipped is b gzip-compressed, as `gzip FILE` leaves it.
func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writtenProfile is a profile as runtime/pprof writes it: "heap",
// "goroutine", or "cpu".
func writtenProfile(t testing.TB, name string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if name == "cpu" {
		if err := pprof.StartCPUProfile(&buf); err != nil {
			t.Fatalf("StartCPUProfile: %v", err)
		}
		pprof.StopCPUProfile()
		return buf.Bytes()
	}
	if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A pprof file is gzip holding a protobuf Profile: a gzipped text file is
// not one (a profile run would overwrite the user's file), what
// runtime/pprof writes is, cut short or whole.
func TestIsProfileNeedsProtobuf(t *testing.T) {
	heap := writtenProfile(t, "heap")
	tests := []struct {
		name string
		body []byte
		want bool
	}{
		{"heap profile", heap, true},
		{"goroutine profile", writtenProfile(t, "goroutine"), true},
		{"cpu profile", writtenProfile(t, "cpu"), true},
		{"profile cut short", heap[:len(heap)/2], true},
		{"empty", nil, true},
		{"gzipped notes", gzipped(t, []byte("my notes\nsecond line of them\n")), false},
		{"gzipped capitalised text", gzipped(t, []byte("Hi\n")), false},
		{"gzipped json", gzipped(t, []byte(`{"ETLJobNM": "daily"}`)), false},
		{"gzipped csv", gzipped(t, []byte("id,name\n1,Oslo\n")), false},
		{"gzip header only", []byte{0x1f, 0x8b, 0x08}, false},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "f")
			if err := os.WriteFile(p, tt.body, 0o644); err != nil {
				t.Fatal(err)
			}
			if got := isProfile(p, "--cpuprofile"); got != tt.want {
				t.Errorf("isProfile = %v, want %v", got, tt.want)
			}
		})
	}
}

// FuzzProfileMessage: a Profile accepted whole is accepted cut anywhere
// (a run that died writing its profile left an old profile, not a user's
// file), and the gzip layer changes no answer.
func FuzzProfileMessage(f *testing.F) {
	f.Add([]byte("my notes\n"))
	f.Add([]byte("\x48\x01\x0a\x04\x08\x01\x10\x02"))
	f.Add([]byte("\x6a\x02\x01\x02\x32\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		whole := profileMessage(b, true)
		if whole && len(b) <= 512 {
			for i := range b {
				if !profileMessage(b[:i], false) {
					t.Fatalf("%q is a Profile but its first %d bytes are refused", b, i)
				}
			}
		}
		if len(b) < pprofHead && isPprof(bytes.NewReader(gzipped(t, b))) != whole {
			t.Errorf("%q: gzipped %v, plain %v", b, !whole, whole)
		}
	})
}
