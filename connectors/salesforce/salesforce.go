// Package salesforce is a source that reads one sObject through Salesforce's
// REST API: an OAuth 2.0 refresh-token login, a describe of the object for
// the column types, and a SOQL query over the job's date window, paged by
// nextRecordsUrl and uploaded page by page.
//
// Every request goes through the runtime's HTTP client, so the harness can
// record the traffic to a cassette and replay it offline.
package salesforce

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"connector-dev/connectors"
)

// The environment settings the connector reads (declared in connectors.yaml).
const (
	EnvLoginURL     = "SALESFORCE_LOGIN_URL"     // default DefaultLoginURL; https://test.salesforce.com for sandboxes
	EnvClientID     = "SALESFORCE_CLIENT_ID"     // the connected app's consumer key
	EnvClientSecret = "SALESFORCE_CLIENT_SECRET" // the connected app's consumer secret
	EnvAPIVersion   = "SALESFORCE_API_VERSION"   // default DefaultAPIVersion
	EnvRetryBase    = "SALESFORCE_RETRY_BASE"    // first backoff delay, a Go duration; default DefaultRetryBase
)

// Defaults of the settings above.
const (
	DefaultLoginURL   = "https://login.salesforce.com"
	DefaultAPIVersion = "v62.0"
	DefaultRetryBase  = time.Second
	DefaultMaxRetries = 4
)

// maxRetryDelay caps one wait, whatever Retry-After asks for: a job that
// would wait longer is better failed and rescheduled.
const maxRetryDelay = 2 * time.Minute

// CredentialToken is the credentials field holding the OAuth refresh token.
const CredentialToken = "token"

func init() {
	connectors.RegisterSource("salesforce", func() connectors.Source { return &Source{} })
}

// Source reads the job's SourceObjectID from Salesforce. The zero value is
// ready to use; the unexported knobs exist for tests.
type Source struct {
	retryBase  time.Duration                                    // 0: SALESFORCE_RETRY_BASE, else DefaultRetryBase
	maxRetries int                                              // 0: DefaultMaxRetries
	sleep      func(ctx context.Context, d time.Duration) error // nil: a timer that honours ctx
}

var apiVersionRE = regexp.MustCompile(`^v\d{2,3}\.\d$`)

// settings are the validated environment of one run.
type settings struct {
	loginURL     string
	clientID     string
	clientSecret string
	refreshToken string
	apiVersion   string
	retryBase    time.Duration
	maxRetries   int
}

// settings reads and validates the connector's settings, credentials and
// job: no network. Errors name the variable and never a credential's value.
func (s *Source) settings(rt connectors.CheckRuntime) (settings, error) {
	st := settings{
		loginURL:     strings.TrimRight(strings.TrimSpace(rt.Env(EnvLoginURL)), "/"),
		clientID:     rt.Env(EnvClientID),
		clientSecret: rt.Env(EnvClientSecret),
		refreshToken: rt.Credentials()[CredentialToken],
		apiVersion:   strings.TrimSpace(rt.Env(EnvAPIVersion)),
		retryBase:    s.retryBase,
		maxRetries:   s.maxRetries,
	}
	if st.loginURL == "" {
		st.loginURL = DefaultLoginURL
	}
	if u, err := url.Parse(st.loginURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return st, fmt.Errorf("%s %q is not a URL: use https://login.salesforce.com, https://test.salesforce.com or your My Domain URL", EnvLoginURL, st.loginURL)
	}
	if st.apiVersion == "" {
		st.apiVersion = DefaultAPIVersion
	}
	if !strings.HasPrefix(st.apiVersion, "v") {
		st.apiVersion = "v" + st.apiVersion
	}
	if !apiVersionRE.MatchString(st.apiVersion) {
		return st, fmt.Errorf("%s %q is not an API version: use the form v62.0", EnvAPIVersion, rt.Env(EnvAPIVersion))
	}
	if st.retryBase == 0 {
		st.retryBase = DefaultRetryBase
		if v := strings.TrimSpace(rt.Env(EnvRetryBase)); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return st, fmt.Errorf("%s %q is not a duration: use a Go duration such as 1s or 50ms", EnvRetryBase, v)
			}
			st.retryBase = d
		}
	}
	if st.maxRetries == 0 {
		st.maxRetries = DefaultMaxRetries
	}
	if st.refreshToken == "" {
		return st, fmt.Errorf("the credentials field %q is empty: put a Salesforce refresh token in SALESFORCE_TOKEN (.env.credentials)", CredentialToken)
	}
	if strings.TrimSpace(rt.Job().SourceObjectID) == "" {
		return st, fmt.Errorf("SourceObjectID is empty: name the sObject to read, such as Account")
	}
	return st, nil
}

// Check validates the settings, credentials and job before any stage runs
// (connectors.Checker), so a malformed SALESFORCE_LOGIN_URL or an empty
// refresh token is a setup error (exit 3). It makes no request.
func (s *Source) Check(ctx context.Context, rt connectors.CheckRuntime) error {
	_, err := s.settings(rt)
	return err
}

// Run logs in, describes the object, and uploads the query's records page by page.
func (s *Source) Run(ctx context.Context, rt connectors.Runtime) error {
	st, err := s.settings(rt)
	if err != nil {
		return rt.LogErr("%v", err)
	}
	c := &client{rt: rt, http: rt.HTTPClient(), st: st, sleep: s.sleep}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if err := c.login(ctx); err != nil {
		return err
	}
	object := strings.TrimSpace(rt.Job().SourceObjectID)
	desc, err := c.describe(ctx, object)
	if err != nil {
		return err
	}
	plan, err := planQuery(rt, desc)
	if err != nil {
		return err
	}
	rt.LogInfo("querying %s: %s", desc.Name, plan.soql)

	next := c.dataPath("query") + "?q=" + url.QueryEscape(plan.soql)
	var total, seen int64
	for page := 1; next != ""; page++ {
		pg, err := c.queryPage(ctx, next)
		if err != nil {
			return err
		}
		if page == 1 {
			total = pg.totalSize
			if total == 0 {
				return rt.ExitNoFail("No rows returned")
			}
			rt.SetExpectedRows(total)
		}
		frame, err := plan.frame(pg.records)
		if err != nil {
			return rt.LogUnhandled("Salesforce sent a record that does not fit its describe, in GET %s: %v", pathOf(next), err)
		}
		if err := rt.UploadRows(ctx, frame); err != nil {
			return err
		}
		seen += int64(len(pg.records))
		rt.LogInfo("page %d: %s of %s records", page, connectors.Thousands(seen), connectors.Thousands(total))
		next = pg.next
	}
	if seen != total {
		rt.LogInfo("Salesforce reported %s records but sent %s (records changed during the query)", connectors.Thousands(total), connectors.Thousands(seen))
	}
	return nil
}

// sleepCtx waits d, or less if ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pathOf is a URL's path without its query, which may carry a SOQL query
// or a token: what an error message may name.
func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexByte(raw, '?'); i >= 0 {
			return raw[:i]
		}
		return raw
	}
	return u.Path
}

// fmtErr keeps messages one line.
func fmtErr(err error) string {
	return strings.ReplaceAll(fmt.Sprint(err), "\n", " ")
}
