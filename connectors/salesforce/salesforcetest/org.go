// Package salesforcetest is a fake Salesforce org: an http.Handler that
// speaks the parts of the REST API the salesforce connector uses (the OAuth
// refresh-token flow, describe, SOQL query and query paging), shaped like the
// real responses, with faults to inject. It serves the connector's unit tests
// and the fixture generator, as net/http/httptest serves handler tests.
package salesforcetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Field is one field of the object's describe.
type Field struct {
	Name     string
	Type     string // id, string, boolean, int, double, currency, date, datetime, address, ...
	Label    string
	Nillable bool
}

// Record is one row of the object: field name → a JSON-ready value (string,
// int, float64, bool or nil). Dates and datetimes are strings in Salesforce's
// form (2026-01-31, 2026-01-31T08:00:00.000+0000).
type Record map[string]any

// Fault replaces the org's answer to one request.
type Fault struct {
	Status     int
	Body       string
	RetryAfter string // the Retry-After header, if set
	// ExpireSession ends every session before answering 401
	// INVALID_SESSION_ID, as an org does when a session times out.
	ExpireSession bool
}

// The kinds of request a fault is injected for.
const (
	Token    = "token"    // POST /services/oauth2/token
	Describe = "describe" // GET .../sobjects/{object}/describe
	Query    = "query"    // GET .../query?q=
	More     = "more"     // GET .../query/{locator}-{offset} (nextRecordsUrl)
)

// ServiceUnavailable is a 503, as the API answers under maintenance.
func ServiceUnavailable() Fault {
	return Fault{Status: http.StatusServiceUnavailable, Body: `[{"message":"Server Unavailable","errorCode":"SERVER_UNAVAILABLE"}]`}
}

// RequestLimitExceeded is the 403 of an org out of daily API calls.
func RequestLimitExceeded() Fault {
	return Fault{Status: http.StatusForbidden, Body: `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`}
}

// TooManyRequests is a 429 with the given Retry-After.
func TooManyRequests(retryAfter string) Fault {
	return Fault{Status: http.StatusTooManyRequests, Body: `[{"message":"Too many requests","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`, RetryAfter: retryAfter}
}

// SessionExpired ends the sessions and answers 401 INVALID_SESSION_ID.
func SessionExpired() Fault { return Fault{ExpireSession: true} }

// Malformed answers 200 with body.
func Malformed(body string) Fault { return Fault{Status: http.StatusOK, Body: body} }

// Request is what the org saw of one request.
type Request struct {
	Kind   string
	Method string
	Path   string
	SOQL   string // the q parameter of a query
	Bearer string // the access token sent
	Form   url.Values
}

// Org is the fake org. Set the exported fields before serving.
type Org struct {
	Object       string // the one sObject it has, such as Account
	Fields       []Field
	Records      []Record
	PageSize     int    // 0: 2000, the API's default batch size
	ClientID     string // what the token endpoint accepts
	ClientSecret string
	RefreshToken string
	InstanceURL  string           // "": the scheme and host the request came to
	Now          func() time.Time // for issued_at; nil: time.Now

	mu       sync.Mutex
	issued   int
	valid    map[string]bool
	faults   map[string][]Fault
	cursors  map[string]*cursor
	requests []Request
	calls    int
}

type cursor struct {
	fields  []string
	records []Record
}

// Inject queues faults for the next requests of a kind, one each, in order.
func (o *Org) Inject(kind string, faults ...Fault) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.faults == nil {
		o.faults = map[string][]Fault{}
	}
	o.faults[kind] = append(o.faults[kind], faults...)
}

// Requests lists the requests served so far.
func (o *Org) Requests() []Request {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Request(nil), o.requests...)
}

var (
	describeRE = regexp.MustCompile(`^/services/data/(v\d+\.\d)/sobjects/([^/]+)/describe$`)
	queryRE    = regexp.MustCompile(`^/services/data/(v\d+\.\d)/query$`)
	moreRE     = regexp.MustCompile(`^/services/data/(v\d+\.\d)/query/([0-9A-Za-z]+)-(\d+)$`)
)

