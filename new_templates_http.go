package main

// The files `connector-dev new NAME --http` writes besides the usual ones:
// a source that pages through an HTTP JSON API with rt.HTTPClient(), its
// unit test on net/http/httptest, and the fixture's expectations. The
// cassette is recorded by `new` itself from exampleAPI (cmd_new_http.go),
// which answers as the test's httptest server does.

const newHTTPSourceGo = `// Package {{NAME}} is a source that reads records from an HTTP JSON API,
// page by page. Make DefaultAPIURL, the request in get, page and Fields
// those of the real API; the shape (paging, errors, a batch per page)
// usually stays.
package {{NAME}}

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"connector-dev/connectors"
)

// Name is the name the source is registered under: jobs name it in
// SourceConnectorNM, connectors.yaml lists what it needs under it.
const Name = "{{NAME}}"

// CredentialToken is the credential field holding the API token:
// {{UPPER}}_TOKEN in .env.credentials.
const CredentialToken = "token"

// EnvAPIURL is the setting that points the source at another address than
// DefaultAPIURL (a sandbox; the unit test's httptest server).
const EnvAPIURL = "{{UPPER}}_API_URL"

// DefaultAPIURL is the API's address. A placeholder: the fixture's
// cassette was recorded by connector-dev new from its example API here.
const DefaultAPIURL = "{{APIURL}}"

// PageSize is how many records one request asks for.
const PageSize = 100

func init() {
	connectors.RegisterSource(Name, func() connectors.Source { return Source{} })
}

// Source is the connector. The zero value is ready to use.
type Source struct{}

// Fields are the columns the source uploads, in order.
func Fields() []connectors.Field {
	return []connectors.Field{
		{Name: "id", Type: connectors.Int64},
		{Name: "name", Type: connectors.String},
		{Name: "updated_at", Type: connectors.Timestamp, Nullable: true},
	}
}

// page is one answer of the API: some records and the next page's URL.
type page struct {
	Results []struct {
		ID        int64      ` + "`json:\"id\"`" + `
		Name      string     ` + "`json:\"name\"`" + `
		UpdatedAt *time.Time ` + "`json:\"updated_at\"`" + ` // nil (absent or null) is a null
	} ` + "`json:\"results\"`" + `
	Next string ` + "`json:\"next\"`" + ` // "" on the last page
}

// Run fetches every page of the job's object (SourceObjectID) and uploads
// each as a batch. End with rt.LogErr (exit reason error), rt.LogUnhandled
// (unhandled) or rt.ExitNoFail (no rows, not a failure), or return nil.
func (Source) Run(ctx context.Context, rt connectors.Runtime) error {
	base := strings.TrimRight(rt.Env(EnvAPIURL), "/")
	if base == "" {
		base = DefaultAPIURL
	}
	next := base + "/v1/" + url.PathEscape(rt.Job().SourceObjectID) + "?limit=" + strconv.Itoa(PageSize)
	rows := 0
	for next != "" {
		p, err := get(ctx, rt, next)
		if err != nil {
			return rt.LogErr("{{NAME}}: %v", err)
		}
		f := connectors.NewFrame(Fields()...)
		for _, r := range p.Results {
			if err := f.AppendRow(r.ID, r.Name, r.UpdatedAt); err != nil {
				return rt.LogUnhandled("{{NAME}}: %v", err)
			}
		}
		if f.Len() > 0 {
			rows += f.Len()
			rt.LogInfo("{{NAME}}: %d %s (%d so far)", f.Len(), rt.Job().SourceObjectID, rows)
			if err := rt.UploadRows(ctx, f); err != nil { // a batch per call; f is not reused
				return err
			}
		}
		// The token goes with every request: follow only links to the same API.
		if p.Next != "" && !strings.HasPrefix(p.Next, base+"/") {
			return rt.LogErr("{{NAME}}: the next page %s is not under %s", p.Next, base)
		}
		next = p.Next
	}
	if rows == 0 {
		return rt.ExitNoFail("No rows returned")
	}
	return nil
}

// get fetches one page with rt.HTTPClient(), never http.DefaultClient: the
// runtime's client records (run --record) and replays (the job's cassette).
func get(ctx context.Context, rt connectors.Runtime, u string) (*page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+rt.Credentials()[CredentialToken])
	req.Header.Set("Accept", "application/json")
	resp, err := rt.HTTPClient().Do(req)
	if err != nil {
		return nil, err // in a replay, a request the cassette lacks: the error says how to re-record
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, fmt.Errorf("GET %s: %s: check {{UPPER}}_TOKEN in .env.credentials", req.URL.Redacted(), resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("GET %s: %s", req.URL.Redacted(), resp.Status)
	}
	var p page
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return nil, fmt.Errorf("GET %s: decode the page: %v", req.URL.Redacted(), err)
	}
	return &p, nil
}
`

