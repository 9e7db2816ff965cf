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
		{"synthetic", connectors.KindSource},
		{"sqlite", connectors.KindDestination},
	} {
		r, ok := connectors.Lookup(want.name)
		if !ok || r.Kind != want.kind {
			t.Errorf("%s: registered %v as %q, want a %s", want.name, ok, r.Kind, want.kind)
		}
	}
}