// ServeHTTP answers as Salesforce does.
func (o *Org) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls++
	w.Header().Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/15000", o.calls))
	p := r.URL.Path
	req := Request{Method: r.Method, Path: p, SOQL: r.URL.Query().Get("q")}
	if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		req.Bearer = b
	}
	switch {
	case p == "/services/oauth2/token" && r.Method == http.MethodPost:
		req.Kind = Token
		_ = r.ParseForm()
		req.Form = r.PostForm
	case describeRE.MatchString(p) && r.Method == http.MethodGet:
		req.Kind = Describe
	case queryRE.MatchString(p) && r.Method == http.MethodGet:
		req.Kind = Query
	case moreRE.MatchString(p) && r.Method == http.MethodGet:
		req.Kind = More
	default:
		o.requests = append(o.requests, req)
		apiErr(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	o.requests = append(o.requests, req)
	if q := o.faults[req.Kind]; len(q) > 0 {
		f := q[0]
		o.faults[req.Kind] = q[1:]
		if f.ExpireSession {
			o.valid = nil
			apiErr(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
			return
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return
	}
	if req.Kind == Token {
		o.token(w, r)
		return
	}
	if !o.valid[req.Bearer] {
		apiErr(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
		return
	}
	switch req.Kind {
	case Describe:
		m := describeRE.FindStringSubmatch(p)
		o.describe(w, m[2])
	case Query:
		m := queryRE.FindStringSubmatch(p)
		o.query(w, m[1], req.SOQL)
	case More:
		m := moreRE.FindStringSubmatch(p)
		off, _ := strconv.Atoi(m[3])
		o.more(w, m[1], m[2], off)
	}
}

func apiErr(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal([]map[string]string{{"message": msg, "errorCode": code}})
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func oauthErr(w http.ResponseWriter, status int, code, desc string) {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
		Desc  string `json:"error_description"`
	}{code, desc})
	writeJSON(w, status, b)
}

// digest is a deterministic stand-in for the org's random token bytes.
func digest(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])
}

func (o *Org) token(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "refresh_token":
		oauthErr(w, http.StatusBadRequest, "unsupported_grant_type", "grant type not supported")
		return
	case f.Get("client_id") != o.ClientID:
		oauthErr(w, http.StatusBadRequest, "invalid_client_id", "client identifier invalid")
		return
	case f.Get("client_secret") != o.ClientSecret:
		oauthErr(w, http.StatusBadRequest, "invalid_client", "invalid client credentials")
		return
	case f.Get("refresh_token") != o.RefreshToken || o.RefreshToken == "":
		oauthErr(w, http.StatusBadRequest, "invalid_grant", "expired access/refresh token")
		return
	}
	o.issued++
	tok := "00DHu000001sFkD!AQ0AQ" + digest("token", strconv.Itoa(o.issued))[:48]
	if o.valid == nil {
		o.valid = map[string]bool{}
	}
	o.valid[tok] = true
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	inst := o.InstanceURL
	if inst == "" {
		inst = "http://" + r.Host
	}
	b, _ := json.Marshal(struct {
		AccessToken string `json:"access_token"`
		Signature   string `json:"signature"`
		Scope       string `json:"scope"`
		InstanceURL string `json:"instance_url"`
		ID          string `json:"id"`
		TokenType   string `json:"token_type"`
		IssuedAt    string `json:"issued_at"`
	}{tok, digest("sig", tok)[:43] + "=", "refresh_token api", inst,
		"https://login.salesforce.com/id/00DHu000001sFkDMAU/005Hu00000RVvdxIAD", "Bearer",
		strconv.FormatInt(now().UnixMilli(), 10)})
	writeJSON(w, http.StatusOK, b)
}

