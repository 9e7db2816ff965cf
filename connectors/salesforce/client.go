package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"connector-dev/connectors"
)

// maxBody bounds what is read of one response; a query page of 2,000 wide
// records is a few MB.
const maxBody = 256 << 20

// client speaks the REST API for one run. Every failure it returns is
// already an ending of the runtime (LogErr, LogUnhandled) or ctx's error.
type client struct {
	rt       connectors.Runtime
	http     *http.Client
	st       settings
	sleep    func(context.Context, time.Duration) error
	instance string // https://yourorg.my.salesforce.com, from the login
	token    string // the access token: never logged
}

// reply is one HTTP exchange's outcome.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// apiError is the body of a REST API error: a list of these.
type apiError struct {
	Message   string `json:"message"`
	ErrorCode string `json:"errorCode"`
}

func parseAPIError(body []byte) (apiError, bool) {
	var list []apiError
	if err := json.Unmarshal(body, &list); err == nil && len(list) > 0 && list[0].ErrorCode != "" {
		return list[0], true
	}
	var one apiError
	if err := json.Unmarshal(body, &one); err == nil && one.ErrorCode != "" {
		return one, true
	}
	return apiError{}, false
}

func (c *client) dataPath(rest string) string {
	return "/services/data/" + c.st.apiVersion + "/" + rest
}

// send makes one request; build is called per attempt so a body can be re-read.
func (c *client) send(ctx context.Context, build func() (*http.Request, error)) (reply, error) {
	req, err := build()
	if err != nil {
		return reply{}, err
	}
	resp, err := c.http.Do(req.WithContext(ctx))
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return reply{}, err
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// retryable reports the answers that mean "later": rate limits and a busy server.
func retryable(r reply) bool {
	switch r.status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true
	case http.StatusForbidden:
		e, ok := parseAPIError(r.body)
		return ok && e.ErrorCode == "REQUEST_LIMIT_EXCEEDED"
	}
	return false
}

// withRetry sends until the answer is not retryable or the retries run out.
// what names the request in logs and errors: "GET /services/data/...".
func (c *client) withRetry(ctx context.Context, what string, build func() (*http.Request, error)) (reply, error) {
	for attempt := 0; ; attempt++ {
		r, err := c.send(ctx, build)
		if err != nil {
			if ctx.Err() != nil || !transient(err) {
				return reply{}, c.transportErr(ctx, what, err)
			}
			if attempt >= c.st.maxRetries {
				return reply{}, c.rt.LogErr("no answer from Salesforce to %s after %d retries: %s: check the network, or try again later", what, c.st.maxRetries, fmtErr(unwrapURL(err)))
			}
			d := c.backoff(attempt, nil)
			c.rt.LogInfo("no answer from Salesforce to %s (%s); retry %d of %d in %s", what, fmtErr(unwrapURL(err)), attempt+1, c.st.maxRetries, d)
			if err := c.sleep(ctx, d); err != nil {
				return reply{}, err
			}
			continue
		}
		if !retryable(r) {
			return r, nil
		}
		reason := strconv.Itoa(r.status)
		if e, ok := parseAPIError(r.body); ok {
			reason += " " + e.ErrorCode
		}
		if attempt >= c.st.maxRetries {
			return reply{}, c.rt.LogErr("Salesforce still answered HTTP %s to %s after %d retries: try again later, or check the org's API limits (Setup > System Overview)", reason, what, c.st.maxRetries)
		}
		d := c.backoff(attempt, r.header)
		c.rt.LogInfo("Salesforce answered HTTP %s to %s; retry %d of %d in %s", reason, what, attempt+1, c.st.maxRetries, d)
		if err := c.sleep(ctx, d); err != nil {
			return reply{}, err
		}
	}
}

// backoff doubles the base per attempt and waits at least what Retry-After asks.
func (c *client) backoff(attempt int, h http.Header) time.Duration {
	d := c.st.retryBase << attempt
	if ra := strings.TrimSpace(h.Get("Retry-After")); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
			if w := time.Duration(secs) * time.Second; w > d {
				d = w
			}
		} else if t, err := http.ParseTime(ra); err == nil {
			if w := t.Sub(c.rt.Now()); w > d {
				d = w
			}
		}
	}
	if d > maxRetryDelay || d < 0 {
		d = maxRetryDelay
	}
	return d
}

