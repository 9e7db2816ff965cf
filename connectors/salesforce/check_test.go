package salesforce

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
)

type noNetwork struct{ t *testing.T }

func (n noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	n.t.Errorf("Check made a request: %s %s", r.Method, r.URL.Path)
	return nil, errors.New("no network in a check")
}

// The source's own check refuses a bad setting or credential without a
// request, and never repeats a credential's value.
func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		edit func(rt *connectortest.Runtime)
		want string // "" for success
	}{
		{"valid", func(rt *connectortest.Runtime) {}, ""},
		{"login URL", func(rt *connectortest.Runtime) { rt.EnvVars[EnvLoginURL] = "login.salesforce.com" },
			`SALESFORCE_LOGIN_URL "login.salesforce.com" is not a URL`},
		{"API version", func(rt *connectortest.Runtime) { rt.EnvVars[EnvAPIVersion] = "sixty" },
			`SALESFORCE_API_VERSION "sixty" is not an API version: use the form v62.0`},
		{"retry base", func(rt *connectortest.Runtime) { rt.EnvVars[EnvRetryBase] = "soon" },
			`SALESFORCE_RETRY_BASE "soon" is not a duration`},
		{"no token", func(rt *connectortest.Runtime) { delete(rt.Creds, CredentialToken) },
			`the credentials field "token" is empty: put a Salesforce refresh token in SALESFORCE_TOKEN`},
		{"no object", func(rt *connectortest.Runtime) { rt.JobDetails.SourceObjectID = " " },
			`SourceObjectID is empty`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := connectortest.New(newJob())
			rt.Creds[CredentialToken] = testRefresh
			rt.EnvVars[EnvClientID] = testClient
			rt.EnvVars[EnvClientSecret] = testSecret
			rt.Client = &http.Client{Transport: noNetwork{t}}
			tc.edit(rt)
			reason, msg := rt.RunCheck(context.Background(), &Source{})
			if tc.want == "" {
				if reason != connectors.Success {
					t.Errorf("got %s %q, want success", reason, msg)
				}
				return
			}
			if reason != connectors.Setup || !strings.Contains(msg, tc.want) {
				t.Errorf("got %s %q, want setup containing %q", reason, msg, tc.want)
			}
			if strings.Contains(msg, testSecret) || strings.Contains(msg, testRefresh) {
				t.Errorf("message leaks a secret: %q", msg)
			}
		})
	}
}
