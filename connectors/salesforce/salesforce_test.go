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
