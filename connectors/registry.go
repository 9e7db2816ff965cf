package connectors

import (
	"fmt"
	"sort"
	"sync"
)

// Kind says whether a connector is a source or a destination.
type Kind string

// The two kinds of connector.
const (
	KindSource      Kind = "source"
	KindDestination Kind = "destination"
)

// Registration is one compiled-in connector.
type Registration struct {
	Name           string
	Kind           Kind
	NewSource      func() Source      // set for sources
	NewDestination func() Destination // set for destinations
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Registration{}
)

// RegisterSource makes a source available by name. Call it from init(); a
// second registration of the same name panics, as database/sql.Register does.
func RegisterSource(name string, newSource func() Source) {
	register(Registration{Name: name, Kind: KindSource, NewSource: newSource})
}

// RegisterDestination makes a destination available by name, from init().
func RegisterDestination(name string, newDestination func() Destination) {
	register(Registration{Name: name, Kind: KindDestination, NewDestination: newDestination})
}

func register(r Registration) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if r.Name == "" || (r.NewSource == nil && r.NewDestination == nil) {
		panic("connectors: Register with an empty name or a nil constructor")
	}
	if _, dup := registry[r.Name]; dup {
		panic(fmt.Sprintf("connectors: %q registered twice", r.Name))
	}
	registry[r.Name] = r
}

// Lookup finds a registered connector by name.
func Lookup(name string) (Registration, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	r, ok := registry[name]
	return r, ok
}

// Registered lists every registered connector, sorted by name.
func Registered() []Registration {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]Registration, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
