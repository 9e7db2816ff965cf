package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"connector-dev/harness/httprec"
)

// newHTTPAPIURL is where the --http skeleton's API is (its DefaultAPIURL):
// a documentation domain, so a --record that was not pointed at the real
// API fails instead of calling someone's server.
const newHTTPAPIURL = "https://api.example.com"

// exampleToken is the placeholder token of a --http connector, the value
// of its NAME_TOKEN in .env.credentials.example.
func exampleToken(name string) string { return "example-" + name + "-token" }

// exampleAPI answers as the API the --http skeleton expects (and as its
// unit test's httptest server does): two pages of things, the last record
// without updated_at. It serves in process: `new` makes no network call.
type exampleAPI struct{ token string }

func (a exampleAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	status, body := http.StatusOK, ""
	q := req.URL.Query()
	switch {
	case req.Header.Get("Authorization") != "Bearer "+a.token:
		status, body = http.StatusUnauthorized, `{"error": "bad token"}`
	case req.URL.Path != "/v1/things" || q.Get("limit") != "100":
		status, body = http.StatusNotFound, `{"error": "not found"}`
	case q.Get("cursor") == "":
		body = `{"results": [{"id": 1, "name": "one", "updated_at": "2026-01-31T08:00:00Z"}, ` +
			`{"id": 2, "name": "two", "updated_at": "2026-01-31T09:30:00Z"}], "next": "` + newHTTPAPIURL + `/v1/things?cursor=2&limit=100"}`
	default:
		body = `{"results": [{"id": 3, "name": "three"}], "next": ""}`
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: req,
	}, nil
}

// exampleCassette records, through httprec as `run --record` does (the
// token scrubbed), the requests the --http skeleton makes of exampleAPI,
// following each page's next link as its Run does, and returns the
// cassette's bytes. It is written in a temporary folder: a refusal later
// on leaves nothing behind.
func exampleCassette(name string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "connector-dev-new-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, "job.cassette.yaml")
	token := exampleToken(name)
	rec, err := httprec.New(httprec.Record, path, []string{token}, exampleAPI{token: token})
	if err != nil {
		return nil, err
	}
	next := newHTTPAPIURL + "/v1/things?limit=100"
	for pages := 0; next != "" && pages < 10; pages++ {
		req, err := http.NewRequest(http.MethodGet, next, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		resp, err := rec.Client().Do(req)
		if err != nil {
			return nil, err
		}
		var p struct{ Next string }
		err = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("the example API answered %s (%v)", resp.Status, err)
		}
		next = p.Next
	}
	if err := rec.Stop(); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.Contains(b, []byte(token)) {
		return nil, fmt.Errorf("the example cassette holds the token: not written")
	}
	return b, nil
}

// recordHint is what `new --http` prints after the files: where the
// cassette came from and how to record the real API's.
func recordHint(name string) string {
	up := strings.ToUpper(name)
	return fmt.Sprintf(`fixtures/%[1]s/job.cassette.yaml was recorded from connector-dev new's example API (%[3]s), not a real one; connector-dev test %[1]s replays it. To record the real API's:
  1. make DefaultAPIURL (or %[2]s_API_URL in .env), the request and Fields in connectors/%[1]s/%[1]s.go the real API's
  2. put your token in .env.credentials as %[2]s_TOKEN
  3. rm fixtures/%[1]s/job.expect.yaml && go build -o connector-dev . && ./connector-dev run %[1]s --record
     (it replaces job.cassette.yaml when the run succeeds; the token is scrubbed from it)
  4. ./connector-dev test %[1]s --update   (writes job.expect.yaml from the replay: rows, rows_checksum, schema, samples)
`, name, up, newHTTPAPIURL)
}