// transportErr reports a request that got no answer.
func (c *client) transportErr(ctx context.Context, what string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return c.rt.LogErr("no answer from Salesforce to %s: %s", what, fmtErr(unwrapURL(err)))
}

// unwrapURL drops a *url.Error's wrapping: its text repeats the URL, query
// and all.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// transient reports a transport failure that another attempt may not meet,
// as a 503 is: the connection reset, aborted or closed before the answer
// was whole, or a timeout. A refused connection, a name that does not
// resolve or a TLS failure is not retried: those do not heal in seconds,
// and an offline run should say so at once.
func transient(err error) bool {
	switch {
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// tokenReply is the OAuth token endpoint's answer, success or error.
type tokenReply struct {
	AccessToken      string `json:"access_token"`
	InstanceURL      string `json:"instance_url"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// login trades the refresh token for an access token and the instance URL.
func (c *client) login(ctx context.Context) error {
	const path = "/services/oauth2/token"
	what := "POST " + path
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"client_id":     {c.st.clientID},
		"client_secret": {c.st.clientSecret},
		"refresh_token": {c.st.refreshToken},
	}.Encode()
	r, err := c.withRetry(ctx, what, func() (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPost, c.st.loginURL+path, strings.NewReader(form))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		return req, nil
	})
	if err != nil {
		return err
	}
	var tr tokenReply
	jsonErr := json.Unmarshal(r.body, &tr)
	if r.status != http.StatusOK {
		if jsonErr != nil || tr.Error == "" {
			return c.rt.LogErr("Salesforce login failed: HTTP %d to %s at %s", r.status, what, c.st.loginURL)
		}
		switch tr.Error {
		case "invalid_grant":
			return c.rt.LogErr("Salesforce refused the refresh token (invalid_grant: %s): put a valid refresh token in SALESFORCE_TOKEN (.env.credentials), for the org behind %s", tr.ErrorDescription, c.st.loginURL)
		case "invalid_client_id", "invalid_client":
			return c.rt.LogErr("Salesforce refused the connected app (%s: %s): check %s and %s", tr.Error, tr.ErrorDescription, EnvClientID, EnvClientSecret)
		}
		return c.rt.LogErr("Salesforce login failed (%s: %s)", tr.Error, tr.ErrorDescription)
	}
	if jsonErr != nil {
		return c.rt.LogUnhandled("Salesforce sent a token reply that is not JSON, for %s: %s", what, fmtErr(jsonErr))
	}
	if tr.AccessToken == "" || tr.InstanceURL == "" {
		return c.rt.LogUnhandled("Salesforce sent a token reply without access_token or instance_url, for %s", what)
	}
	u, err := url.Parse(tr.InstanceURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return c.rt.LogUnhandled("Salesforce sent an instance_url that is not a URL, for %s", what)
	}
	first := c.token == ""
	c.token = tr.AccessToken
	c.instance = strings.TrimRight(tr.InstanceURL, "/")
	if first {
		c.rt.LogInfo("logged in to %s", c.instance)
	} else {
		c.rt.LogInfo("logged in again to %s", c.instance)
	}
	return nil
}

// get fetches an API path (or a full URL on the instance) and returns the
// 200 body. A 401 INVALID_SESSION_ID logs in again once and retries.
func (c *client) get(ctx context.Context, rel string) ([]byte, error) {
	target := c.instance + rel
	what := "GET " + pathOf(rel)
	if strings.HasPrefix(rel, "http://") || strings.HasPrefix(rel, "https://") {
		// The access token goes only to the instance it was issued for.
		if !strings.HasPrefix(rel, c.instance+"/") {
			return nil, c.rt.LogUnhandled("Salesforce sent a link outside %s: %s", c.instance, what)
		}
		target = rel
	}
	relogged := false
	for {
		r, err := c.withRetry(ctx, what, func() (*http.Request, error) {
			req, err := http.NewRequest(http.MethodGet, target, nil)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Authorization", "Bearer "+c.token)
			req.Header.Set("Accept", "application/json")
			return req, nil
		})
		if err != nil {
			return nil, err
		}
		if r.status == http.StatusOK {
			return r.body, nil
		}
		e, ok := parseAPIError(r.body)
		if r.status == http.StatusUnauthorized && ok && e.ErrorCode == "INVALID_SESSION_ID" {
			if relogged {
				return nil, c.rt.LogErr("Salesforce rejected the session again right after a new login (%s: %s, %s): check the connected app's session policies", what, e.ErrorCode, e.Message)
			}
			relogged = true
			c.rt.LogInfo("the Salesforce session expired during %s; logging in again", what)
			if err := c.login(ctx); err != nil {
				return nil, err
			}
			continue
		}
		if ok {
			return nil, c.rt.LogErr("Salesforce refused %s (HTTP %d %s: %s)", what, r.status, e.ErrorCode, oneLine(e.Message))
		}
		return nil, c.rt.LogErr("Salesforce answered HTTP %d to %s", r.status, what)
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// describeField is what the connector needs of one field of a describe.
type describeField struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nillable bool   `json:"nillable"`
}

type describeReply struct {
	Name   string           `json:"name"`
	Fields *[]describeField `json:"fields"`
}

// description is an object's describe, reduced.
type description struct {
	Name   string
	Fields []describeField
	byName map[string]int // lower-case name → index
}

func (d *description) field(name string) (describeField, bool) {
	i, ok := d.byName[strings.ToLower(name)]
	if !ok {
		return describeField{}, false
	}
	return d.Fields[i], true
}

func (c *client) describe(ctx context.Context, object string) (*description, error) {
	rel := c.dataPath("sobjects/" + url.PathEscape(object) + "/describe")
	body, err := c.get(ctx, rel)
	if err != nil {
		return nil, err
	}
	var dr describeReply
	if err := json.Unmarshal(body, &dr); err != nil {
		return nil, c.rt.LogUnhandled("Salesforce sent a describe that is not JSON, for GET %s: %s", rel, fmtErr(err))
	}
	if dr.Fields == nil || len(*dr.Fields) == 0 {
		return nil, c.rt.LogUnhandled("Salesforce sent a describe without fields, for GET %s", rel)
	}
	d := &description{Name: dr.Name, Fields: *dr.Fields, byName: map[string]int{}}
	if d.Name == "" {
		d.Name = object
	}
	for i, f := range d.Fields {
		if f.Name == "" || f.Type == "" {
			return nil, c.rt.LogUnhandled("Salesforce sent a describe with a field lacking name or type (field %d), for GET %s", i+1, rel)
		}
		d.byName[strings.ToLower(f.Name)] = i
	}
	return d, nil
}

// page is one query result page.
type page struct {
	totalSize int64
	next      string
	records   []map[string]json.RawMessage
}

type pageReply struct {
	TotalSize      *int64                       `json:"totalSize"`
	Done           *bool                        `json:"done"`
	NextRecordsURL string                       `json:"nextRecordsUrl"`
	Records        []map[string]json.RawMessage `json:"records"`
}

func (c *client) queryPage(ctx context.Context, rel string) (page, error) {
	body, err := c.get(ctx, rel)
	if err != nil {
		return page{}, err
	}
	what := "GET " + pathOf(rel)
	var pr pageReply
	if err := json.Unmarshal(body, &pr); err != nil {
		return page{}, c.rt.LogUnhandled("Salesforce sent a query page that is not JSON, for %s: %s", what, fmtErr(err))
	}
	switch {
	case pr.TotalSize == nil || pr.Done == nil:
		return page{}, c.rt.LogUnhandled("Salesforce sent a query page without totalSize or done, for %s", what)
	case pr.Records == nil:
		return page{}, c.rt.LogUnhandled("Salesforce sent a query page without records, for %s", what)
	case !*pr.Done && pr.NextRecordsURL == "":
		return page{}, c.rt.LogUnhandled("Salesforce sent a query page that is not done but has no nextRecordsUrl, for %s", what)
	}
	p := page{totalSize: *pr.TotalSize, records: pr.Records}
	if !*pr.Done {
		p.next = pr.NextRecordsURL
	}
	return p, nil
}
