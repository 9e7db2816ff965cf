package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/salesforce/salesforcetest"
)

const (
	testRefresh = "5Aep861-test-refresh-token"
	testClient  = "3MVG9-test-client-id"
	testSecret  = "test-client-secret-42"
)

var (
	jan1 = time.Date(2026, 1, 1, 5, 0, 0, 0, time.UTC) // 2026-01-01 00:00 at UTC-5
	feb1 = time.Date(2026, 2, 1, 5, 0, 0, 0, time.UTC)
)

const testMapping = `{"columns":[
 {"source":"Id","destination":"id"},
 {"source":"Name","destination":"name"},
 {"source":"IsDeleted","destination":"is_deleted"},
 {"source":"AnnualRevenue","destination":"annual_revenue"},
 {"source":"NumberOfEmployees","destination":"employees"},
 {"source":"Discount__c","destination":"discount"},
 {"source":"LastModifiedDate","destination":"last_modified"},
 {"source":"LastActivityDate","destination":"last_activity"},
 {"source":"Description","destination":"description"}]}`

// newOrg is an org with n Accounts modified around January 2026 (some
// before and after the job's window), in pages of 100.
func newOrg(n int) *salesforcetest.Org {
	return &salesforcetest.Org{
		Object:       "Account",
		Fields:       salesforcetest.AccountFields(),
		Records:      salesforcetest.Accounts(n, 7, jan1.AddDate(0, 0, -10), feb1.AddDate(0, 0, 10)),
		PageSize:     100,
		ClientID:     testClient,
		ClientSecret: testSecret,
		RefreshToken: testRefresh,
	}
}

func newJob() *connectors.JobDetails {
	return &connectors.JobDetails{
		ETLJobNM:          "sf_test",
		JobDataJSON:       connectors.JSONText(testMapping),
		SourceObjectID:    "Account",
		SourceConnectorNM: "salesforce",
		FilteredColumnNM:  "LastModifiedDate",
		StartSelectionNM:  "Custom",
		StartValueTXT:     "2026-01-01",
		EndSelectionNM:    "Custom",
		EndValueTXT:       "2026-01-31",
		TimezoneOffsetNBR: -5,
		UpdateMethodCD:    connectors.Replace,
	}
}

func newRuntime(srv *httptest.Server) *connectortest.Runtime {
	rt := connectortest.New(newJob())
	rt.Creds[CredentialToken] = testRefresh
	rt.EnvVars[EnvLoginURL] = srv.URL
	rt.EnvVars[EnvClientID] = testClient
	rt.EnvVars[EnvClientSecret] = testSecret
	rt.Client = srv.Client()
	rt.Clock = time.Date(2026, 2, 15, 12, 0, 0, 0, time.UTC)
	return rt
}

// sleeps is a Source whose waits are recorded, not slept.
func sleepsSource() (*Source, *[]time.Duration) {
	var mu sync.Mutex
	var got []time.Duration
	s := &Source{retryBase: 10 * time.Millisecond, sleep: func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, d)
		return ctx.Err()
	}}
	return s, &got
}

// inWindow counts the org's records the job's window selects, independently
// of the connector.
func inWindow(org *salesforcetest.Org) int {
	n := 0
	for _, r := range org.Records {
		t, err := time.Parse("2006-01-02T15:04:05.000-0700", r["LastModifiedDate"].(string))
		if err != nil {
			panic(err)
		}
		if !t.Before(jan1) && t.Before(feb1) {
			n++
		}
	}
	return n
}