func (o *Org) field(name string) (Field, bool) {
	for _, f := range o.Fields {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return Field{}, false
}

var soapTypes = map[string]string{
	"id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean", "int": "xsd:int",
	"double": "xsd:double", "currency": "xsd:double", "percent": "xsd:double",
	"date": "xsd:date", "datetime": "xsd:dateTime", "time": "xsd:time",
	"address": "urn:address", "location": "urn:location",
}

func (o *Org) describe(w http.ResponseWriter, object string) {
	if !strings.EqualFold(object, o.Object) {
		apiErr(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	type fieldJSON struct {
		Aggregatable bool   `json:"aggregatable"`
		Custom       bool   `json:"custom"`
		Filterable   bool   `json:"filterable"`
		Label        string `json:"label"`
		Length       int    `json:"length"`
		Name         string `json:"name"`
		Nillable     bool   `json:"nillable"`
		Precision    int    `json:"precision"`
		Scale        int    `json:"scale"`
		SoapType     string `json:"soapType"`
		Type         string `json:"type"`
		Updateable   bool   `json:"updateable"`
	}
	fields := make([]fieldJSON, len(o.Fields))
	for i, f := range o.Fields {
		fj := fieldJSON{Aggregatable: true, Custom: strings.HasSuffix(f.Name, "__c"), Filterable: true,
			Label: f.Label, Name: f.Name, Nillable: f.Nillable, Type: f.Type, Updateable: f.Type != "id"}
		if fj.Label == "" {
			fj.Label = f.Name
		}
		if fj.SoapType = soapTypes[f.Type]; fj.SoapType == "" {
			fj.SoapType = "xsd:string"
		}
		switch f.Type {
		case "id", "reference":
			fj.Length = 18
		case "string", "picklist", "phone", "url", "email":
			fj.Length = 255
		case "textarea":
			fj.Length = 32000
		case "currency", "double":
			fj.Precision, fj.Scale = 18, 2
		case "int":
			fj.Precision = 8
		}
		fields[i] = fj
	}
	v := "v62.0"
	b, _ := json.Marshal(struct {
		Name        string            `json:"name"`
		Label       string            `json:"label"`
		LabelPlural string            `json:"labelPlural"`
		KeyPrefix   string            `json:"keyPrefix"`
		Custom      bool              `json:"custom"`
		Queryable   bool              `json:"queryable"`
		Fields      []fieldJSON       `json:"fields"`
		URLs        map[string]string `json:"urls"`
	}{o.Object, o.Object, o.Object + "s", "001", false, true, fields, map[string]string{
		"describe": "/services/data/" + v + "/sobjects/" + o.Object + "/describe",
		"sobject":  "/services/data/" + v + "/sobjects/" + o.Object,
	}})
	writeJSON(w, http.StatusOK, b)
}

var (
	soqlRE = regexp.MustCompile(`(?is)^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?\s*$`)
	condRE = regexp.MustCompile(`^(\w+)\s*(>=|<=|>|<|=)\s*(\S+)$`)
)

const sfDateTime = "2006-01-02T15:04:05.000-0700"

func (o *Org) query(w http.ResponseWriter, version, soql string) {
	m := soqlRE.FindStringSubmatch(soql)
	if m == nil {
		apiErr(w, http.StatusBadRequest, "MALFORMED_QUERY", "unexpected token in: "+soql)
		return
	}
	if !strings.EqualFold(m[2], o.Object) {
		apiErr(w, http.StatusBadRequest, "INVALID_TYPE", "sObject type '"+m[2]+"' is not supported.")
		return
	}
	var fields []string
	for _, n := range strings.Split(m[1], ",") {
		f, ok := o.field(strings.TrimSpace(n))
		if !ok {
			apiErr(w, http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("No such column '%s' on entity '%s'.", strings.TrimSpace(n), o.Object))
			return
		}
		fields = append(fields, f.Name)
	}
	keep := func(Record) bool { return true }
	if m[3] != "" {
		var tests []func(Record) bool
		for _, c := range regexp.MustCompile(`(?i)\s+AND\s+`).Split(m[3], -1) {
			cm := condRE.FindStringSubmatch(strings.TrimSpace(c))
			if cm == nil {
				apiErr(w, http.StatusBadRequest, "MALFORMED_QUERY", "unexpected token: '"+c+"'")
				return
			}
			f, ok := o.field(cm[1])
			if !ok {
				apiErr(w, http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("No such column '%s' on entity '%s'.", cm[1], o.Object))
				return
			}
			test, msg := compare(f, cm[2], cm[3])
			if test == nil {
				apiErr(w, http.StatusBadRequest, "INVALID_FIELD", msg)
				return
			}
			tests = append(tests, test)
		}
		keep = func(r Record) bool {
			for _, t := range tests {
				if !t(r) {
					return false
				}
			}
			return true
		}
	}
	var rows []Record
	for _, r := range o.Records {
		if keep(r) {
			rows = append(rows, r)
		}
	}
	if o.cursors == nil {
		o.cursors = map[string]*cursor{}
	}
	loc := fmt.Sprintf("01gHu0000%06dIAK", len(o.cursors)+1)
	o.cursors[loc] = &cursor{fields: fields, records: rows}
	o.page(w, version, loc, 0)
}

// compare builds a filter test, or says why SOQL would reject it.
func compare(f Field, op, lit string) (func(Record) bool, string) {
	var layout string
	switch f.Type {
	case "datetime":
		layout = time.RFC3339
	case "date":
		layout = "2006-01-02"
	default:
		return nil, "the fake org filters only on date and datetime fields, not " + f.Name
	}
	if strings.HasPrefix(lit, "'") {
		return nil, fmt.Sprintf("value of filter criterion for field '%s' must be of type %s and should not be enclosed in quotes", f.Name, f.Type)
	}
	bound, err := time.Parse(layout, lit)
	if err != nil {
		return nil, fmt.Sprintf("value of filter criterion for field '%s' must be of type %s: %s", f.Name, f.Type, lit)
	}
	return func(r Record) bool {
		s, _ := r[f.Name].(string)
		if s == "" {
			return false
		}
		t, err := time.Parse(sfDateTime, s)
		if err != nil {
			t, err = time.Parse("2006-01-02", s)
		}
		if err != nil {
			return false
		}
		switch op {
		case ">=":
			return !t.Before(bound)
		case ">":
			return t.After(bound)
		case "<=":
			return !t.After(bound)
		case "<":
			return t.Before(bound)
		}
		return t.Equal(bound)
	}, ""
}

func (o *Org) more(w http.ResponseWriter, version, loc string, off int) {
	c := o.cursors[loc]
	if c == nil || off > len(c.records) {
		apiErr(w, http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
		return
	}
	o.page(w, version, loc, off)
}

// page writes records [off, off+PageSize) of a cursor, keys in SELECT order
// after attributes, as the API does.
func (o *Org) page(w http.ResponseWriter, version, loc string, off int) {
	c := o.cursors[loc]
	size := o.PageSize
	if size <= 0 {
		size = 2000
	}
	end := min(off+size, len(c.records))
	var b bytes.Buffer
	done := end == len(c.records)
	fmt.Fprintf(&b, `{"totalSize":%d,"done":%t,`, len(c.records), done)
	if !done {
		fmt.Fprintf(&b, `"nextRecordsUrl":"/services/data/%s/query/%s-%d",`, version, loc, end)
	}
	b.WriteString(`"records":[`)
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for i, r := range c.records[off:end] {
		if i > 0 {
			b.WriteByte(',')
		}
		id, _ := r["Id"].(string)
		fmt.Fprintf(&b, `{"attributes":{"type":"%s","url":"/services/data/%s/sobjects/%s/%s"}`, o.Object, version, o.Object, id)
		for _, f := range c.fields {
			fmt.Fprintf(&b, `,"%s":`, f)
			_ = enc.Encode(r[f])
			b.Truncate(b.Len() - 1) // Encode's newline
		}
		b.WriteByte('}')
	}
	b.WriteString("]}")
	writeJSON(w, http.StatusOK, b.Bytes())
}
