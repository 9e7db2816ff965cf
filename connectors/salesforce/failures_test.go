package salesforce

// How the source fails: each error path, retries and their backoff.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/salesforce/salesforcetest"
)

func TestFailures(t *testing.T) {
	type setup struct {
		org *salesforcetest.Org
		rt  *connectortest.Runtime
	}
	cases := []struct {
		name       string
		prep       func(s setup)
		reason     connectors.ExitReason
		msg        []string        // substrings of the exit message
		sleeps     []time.Duration // the backoff waits, in units of the 10ms base unless set
		tokenCalls int             // 0: not checked
	}{
		{name: "invalid_grant", prep: func(s setup) { s.rt.Creds[CredentialToken] = "revoked-refresh-token" },
			reason: connectors.Error, msg: []string{"invalid_grant", "expired access/refresh token", "SALESFORCE_TOKEN"}},
		{name: "invalid client", prep: func(s setup) { s.rt.EnvVars[EnvClientSecret] = "wrong-secret" },
			reason: connectors.Error, msg: []string{"invalid_client", EnvClientSecret}},
		{name: "empty result", prep: func(s setup) { s.org.Records = nil },
			reason: connectors.NoFail, msg: []string{"No rows returned"}},
		{name: "session expires mid-run", prep: func(s setup) { s.org.Inject(salesforcetest.More, salesforcetest.SessionExpired()) },
			reason: connectors.Success, tokenCalls: 2},
		{name: "session expires twice", prep: func(s setup) {
			s.org.Inject(salesforcetest.More, salesforcetest.SessionExpired(), salesforcetest.SessionExpired())
		}, reason: connectors.Error, msg: []string{"again", "INVALID_SESSION_ID"}, tokenCalls: 2},
		{name: "503 then success", prep: func(s setup) { s.org.Inject(salesforcetest.Query, salesforcetest.ServiceUnavailable()) },
			reason: connectors.Success, sleeps: []time.Duration{10 * time.Millisecond}},
		{name: "503 on the token endpoint", prep: func(s setup) { s.org.Inject(salesforcetest.Token, salesforcetest.ServiceUnavailable()) },
			reason: connectors.Success, sleeps: []time.Duration{10 * time.Millisecond}},
		{name: "503 until retries run out", prep: func(s setup) {
			for i := 0; i < 5; i++ {
				s.org.Inject(salesforcetest.More, salesforcetest.ServiceUnavailable())
			}
		}, reason: connectors.Error, msg: []string{"503", "after 4 retries", "/query/"},
			sleeps: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond}},
		{name: "429 honours Retry-After", prep: func(s setup) {
			s.org.Inject(salesforcetest.Describe, salesforcetest.TooManyRequests("7"))
		}, reason: connectors.Success, sleeps: []time.Duration{7 * time.Second}},
		{name: "Retry-After capped", prep: func(s setup) {
			s.org.Inject(salesforcetest.Describe, salesforcetest.TooManyRequests("86400"))
		}, reason: connectors.Success, sleeps: []time.Duration{maxRetryDelay}},
		{name: "403 REQUEST_LIMIT_EXCEEDED retried", prep: func(s setup) {
			s.org.Inject(salesforcetest.Query, salesforcetest.RequestLimitExceeded(), salesforcetest.RequestLimitExceeded())
		}, reason: connectors.Success, sleeps: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}},
		{name: "403 other is not retried", prep: func(s setup) {
			s.org.Inject(salesforcetest.Query, salesforcetest.Fault{Status: 403, Body: `[{"message":"Insufficient access","errorCode":"INSUFFICIENT_ACCESS"}]`})
		}, reason: connectors.Error, msg: []string{"INSUFFICIENT_ACCESS", "GET /services/data/v62.0/query"}},
		{name: "unknown object", prep: func(s setup) { s.rt.JobDetails.SourceObjectID = "Acount" },
			reason: connectors.Error, msg: []string{"NOT_FOUND", "/sobjects/Acount/describe"}},
		{name: "unknown mapped field", prep: func(s setup) {
			s.rt.JobDetails.JobDataJSON = `{"columns":[{"source":"Id"},{"source":"Revenue"}]}`
		}, reason: connectors.Error, msg: []string{`"Revenue"`, "Account"}},
		{name: "token reply not JSON", prep: func(s setup) { s.org.Inject(salesforcetest.Token, salesforcetest.Malformed("<html>")) },
			reason: connectors.Unhandled, msg: []string{"POST /services/oauth2/token"}},
		{name: "token reply without instance_url", prep: func(s setup) {
			s.org.Inject(salesforcetest.Token, salesforcetest.Malformed(`{"access_token":"00Dxx!secret-access"}`))
		}, reason: connectors.Unhandled, msg: []string{"instance_url", "/services/oauth2/token"}},
		{name: "describe not JSON", prep: func(s setup) { s.org.Inject(salesforcetest.Describe, salesforcetest.Malformed(`{"fields":[`)) },
			reason: connectors.Unhandled, msg: []string{"GET /services/data/v62.0/sobjects/Account/describe"}},
		{name: "describe without fields", prep: func(s setup) { s.org.Inject(salesforcetest.Describe, salesforcetest.Malformed(`{"name":"Account"}`)) },
			reason: connectors.Unhandled, msg: []string{"without fields"}},
		{name: "page without records", prep: func(s setup) {
			s.org.Inject(salesforcetest.Query, salesforcetest.Malformed(`{"totalSize":3,"done":true}`))
		},
			reason: connectors.Unhandled, msg: []string{"without records", "GET /services/data/v62.0/query"}},
		{name: "page not done without next", prep: func(s setup) {
			s.org.Inject(salesforcetest.Query, salesforcetest.Malformed(`{"totalSize":3,"done":false,"records":[]}`))
		}, reason: connectors.Unhandled, msg: []string{"nextRecordsUrl"}},
		{name: "next page not JSON", prep: func(s setup) { s.org.Inject(salesforcetest.More, salesforcetest.Malformed(`oops`)) },
			reason: connectors.Unhandled, msg: []string{"GET /services/data/v62.0/query/01g"}},
		{name: "value of the wrong type", prep: func(s setup) {
			s.rt.JobDetails.JobDataJSON = `{"columns":[{"source":"Id"},{"source":"NumberOfEmployees"}]}`
			s.org.Inject(salesforcetest.Query, salesforcetest.Malformed(`{"totalSize":1,"done":true,"records":[{"Id":"001","NumberOfEmployees":"many"}]}`))
		}, reason: connectors.Unhandled, msg: []string{"NumberOfEmployees", "many"}},
		{name: "record missing a field", prep: func(s setup) {
			s.org.Inject(salesforcetest.Query, salesforcetest.Malformed(pageOK))
		}, reason: connectors.Unhandled, msg: []string{"has no field Name"}},
		{name: "no refresh token", prep: func(s setup) { delete(s.rt.Creds, CredentialToken) },
			reason: connectors.Error, msg: []string{"SALESFORCE_TOKEN"}},
		{name: "bad retry base", prep: func(s setup) { s.rt.EnvVars[EnvRetryBase] = "soon" },
			reason: connectors.Error, msg: []string{EnvRetryBase, "soon"}},
		{name: "bad API version", prep: func(s setup) { s.rt.EnvVars[EnvAPIVersion] = "latest" },
			reason: connectors.Error, msg: []string{EnvAPIVersion}},
		{name: "bad login URL", prep: func(s setup) { s.rt.EnvVars[EnvLoginURL] = "login.salesforce.com" },
			reason: connectors.Error, msg: []string{EnvLoginURL}},
		{name: "unreachable", prep: func(s setup) { s.rt.EnvVars[EnvLoginURL] = "http://127.0.0.1:1" },
			reason: connectors.Error, msg: []string{"no answer from Salesforce to POST /services/oauth2/token"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			org := newOrg(250)
			srv := httptest.NewServer(org)
			defer srv.Close()
			rt := newRuntime(srv)
			c.prep(setup{org, rt})
			src, sleeps := sleepsSource()
			if c.name == "bad retry base" {
				src.retryBase = 0
			}
			reason, msg := rt.RunSource(context.Background(), src)
			if reason != c.reason {
				t.Fatalf("exit %s (%s), want %s\nlogs: %v", reason, msg, c.reason, rt.Logs())
			}
			for _, m := range c.msg {
				if !strings.Contains(msg, m) {
					t.Errorf("exit message %q lacks %q", msg, m)
				}
			}
			if c.sleeps != nil && fmt.Sprint(*sleeps) != fmt.Sprint(c.sleeps) {
				t.Errorf("waited %v, want %v", *sleeps, c.sleeps)
			}
			if c.sleeps == nil && len(*sleeps) > 0 {
				t.Errorf("waited %v, want no retries", *sleeps)
			}
			tokens := map[string]bool{}
			calls := 0
			for _, r := range org.Requests() {
				if r.Kind == salesforcetest.Token {
					calls++
				}
				if r.Bearer != "" {
					tokens[r.Bearer] = true
				}
			}
			if c.tokenCalls != 0 && calls != c.tokenCalls {
				t.Errorf("%d logins, want %d", calls, c.tokenCalls)
			}
			if c.tokenCalls == 2 && len(tokens) != 2 {
				t.Errorf("requests carried %d access tokens, want 2 (the new one after the refresh)", len(tokens))
			}
			// No secret reaches a log line or the exit message.
			secrets := []string{testRefresh, testSecret, "secret-access"}
			for tok := range tokens {
				secrets = append(secrets, tok)
			}
			for _, l := range append(rt.Logs(), connectortest.Log{Message: msg}) {
				for _, s := range secrets {
					if strings.Contains(l.Message, s) {
						t.Errorf("log line %q holds a secret", l.Message)
					}
				}
			}
			if c.reason == connectors.Success && rt.RowCount() != int64(inWindow(org)) {
				t.Errorf("uploaded %d rows, want %d", rt.RowCount(), inWindow(org))
			}
		})
	}
}

