package salesforce

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"connector-dev/connectors/salesforce/salesforcetest"
)

// BenchmarkPage measures decoding one full 2,000-record query page of the
// default fixture's 17 columns into a frame: the connector's own CPU cost
// per page, network aside.
func BenchmarkPage(b *testing.B) {
	org := newOrg(2000)
	org.PageSize = 2000
	org.Records = salesforcetest.Accounts(2000, 1, jan1, feb1)
	cols := []string{"Id", "Name", "Type", "Industry", "AnnualRevenue", "NumberOfEmployees", "BillingCity", "BillingState",
		"BillingCountry", "Phone", "Website", "Rating", "IsDeleted", "Discount__c", "CreatedDate", "LastModifiedDate", "LastActivityDate"}
	// A token first, then the page.
	tok := httptest.NewRecorder()
	treq := httptest.NewRequest(http.MethodPost, "/services/oauth2/token", strings.NewReader(url.Values{
		"grant_type": {"refresh_token"}, "client_id": {testClient}, "client_secret": {testSecret}, "refresh_token": {testRefresh}}.Encode()))
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	org.ServeHTTP(tok, treq)
	var tr tokenReply
	_ = json.Unmarshal(tok.Body.Bytes(), &tr)
	req := httptest.NewRequest(http.MethodGet, "/services/data/v62.0/query?q="+url.QueryEscape("SELECT "+strings.Join(cols, ", ")+" FROM Account"), nil)
	req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
	rec := httptest.NewRecorder()
	org.ServeHTTP(rec, req)
	body := rec.Body.Bytes()

	desc := &description{Name: "Account", byName: map[string]int{}}
	for i, f := range salesforcetest.AccountFields() {
		desc.Fields = append(desc.Fields, describeField{Name: f.Name, Type: f.Type})
		desc.byName[strings.ToLower(f.Name)] = i
	}
	p := &plan{}
	for _, c := range cols {
		f, _ := desc.field(c)
		p.cols = append(p.cols, column{name: c, field: f.Name, sfType: f.Type, typ: frameType(f.Type)})
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var pr pageReply
		if err := json.Unmarshal(body, &pr); err != nil {
			b.Fatal(err)
		}
		f, err := p.frame(pr.Records)
		if err != nil || f.Len() != 2000 {
			b.Fatalf("%v, %d rows", err, f.Len())
		}
	}
}
