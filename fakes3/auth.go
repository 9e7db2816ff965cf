package fakes3

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SigV4 constants. S3 is the only service this server speaks, and the payload
// markers are the values S3 accepts in X-Amz-Content-Sha256 instead of a digest.
const (
	sigAlgorithm    = "AWS4-HMAC-SHA256"
	sigService      = "s3"
	sigTerminator   = "aws4_request"
	amzDateLayout   = "20060102T150405Z"
	scopeDateLayout = "20060102"

	unsignedPayload = "UNSIGNED-PAYLOAD"
	// maxSkew is what real S3 allows between the client's clock and its own.
	maxSkew = 15 * time.Minute
	// maxPresignExpiry is S3's limit on X-Amz-Expires: seven days.
	maxPresignExpiry = 7 * 24 * time.Hour
)

// authHeader is a parsed `Authorization: AWS4-HMAC-SHA256 ...` header (or the
// same fields taken from a presigned URL's query).
type authHeader struct {
	AccessKey     string
	Date          string // yyyymmdd of the credential scope
	Region        string
	Service       string
	SignedHeaders []string // lower case, in the order given (must be sorted)
	Signature     string   // 64 lower-case hex digits
}

// errMalformedAuth is wrapped by every parse error so callers can tell a
// malformed header (400) from a well-formed but wrong one (403).
var errMalformedAuth = errors.New("malformed SigV4 authorization")

// parseAuthorization parses the value of an Authorization header signed with
// SigV4. It is strict about structure (a fuzz test guards it) but lenient about
// the spaces between components, as clients differ there: the Go SDK writes
// ", " and botocore writes ", " while some hand-written signers write ",".
func parseAuthorization(v string) (authHeader, error) {
	var a authHeader
	rest, ok := strings.CutPrefix(v, sigAlgorithm+" ")
	if !ok {
		return a, fmt.Errorf("%w: the Authorization header must start with %q", errMalformedAuth, sigAlgorithm+" ")
	}
	var haveCred, haveSigned, haveSig bool
	for _, part := range strings.Split(rest, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, fmt.Errorf("%w: component %q is not name=value", errMalformedAuth, shorten(part))
		}
		var err error
		switch name {
		case "Credential":
			if haveCred {
				return a, fmt.Errorf("%w: Credential given twice", errMalformedAuth)
			}
			haveCred = true
			a.AccessKey, a.Date, a.Region, a.Service, err = parseCredential(value)
		case "SignedHeaders":
			if haveSigned {
				return a, fmt.Errorf("%w: SignedHeaders given twice", errMalformedAuth)
			}
			haveSigned = true
			a.SignedHeaders, err = parseSignedHeaders(value)
		case "Signature":
			if haveSig {
				return a, fmt.Errorf("%w: Signature given twice", errMalformedAuth)
			}
			haveSig = true
			a.Signature, err = parseSignature(value)
		default:
			return a, fmt.Errorf("%w: unknown component %q", errMalformedAuth, shorten(name))
		}
		if err != nil {
			return a, err
		}
	}
	if !haveCred || !haveSigned || !haveSig {
		return a, fmt.Errorf("%w: Credential, SignedHeaders and Signature are all required", errMalformedAuth)
	}
	return a, nil
}

// parseCredential splits "AK/yyyymmdd/region/service/aws4_request".
func parseCredential(v string) (ak, date, region, service string, err error) {
	parts := strings.Split(v, "/")
	if len(parts) != 5 {
		return "", "", "", "", fmt.Errorf("%w: Credential must be ACCESS_KEY/DATE/REGION/SERVICE/aws4_request", errMalformedAuth)
	}
	ak, date, region, service = parts[0], parts[1], parts[2], parts[3]
	if ak == "" || region == "" || service == "" {
		return "", "", "", "", fmt.Errorf("%w: Credential has an empty access key, region or service", errMalformedAuth)
	}
	if _, perr := time.Parse(scopeDateLayout, date); perr != nil || len(date) != 8 {
		return "", "", "", "", fmt.Errorf("%w: Credential date %q is not yyyymmdd", errMalformedAuth, shorten(date))
	}
	if parts[4] != sigTerminator {
		return "", "", "", "", fmt.Errorf("%w: Credential must end in %s", errMalformedAuth, sigTerminator)
	}
	return ak, date, region, service, nil
}