func TestRunUploadsEveryPage(t *testing.T) {
	org := newOrg(450)
	srv := httptest.NewServer(org)
	defer srv.Close()
	rt := newRuntime(srv)
	src, _ := sleepsSource()

	reason, msg := rt.RunSource(context.Background(), src)
	if reason != connectors.Success {
		t.Fatalf("exit %s: %s\nlogs: %v", reason, msg, rt.Logs())
	}
	want := inWindow(org)
	if want <= 200 || want == 450 {
		t.Fatalf("test data: %d of 450 records in the window; want more than 2 pages and some outside", want)
	}
	if got := rt.RowCount(); got != int64(want) {
		t.Errorf("uploaded %d rows, want %d", got, want)
	}
	if rt.ExpectedOut != int64(want) {
		t.Errorf("SetExpectedRows(%d), want %d", rt.ExpectedOut, want)
	}
	ups := rt.Uploads()
	if pages := (want + 99) / 100; len(ups) != pages {
		t.Errorf("%d uploads, want one per page (%d)", len(ups), pages)
	}

	var soql string
	for _, r := range org.Requests() {
		if r.Kind == salesforcetest.Query {
			soql = r.SOQL
		}
	}
	wantSOQL := "SELECT Id, Name, IsDeleted, AnnualRevenue, NumberOfEmployees, Discount__c, LastModifiedDate, LastActivityDate, Description FROM Account" +
		" WHERE LastModifiedDate >= 2026-01-01T05:00:00Z AND LastModifiedDate < 2026-02-01T05:00:00Z"
	if soql != wantSOQL {
		t.Errorf("SOQL\n got %s\nwant %s", soql, wantSOQL)
	}

	wantTypes := map[string]connectors.Type{
		"Id": connectors.String, "Name": connectors.String, "IsDeleted": connectors.Bool,
		"AnnualRevenue": connectors.Float64, "NumberOfEmployees": connectors.Int64, "Discount__c": connectors.Float64,
		"LastModifiedDate": connectors.Timestamp, "LastActivityDate": connectors.Timestamp, "Description": connectors.String,
	}
	for _, f := range ups[0].Fields() {
		if f.Type != wantTypes[f.Name] || !f.Nullable {
			t.Errorf("column %s: %s nullable=%v, want %s nullable", f.Name, f.Type, f.Nullable, wantTypes[f.Name])
		}
	}

	// Every value arrives as the org holds it, nulls as nulls.
	byID := map[string]salesforcetest.Record{}
	for _, r := range org.Records {
		byID[r["Id"].(string)] = r
	}
	nulls := 0
	for _, f := range ups {
		for i := 0; i < f.Len(); i++ {
			row := f.Row(i)
			rec := byID[row[0].(string)]
			for j, fd := range f.Fields() {
				if row[j] == nil {
					nulls++
				}
				if got, want := fmt.Sprint(row[j]), expectValue(rec[fd.Name], fd.Type); got != want {
					t.Fatalf("record %s field %s: got %s, want %s", row[0], fd.Name, got, want)
				}
			}
		}
	}
	if nulls == 0 {
		t.Error("no nulls came through; the org has them")
	}

	var pageLogs int
	for _, l := range rt.Logs() {
		if strings.HasPrefix(l.Message, "page ") && strings.HasSuffix(l.Message, fmt.Sprintf("of %d records", want)) {
			pageLogs++
		}
	}
	if pageLogs != len(ups) {
		t.Errorf("%d page log lines, want %d: %v", pageLogs, len(ups), rt.Logs())
	}
}

// expectValue renders an org value the way the frame should hold it.
func expectValue(v any, typ connectors.Type) string {
	if v == nil {
		return "<nil>"
	}
	switch typ {
	case connectors.Timestamp:
		s := v.(string)
		if t, err := time.Parse("2006-01-02T15:04:05.000-0700", s); err == nil {
			return t.UTC().String()
		}
		t, _ := time.Parse("2006-01-02", s)
		return t.String()
	case connectors.Int64:
		return fmt.Sprint(int64(v.(int)))
	}
	return fmt.Sprint(v)
}