// TestBackoffHonoursContext: a cancelled run stops waiting.
func TestBackoffHonoursContext(t *testing.T) {
	org := newOrg(10)
	org.Inject(salesforcetest.Query, salesforcetest.ServiceUnavailable())
	srv := httptest.NewServer(org)
	defer srv.Close()
	rt := newRuntime(srv)
	ctx, cancel := context.WithCancel(context.Background())
	src := &Source{retryBase: time.Minute}
	done := make(chan connectors.ExitReason, 1)
	go func() {
		reason, _ := rt.RunSource(ctx, src)
		done <- reason
	}()
	// Cancel once the connector announced its wait.
	for !loggedRetry(rt) {
		select {
		case reason := <-done:
			t.Fatalf("run ended %s before waiting: %v", reason, rt.Logs())
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	if reason := <-done; reason == connectors.Success {
		t.Errorf("a cancelled run ended %s", reason)
	}
	if rt.RowCount() != 0 {
		t.Errorf("uploaded %d rows after cancel", rt.RowCount())
	}
}

func loggedRetry(rt *connectortest.Runtime) bool {
	for _, l := range rt.Logs() {
		if strings.Contains(l.Message, "retry 1 of 4 in 1m0s") {
			return true
		}
	}
	return false
}

func TestRetryBaseFromEnv(t *testing.T) {
	org := newOrg(10)
	org.Inject(salesforcetest.Query, salesforcetest.ServiceUnavailable(), salesforcetest.ServiceUnavailable())
	srv := httptest.NewServer(org)
	defer srv.Close()
	rt := newRuntime(srv)
	rt.EnvVars[EnvRetryBase] = "3ms"
	src, sleeps := sleepsSource()
	src.retryBase = 0
	if reason, msg := rt.RunSource(context.Background(), src); reason != connectors.Success {
		t.Fatalf("exit %s: %s", reason, msg)
	}
	if want := "[3ms 6ms]"; fmt.Sprint(*sleeps) != want {
		t.Errorf("waited %v, want %s", *sleeps, want)
	}
}

func TestRegistered(t *testing.T) {
	r, ok := connectors.Lookup("salesforce")
	if !ok || r.Kind != connectors.KindSource || r.NewSource == nil {
		t.Fatalf("salesforce is not registered as a source: %+v", r)
	}
}

func FuzzAppendValue(f *testing.F) {
	for _, s := range []string{`"a"`, `null`, `1`, `1.5`, `true`, `"2026-01-01"`, `"2026-01-01T00:00:00.000+0000"`, `{}`, `"\u00e9"`, `-`} {
		for _, typ := range []string{"string", "int", "double", "boolean", "date", "datetime"} {
			f.Add(typ, s)
		}
	}
	f.Fuzz(func(t *testing.T, sfType, raw string) {
		col := &connectors.Column{Field: connectors.Field{Name: "f", Type: frameType(sfType), Nullable: true}}
		if err := appendValue(col, sfType, json.RawMessage(raw)); err != nil {
			if col.Len() != 0 {
				t.Fatalf("a failed append left %d values", col.Len())
			}
			return
		}
		if col.Len() != 1 || len(col.Null) != 1 {
			t.Fatalf("one append made %d values and %d null flags", col.Len(), len(col.Null))
		}
	})
}