// parseSignedHeaders checks the list is lower case, sorted and unique, as the
// canonical request depends on exactly this order.
func parseSignedHeaders(v string) ([]string, error) {
	if v == "" {
		return nil, fmt.Errorf("%w: SignedHeaders is empty", errMalformedAuth)
	}
	hs := strings.Split(v, ";")
	for i, h := range hs {
		if h == "" || !isHeaderToken(h) || strings.ToLower(h) != h {
			return nil, fmt.Errorf("%w: SignedHeaders entry %q is not a lower-case header name", errMalformedAuth, shorten(h))
		}
		if i > 0 && hs[i-1] >= h {
			return nil, fmt.Errorf("%w: SignedHeaders must be sorted and unique", errMalformedAuth)
		}
	}
	return hs, nil
}

func parseSignature(v string) (string, error) {
	if len(v) != 64 {
		return "", fmt.Errorf("%w: Signature must be 64 hex digits", errMalformedAuth)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return "", fmt.Errorf("%w: Signature must be lower-case hex", errMalformedAuth)
		}
	}
	return v, nil
}

// isHeaderToken reports whether s is an RFC 7230 token, which a header name must be.
func isHeaderToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// shorten keeps hostile input from bloating an error message.
func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// s3Error is an S3 error response: the code and status a client's SDK maps to
// its typed errors.
type s3Error struct {
	Status  int
	Code    string
	Message string
}

func (e *s3Error) Error() string { return e.Code + ": " + e.Message }

// verifier checks SigV4 signatures against the one configured key pair.
type verifier struct {
	accessKey string
	secretKey string
	region    string
	now       func() time.Time
}

// verify authenticates r, by its Authorization header or its presigned query.
// It never puts the secret or the expected signature into an error.
func (v *verifier) verify(r *http.Request) *s3Error {
	if h := r.Header.Get("Authorization"); h != "" {
		return v.verifyHeader(r, h)
	}
	if r.URL.Query().Has("X-Amz-Signature") || r.URL.Query().Has("X-Amz-Credential") {
		return v.verifyPresigned(r)
	}
	return &s3Error{http.StatusForbidden, "AccessDenied", "Access Denied: the request is not signed; sign it with SigV4 (AWS4-HMAC-SHA256)"}
}

