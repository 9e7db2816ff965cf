package connectors

import (
	"context"
	"fmt"
	"sort"
	"testing"
)

type nopSource struct{}

func (nopSource) Run(context.Context, Runtime) error { return nil }

type nopDest struct{}

func (nopDest) Batch(context.Context, Runtime, *Frame) error { return nil }

// registerOnce registers a test connector unless an earlier run of the test
// in this process (go test -count=N) already did: the registry lives as
// long as the process.
func registerOnce(name string, kind Kind) {
	if _, ok := Lookup(name); ok {
		return
	}
	if kind == KindSource {
		RegisterSource(name, func() Source { return nopSource{} })
	} else {
		RegisterDestination(name, func() Destination { return nopDest{} })
	}
}

// panics returns what fn panicked with, or nil.
func panics(fn func()) (p any) {
	defer func() { p = recover() }()
	fn()
	return nil
}

func TestRegisterPanics(t *testing.T) {
	registerOnce("zz-test-dup", KindSource)
	tests := []struct {
		name string
		fn   func()
		want string
	}{
		{"same name again", func() { RegisterSource("zz-test-dup", func() Source { return nopSource{} }) },
			`connectors: "zz-test-dup" registered twice`},
		{"same name as the other kind", func() { RegisterDestination("zz-test-dup", func() Destination { return nopDest{} }) },
			`connectors: "zz-test-dup" registered twice`},
		{"empty name", func() { RegisterSource("", func() Source { return nopSource{} }) },
			"connectors: Register with an empty name or a nil constructor"},
		{"nil source", func() { RegisterSource("zz-test-nil", nil) }, "connectors: Register with an empty name or a nil constructor"},
		{"nil destination", func() { RegisterDestination("zz-test-nil", nil) }, "connectors: Register with an empty name or a nil constructor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if p := panics(tc.fn); fmt.Sprint(p) != tc.want {
				t.Errorf("panicked with %v, want %q", p, tc.want)
			}
		})
	}
	// The first registration stands.
	if r, ok := Lookup("zz-test-dup"); !ok || r.Kind != KindSource || r.NewSource == nil || r.NewDestination != nil {
		t.Errorf("zz-test-dup is %+v after the refused registrations, want the first source", r)
	}
	if _, ok := Lookup("zz-test-nil"); ok {
		t.Errorf("a refused registration was kept")
	}
}

func TestRegistered(t *testing.T) {
	// Registered out of order, they must come back in name order.
	names := []string{"zz-test-b", "zz-test-c", "zz-test-a"}
	kinds := []Kind{KindDestination, KindSource, KindSource}
	for i, n := range names {
		registerOnce(n, kinds[i])
	}
	all := Registered()
	if !sort.SliceIsSorted(all, func(i, j int) bool { return all[i].Name < all[j].Name }) {
		t.Errorf("Registered is not sorted by name: %v", all)
	}
	var got []string
	for _, r := range all {
		switch r.Name {
		case "zz-test-a", "zz-test-b", "zz-test-c":
			got = append(got, r.Name+":"+string(r.Kind))
		}
	}
	want := []string{"zz-test-a:source", "zz-test-b:destination", "zz-test-c:source"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Registered test connectors %v, want %v", got, want)
	}
	r, ok := Lookup("zz-test-b")
	if !ok || r.NewDestination == nil || r.NewDestination() == nil || r.NewSource != nil {
		t.Errorf("Lookup(zz-test-b) = %+v, %v; want a destination with its constructor", r, ok)
	}
	if _, ok := Lookup("zz-test-none"); ok {
		t.Errorf("Lookup found a connector never registered")
	}
}
