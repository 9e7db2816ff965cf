package synthetic_test

import (
	"context"
	"testing"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/synthetic"
)

// The source's own check refuses its bad settings with the line a user
// sees, before any row is made.
func TestCheck(t *testing.T) {
	tests := []struct {
		env    map[string]string
		reason connectors.ExitReason
		msg    string
	}{
		{nil, connectors.Success, ""},
		{map[string]string{synthetic.RowsEnv: "1000000", synthetic.LogLinesEnv: "5"}, connectors.Success, ""},
		{map[string]string{synthetic.RowsEnv: "abc"}, connectors.Setup, `SYNTHETIC_ROWS="abc" is not a whole number: it must be 0 or more, a row count such as 1000000`},
		{map[string]string{synthetic.RowsEnv: "-5"}, connectors.Setup, `SYNTHETIC_ROWS="-5" is negative: it must be 0 or more, a row count such as 1000000`},
		{map[string]string{synthetic.LogLinesEnv: "many"}, connectors.Setup, `SYNTHETIC_LOG_LINES="many" is not a whole number: it must be 0 or more, a number of lines such as 200000`},
	}
	for _, tc := range tests {
		rt := connectortest.New(nil)
		for k, v := range tc.env {
			rt.EnvVars[k] = v
		}
		reason, msg := rt.RunCheck(context.Background(), synthetic.Source{})
		if reason != tc.reason || msg != tc.msg {
			t.Errorf("%v: got %s %q, want %s %q", tc.env, reason, msg, tc.reason, tc.msg)
		}
		if len(rt.Logs()) != 0 || len(rt.Uploads()) != 0 {
			t.Errorf("%v: the check logged or uploaded: %v", tc.env, rt.Logs())
		}
	}
}