func (v *verifier) verifyHeader(r *http.Request, h string) *s3Error {
	a, err := parseAuthorization(h)
	if err != nil {
		return &s3Error{http.StatusBadRequest, "AuthorizationHeaderMalformed", err.Error()}
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return &s3Error{http.StatusForbidden, "AccessDenied", "AWS authentication requires a valid X-Amz-Date header"}
	}
	t, serr := v.checkScope(a, amzDate)
	if serr != nil {
		return serr
	}
	if d := v.now().Sub(t); d > maxSkew || d < -maxSkew {
		return &s3Error{http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the server's time is too large"}
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		return &s3Error{http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256"}
	}
	if !isPayloadMarker(payload) && !isHexSHA256(payload) {
		return &s3Error{http.StatusBadRequest, "InvalidArgument", "x-amz-content-sha256 must be a SHA-256 hex digest or UNSIGNED-PAYLOAD"}
	}
	creq := canonicalRequest(r, r.URL.Query(), a.SignedHeaders, payload)
	return v.compare(a, amzDate, creq)
}

// verifyPresigned checks a query-string signed request (a presigned URL).
// The payload of a presigned S3 request is always UNSIGNED-PAYLOAD.
func (v *verifier) verifyPresigned(r *http.Request) *s3Error {
	q := r.URL.Query()
	if alg := q.Get("X-Amz-Algorithm"); alg != sigAlgorithm {
		return &s3Error{http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Algorithm must be " + sigAlgorithm}
	}
	var a authHeader
	var err error
	if a.AccessKey, a.Date, a.Region, a.Service, err = parseCredential(q.Get("X-Amz-Credential")); err == nil {
		if a.SignedHeaders, err = parseSignedHeaders(q.Get("X-Amz-SignedHeaders")); err == nil {
			a.Signature, err = parseSignature(q.Get("X-Amz-Signature"))
		}
	}
	if err != nil {
		return &s3Error{http.StatusBadRequest, "AuthorizationQueryParametersError", err.Error()}
	}
	amzDate := q.Get("X-Amz-Date")
	t, serr := v.checkScope(a, amzDate)
	if serr != nil {
		return serr
	}
	secs, err := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
	if err != nil || secs < 1 || time.Duration(secs)*time.Second > maxPresignExpiry {
		return &s3Error{http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and 604800 seconds"}
	}
	now := v.now()
	if now.Before(t.Add(-maxSkew)) {
		return &s3Error{http.StatusForbidden, "RequestTimeTooSkewed", "The presigned URL is dated in the future"}
	}
	if now.After(t.Add(time.Duration(secs) * time.Second)) {
		return &s3Error{http.StatusForbidden, "AccessDenied", "Request has expired"}
	}
	q.Del("X-Amz-Signature")
	payload := q.Get("X-Amz-Content-Sha256")
	if payload == "" {
		payload = unsignedPayload
	}
	creq := canonicalRequest(r, q, a.SignedHeaders, payload)
	return v.compare(a, amzDate, creq)
}

// checkScope checks the parts of the credential that are not secret, in the
// order S3 reports them, and returns the request time.
func (v *verifier) checkScope(a authHeader, amzDate string) (time.Time, *s3Error) {
	t, err := time.Parse(amzDateLayout, amzDate)
	if err != nil {
		return t, &s3Error{http.StatusForbidden, "AccessDenied", "X-Amz-Date must be yyyymmddThhmmssZ"}
	}
	if !hmac.Equal([]byte(a.AccessKey), []byte(v.accessKey)) {
		return t, &s3Error{http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."}
	}
	if a.Date != amzDate[:8] {
		return t, &s3Error{http.StatusBadRequest, "AuthorizationHeaderMalformed", "Invalid credential date: it is not the date of X-Amz-Date"}
	}
	if a.Region != v.region {
		return t, &s3Error{http.StatusBadRequest, "AuthorizationHeaderMalformed", fmt.Sprintf("the region %q is wrong; expecting %q", shorten(a.Region), v.region)}
	}
	if a.Service != sigService {
		return t, &s3Error{http.StatusBadRequest, "AuthorizationHeaderMalformed", fmt.Sprintf("the service %q is wrong; expecting %q", shorten(a.Service), sigService)}
	}
	return t, nil
}

// compare recomputes the signature over creq and compares it in constant time.
func (v *verifier) compare(a authHeader, amzDate, creq string) *s3Error {
	scope := a.Date + "/" + a.Region + "/" + a.Service + "/" + sigTerminator
	sum := sha256.Sum256([]byte(creq))
	toSign := sigAlgorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := signingKey(v.secretKey, a.Date, a.Region, a.Service)
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return &s3Error{http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
	}
	return nil
}

func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, sigTerminator)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalRequest builds the SigV4 canonical request the way S3 does. The
// URI is the path exactly as it came on the wire: S3 neither normalises it nor
// encodes it a second time (the SDK signs S3 with DisableURIPathEscaping), so
// a key "a b+c/ü" arrives and is signed as "/bucket/a%20b%2Bc/%C3%BC".
func canonicalRequest(r *http.Request, q url.Values, signed []string, payload string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(rawPath(r))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(q))
	b.WriteByte('\n')
	for _, h := range signed {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	b.WriteString(payload)
	return b.String()
}

// rawPath is the request path as the client sent it, before Go decoded it.
func rawPath(r *http.Request) string {
	p := r.RequestURI
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if !strings.HasPrefix(p, "/") {
		// Absolute-form request target (as sent to a proxy): keep only the path.
		if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
			p = u.EscapedPath()
		}
	}
	if p == "" {
		p = "/"
	}
	return p
}

// canonicalQuery encodes each name and value (RFC 3986, space as %20) and
// sorts after encoding, as SigV4 requires.
func canonicalQuery(q url.Values) string {
	type kv struct{ k, v string }
	params := make([]kv, 0, len(q))
	for k, vs := range q {
		ek := sigEscape(k)
		for _, v := range vs {
			params = append(params, kv{ek, sigEscape(v)})
		}
	}
	sort.Slice(params, func(i, j int) bool {
		if params[i].k != params[j].k {
			return params[i].k < params[j].k
		}
		return params[i].v < params[j].v
	})
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

func sigEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// canonicalHeaderValue joins a header's values with "," after trimming them
// and folding runs of spaces, as the signers do. Go moves Host and
// Content-Length out of r.Header, so they are read from the request fields.
func canonicalHeaderValue(r *http.Request, name string) string {
	var vals []string
	switch name {
	case "host":
		vals = []string{r.Host}
	case "content-length":
		if v, ok := r.Header["Content-Length"]; ok {
			vals = v
		} else if r.ContentLength >= 0 {
			vals = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	default:
		vals = r.Header.Values(name)
	}
	clean := make([]string, len(vals)) // vals aliases the request's headers
	for i, v := range vals {
		clean[i] = strings.TrimSpace(foldSpaces(v))
	}
	return strings.Join(clean, ",")
}

// foldSpaces turns each run of spaces into one space (tabs are kept, as the
// SDK's signer keeps them).
func foldSpaces(s string) string {
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' && i > 0 && s[i-1] == ' ' {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isPayloadMarker(s string) bool {
	switch s {
	case unsignedPayload, "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
		"STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":
		return true
	}
	return false
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