// TestUploadsAsPagesArrive checks a page is uploaded before the next is asked for.
func TestUploadsAsPagesArrive(t *testing.T) {
	org := newOrg(450)
	var rt *connectortest.Runtime
	var mu sync.Mutex
	var uploadedBefore []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/query/") {
			mu.Lock()
			uploadedBefore = append(uploadedBefore, len(rt.Uploads()))
			mu.Unlock()
		}
		org.ServeHTTP(w, r)
	}))
	defer srv.Close()
	rt = newRuntime(srv)
	src, _ := sleepsSource()
	if reason, msg := rt.RunSource(context.Background(), src); reason != connectors.Success {
		t.Fatalf("exit %s: %s", reason, msg)
	}
	for i, n := range uploadedBefore {
		if n != i+1 {
			t.Errorf("before page %d was asked for, %d pages were uploaded; want %d", i+2, n, i+1)
		}
	}
}

func TestAllFieldsWithoutMapping(t *testing.T) {
	org := newOrg(50)
	srv := httptest.NewServer(org)
	defer srv.Close()
	rt := newRuntime(srv)
	rt.JobDetails.JobDataJSON = ""
	src, _ := sleepsSource()
	if reason, msg := rt.RunSource(context.Background(), src); reason != connectors.Success {
		t.Fatalf("exit %s: %s", reason, msg)
	}
	var names []string
	for _, f := range rt.Uploads()[0].Fields() {
		names = append(names, f.Name)
	}
	var want []string
	for _, f := range salesforcetest.AccountFields() {
		if f.Type != "address" {
			want = append(want, f.Name)
		}
	}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("columns\n got %v\nwant %v (every field but the compound address)", names, want)
	}
}

func TestFrameType(t *testing.T) {
	cases := map[string]connectors.Type{
		"id": connectors.String, "string": connectors.String, "picklist": connectors.String,
		"multipicklist": connectors.String, "textarea": connectors.String, "email": connectors.String,
		"phone": connectors.String, "url": connectors.String, "reference": connectors.String,
		"combobox": connectors.String, "encryptedstring": connectors.String, "time": connectors.String,
		"anyType": connectors.String, "boolean": connectors.Bool, "int": connectors.Int64,
		"double": connectors.Float64, "currency": connectors.Float64, "percent": connectors.Float64,
		"date": connectors.Timestamp, "datetime": connectors.Timestamp,
	}
	for sf, want := range cases {
		if got := frameType(sf); got != want {
			t.Errorf("frameType(%q) = %s, want %s", sf, got, want)
		}
	}
}

