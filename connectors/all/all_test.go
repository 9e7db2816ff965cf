package all_test

import (
	"testing"

	"connector-dev/connectors"
	_ "connector-dev/connectors/all"
)

func TestEveryConnectorRegistered(t *testing.T) {
	for _, want := range []struct {
		name string
		kind connectors.Kind
	}{
		{"salesforce", connectors.KindSource},
		{"synthetic", connectors.KindSource},
		{"sqlite", connectors.KindDestination},
		{"postgres", connectors.KindDestination},
	} {
		r, ok := connectors.Lookup(want.name)
		if !ok || r.Kind != want.kind {
			t.Errorf("%s: registered %v as %q, want a %s", want.name, ok, r.Kind, want.kind)
			continue
		}
		// The constructor of the kind is set and makes a connector.
		if (r.Kind == connectors.KindSource && (r.NewSource == nil || r.NewSource() == nil)) ||
			(r.Kind == connectors.KindDestination && (r.NewDestination == nil || r.NewDestination() == nil)) {
			t.Errorf("%s: no working %s constructor", want.name, want.kind)
		}
	}
}