const newHTTPSourceTest = `package {{NAME}}_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/{{NAME}}"
)

// api plays the API: two pages of things, the last record without
// updated_at; any other request, or another token, is refused.
func api(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer test-token" {
			http.Error(w, "bad token", http.StatusUnauthorized)
			return
		}
		if r.URL.Path != "/v1/things" || r.URL.Query().Get("limit") != "100" {
			http.Error(w, "unexpected "+r.URL.String(), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("cursor") == "" {
			fmt.Fprintf(w, ` + "`" + `{"results": [{"id": 1, "name": "one", "updated_at": "2026-01-31T08:00:00Z"},
				{"id": 2, "name": "two", "updated_at": "2026-01-31T09:30:00Z"}], "next": "%s/v1/things?cursor=2&limit=100"}` + "`" + `, srv.URL)
			return
		}
		fmt.Fprint(w, ` + "`" + `{"results": [{"id": 3, "name": "three"}], "next": ""}` + "`" + `)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newRuntime(srv *httptest.Server, token string) *connectortest.Runtime {
	rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "t", SourceObjectID: "things", UpdateMethodCD: connectors.Replace})
	rt.Client = srv.Client()
	rt.EnvVars[{{NAME}}.EnvAPIURL] = srv.URL
	rt.Creds[{{NAME}}.CredentialToken] = token
	return rt
}

// Every page is a batch; a record without updated_at is a null.
func TestUploadsEveryPage(t *testing.T) {
	rt := newRuntime(api(t), "test-token")
	reason, msg := rt.RunSource(context.Background(), {{NAME}}.Source{})
	if reason != connectors.Success {
		t.Fatalf("%s: %s", reason, msg)
	}
	frames := rt.Uploads()
	if len(frames) != 2 || frames[0].Len() != 2 || frames[1].Len() != 1 {
		t.Fatalf("uploaded %d frames, want two of 2 and 1 rows", len(frames))
	}
	if last := frames[1]; last.Col("id").Ints[0] != 3 || !last.Col("updated_at").IsNull(0) {
		t.Errorf("last row: id %d, updated_at null %v", last.Col("id").Ints[0], last.Col("updated_at").IsNull(0))
	}
	if got, ok := frames[0].Col("updated_at").Value(1).(time.Time); !ok || got.Hour() != 9 {
		t.Errorf("updated_at of id 2: %v, want 09:30 UTC", got)
	}
}

// A refused token ends the run as an error that says what to check.
func TestBadTokenIsError(t *testing.T) {
	rt := newRuntime(api(t), "wrong")
	reason, msg := rt.RunSource(context.Background(), {{NAME}}.Source{})
	if reason != connectors.Error || !strings.Contains(msg, "401 Unauthorized: check {{UPPER}}_TOKEN") {
		t.Errorf("%s: %s, want error naming {{UPPER}}_TOKEN", reason, msg)
	}
	if len(rt.Uploads()) != 0 {
		t.Errorf("uploaded %d frames after a refusal", len(rt.Uploads()))
	}
}

// No records at all is no_fail, not an error.
func TestNoRowsIsNoFail(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, ` + "`" + `{"results": [], "next": ""}` + "`" + `)
	}))
	t.Cleanup(srv.Close)
	rt := newRuntime(srv, "test-token")
	if reason, msg := rt.RunSource(context.Background(), {{NAME}}.Source{}); reason != connectors.NoFail || msg != "No rows returned" {
		t.Errorf("%s: %s, want no_fail", reason, msg)
	}
}
`

const newHTTPSourceExpect = `# How a replay of job.cassette.yaml ends. That cassette was recorded by
# connector-dev new from its example API, not from the real one: once
# {{NAME}} calls the real API, delete this file, record with
# connector-dev run {{NAME}} --record, and let connector-dev test {{NAME}} --update
# write this file again from the replay.
exit: success
rows: 3
batches: 2
`

const newHTTPYAML = `
{{NAME}}:
  kind: source
  credentials: [token]    # {{UPPER}}_TOKEN in .env.credentials: the API token
  env: [{{UPPER}}_API_URL]  # another address than the connector's DefaultAPIURL
`

const newHTTPCredentials = `
# {{NAME}} (source): the API token. A placeholder written by connector-dev new:
# put your own in .env.credentials before recording with --record.
{{UPPER}}_TOKEN={{TOKEN}}
`