func TestAppendValue(t *testing.T) {
	cases := []struct {
		sfType, raw string
		want        any // nil: null; error: "error"
	}{
		{"string", `"Acme"`, "Acme"},
		{"string", `"say \"hi\"\n"`, "say \"hi\"\n"},
		{"string", `null`, nil},
		{"string", `42`, "42"},
		{"string", `{"a":1}`, "error"},
		{"time", `"10:30:00.000Z"`, "10:30:00.000Z"},
		{"boolean", `true`, true},
		{"boolean", `"yes"`, "error"},
		{"int", `250`, int64(250)},
		{"int", `12.0`, int64(12)},
		{"int", `12.5`, "error"},
		{"double", `1.5E7`, 1.5e7},
		{"currency", `"x"`, "error"},
		{"date", `"2026-01-15"`, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)},
		{"datetime", `"2026-01-15T10:22:33.000+0000"`, time.Date(2026, 1, 15, 10, 22, 33, 0, time.UTC)},
		{"datetime", `"2026-01-15T10:22:33.000-0500"`, time.Date(2026, 1, 15, 15, 22, 33, 0, time.UTC)},
		{"datetime", `"yesterday"`, "error"},
		{"datetime", `null`, nil},
	}
	for _, c := range cases {
		col := &connectors.Column{Field: connectors.Field{Name: "f", Type: frameType(c.sfType), Nullable: true}}
		err := appendValue(col, c.sfType, json.RawMessage(c.raw))
		if c.want == "error" {
			if err == nil {
				t.Errorf("%s %s: got %v, want an error", c.sfType, c.raw, col.Value(0))
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %s: %v", c.sfType, c.raw, err)
			continue
		}
		got := col.Value(0)
		if gt, ok := got.(time.Time); ok {
			if !gt.Equal(c.want.(time.Time)) {
				t.Errorf("%s %s: got %v, want %v", c.sfType, c.raw, got, c.want)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s %s: got %#v, want %#v", c.sfType, c.raw, got, c.want)
		}
	}
}

func TestQueryWindow(t *testing.T) {
	desc := &description{Name: "Account", byName: map[string]int{}}
	for i, f := range salesforcetest.AccountFields() {
		desc.Fields = append(desc.Fields, describeField{Name: f.Name, Type: f.Type, Nillable: f.Nillable})
		desc.byName[strings.ToLower(f.Name)] = i
	}
	const sel = "SELECT Id, Name FROM Account"
	cases := []struct {
		name    string
		edit    func(j *connectors.JobDetails)
		want    string // the SOQL, or the error's substring after "error: "
		wantErr bool
	}{
		{"datetime window in UTC", func(j *connectors.JobDetails) {},
			sel + " WHERE LastModifiedDate >= 2026-01-01T05:00:00Z AND LastModifiedDate < 2026-02-01T05:00:00Z", false},
		{"date field in the job's zone", func(j *connectors.JobDetails) { j.FilteredColumnNM = "SLAExpirationDate__c" },
			sel + " WHERE SLAExpirationDate__c >= 2026-01-01 AND SLAExpirationDate__c < 2026-02-01", false},
		{"field name case-insensitive", func(j *connectors.JobDetails) { j.FilteredColumnNM = "lastmodifieddate" },
			sel + " WHERE LastModifiedDate >= 2026-01-01T05:00:00Z AND LastModifiedDate < 2026-02-01T05:00:00Z", false},
		{"start only", func(j *connectors.JobDetails) { j.EndSelectionNM = "" },
			sel + " WHERE LastModifiedDate >= 2026-01-01T05:00:00Z", false},
		{"end only", func(j *connectors.JobDetails) { j.StartSelectionNM = "" },
			sel + " WHERE LastModifiedDate < 2026-02-01T05:00:00Z", false},
		{"no bounds", func(j *connectors.JobDetails) { j.StartSelectionNM, j.EndSelectionNM = "", "" }, sel, false},
		{"no filter column", func(j *connectors.JobDetails) { j.FilteredColumnNM = "" }, sel, false},
		{"half-hour zone", func(j *connectors.JobDetails) { j.TimezoneOffsetNBR = 5.5 },
			sel + " WHERE LastModifiedDate >= 2025-12-31T18:30:00Z AND LastModifiedDate < 2026-01-31T18:30:00Z", false},
		{"filter on text", func(j *connectors.JobDetails) { j.FilteredColumnNM = "Name" }, `FilteredColumnNM "Name" is a string field of Account`, true},
		{"filter unknown", func(j *connectors.JobDetails) { j.FilteredColumnNM = "Modified" }, `FilteredColumnNM "Modified" is not a field of Account`, true},
		{"mapped field unknown", func(j *connectors.JobDetails) {
			j.JobDataJSON = `{"columns":[{"source":"Id"},{"source":"Revenue"}]}`
		}, `source column "Revenue", but Account has no such field`, true},
		{"mapped compound", func(j *connectors.JobDetails) {
			j.JobDataJSON = `{"columns":[{"source":"BillingAddress"}]}`
		}, "compound address field", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			job := newJob()
			job.JobDataJSON = `{"columns":[{"source":"Id"},{"source":"Name"}]}`
			c.edit(job)
			rt := connectortest.New(job)
			rt.Clock = time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC)
			p, err := planQuery(rt, desc)
			if c.wantErr {
				if err == nil || rt.Exit() == nil || rt.Exit().Reason != connectors.Error || !strings.Contains(rt.Exit().Message, c.want) {
					t.Fatalf("got %v (exit %v), want an error with %q", err, rt.Exit(), c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.soql != c.want {
				t.Errorf("SOQL\n got %s\nwant %s", p.soql, c.want)
			}
		})
	}
}

const pageOK = `{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Account"},"Id":"0015g00000AAAAAAAA"}]}`

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
