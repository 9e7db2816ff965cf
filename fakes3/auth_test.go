package fakes3

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The worked examples of AWS's "Signature Calculations for the Authorization
// Header (AWS Signature Version 4)" S3 page: a second, independent oracle
// beside the SDK's signer.
func TestKnownAnswers(t *testing.T) {
	const (
		emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		cred     = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
	)
	v := verifier{
		accessKey: "AKIAIOSFODNN7EXAMPLE",
		secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		region:    "us-east-1",
		now:       func() time.Time { return time.Date(2013, 5, 24, 0, 5, 0, 0, time.UTC) },
	}
	tests := []struct {
		name, method, target string
		headers              map[string]string
		auth                 string
	}{
		{"GET object", "GET", "/test.txt",
			map[string]string{"Range": "bytes=0-9", "X-Amz-Content-Sha256": emptySHA},
			cred + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"},
		{"PUT object", "PUT", "/test%24file.text",
			map[string]string{"Date": "Fri, 24 May 2013 00:00:00 GMT", "X-Amz-Storage-Class": "REDUCED_REDUNDANCY",
				"X-Amz-Content-Sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"},
			cred + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"},
		{"GET bucket lifecycle", "GET", "/?lifecycle",
			map[string]string{"X-Amz-Content-Sha256": emptySHA},
			cred + "SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"},
		{"list objects", "GET", "/?max-keys=2&prefix=J",
			map[string]string{"X-Amz-Content-Sha256": emptySHA},
			cred + "SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader("Welcome to Amazon S3."))
			r.Host = "examplebucket.s3.amazonaws.com"
			r.Header.Set("X-Amz-Date", "20130524T000000Z")
			for k, val := range tt.headers {
				r.Header.Set(k, val)
			}
			r.Header.Set("Authorization", tt.auth)
			if e := v.verify(r); e != nil {
				t.Fatalf("verify = %v, want the AWS example to pass", e)
			}
			// One changed byte anywhere signed must fail.
			r.Host = "examplebucket.s3.amazonaws.co"
			if e := v.verify(r); e == nil || e.Code != "SignatureDoesNotMatch" {
				t.Errorf("verify with another host = %v, want SignatureDoesNotMatch", e)
			}
		})
	}
}

// Requests signed by the SDK's own signer with the awkward parts of SigV4
// (repeated and padded headers, odd query strings, empty bodies) must verify
// against the live server.
func TestSDKSignerAgreement(t *testing.T) {
	srv, _ := startServer(t, false)
	base := srv.URL() + "/" + testBucket
	tests := []struct {
		name, method, url string
		body              string
		headers           map[string]string
		want              int
	}{
		{"padded header", "PUT", base + "/k1", "x", map[string]string{"X-Amz-Meta-Note": "  a   b \t c  "}, 200},
		{"empty body", "PUT", base + "/empty", "", nil, 200},
		{"query with space plus unicode", "GET", base + "?list-type=2&prefix=a%20b%2Bc%C3%BC&encoding-type=url", "", nil, 200},
		{"repeated and empty query", "GET", base + "?list-type=2&x=2&x=1&empty=", "", nil, 200},
		{"reserved chars in key", "PUT", base + "/a%3Ab%40c%21%2A%28%29", "x", nil, 200},
		{"content-type and md5", "PUT", base + "/md5", "hello", map[string]string{"Content-Type": "text/plain", "Content-Md5": "XUFAKrxLKna5cZ2REBfFkg=="}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body *strings.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			var req *http.Request
			if body == nil {
				req = signedRequest(t, tt.method, tt.url, nil, emptySHA256, tt.headers)
			} else {
				req = signedRequest(t, tt.method, tt.url, body, sha256Hex(tt.body), tt.headers)
			}
			if status, resp := doRaw(t, req); status != tt.want {
				t.Errorf("%s %s = %d %s, want %d", tt.method, tt.url, status, resp, tt.want)
			}
		})
	}
}

func TestParseAuthorization(t *testing.T) {
	const sig = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	tests := []struct {
		name, in string
		want     authHeader
		errHas   string // "" = must parse
	}{
		{"sdk spacing", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig,
			authHeader{"AK", "20130524", "us-east-1", "s3", []string{"host", "x-amz-date"}, sig}, ""},
		{"no spaces", "AWS4-HMAC-SHA256 Credential=AK/20130524/eu-west-1/s3/aws4_request,SignedHeaders=host,Signature=" + sig,
			authHeader{"AK", "20130524", "eu-west-1", "s3", []string{"host"}, sig}, ""},
		{"v2 header", "AWS AK:c2lnbmF0dXJl", authHeader{}, "must start with"},
		{"missing signature", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host", authHeader{}, "all required"},
		{"short credential", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1, SignedHeaders=host, Signature=" + sig, authHeader{}, "Credential must be"},
		{"bad date", "AWS4-HMAC-SHA256 Credential=AK/2013-05-2/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + sig, authHeader{}, "not yyyymmdd"},
		{"bad terminator", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws5_request, SignedHeaders=host, Signature=" + sig, authHeader{}, "aws4_request"},
		{"unsorted headers", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=x-amz-date;host, Signature=" + sig, authHeader{}, "sorted"},
		{"upper-case header", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=Host, Signature=" + sig, authHeader{}, "lower-case"},
		{"short signature", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc", authHeader{}, "64 hex"},
		{"upper-case signature", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + strings.ToUpper(sig), authHeader{}, "lower-case hex"},
		{"duplicate", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + sig, authHeader{}, "twice"},
		{"unknown part", "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, Foo=bar, SignedHeaders=host, Signature=" + sig, authHeader{}, "unknown component"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAuthorization(tt.in)
			if tt.errHas == "" {
				if err != nil || !reflect.DeepEqual(got, tt.want) {
					t.Errorf("parse = %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			if err == nil || !errors.Is(err, errMalformedAuth) || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("parse error = %v, want a malformed-header error containing %q", err, tt.errHas)
			}
		})
	}
}

// FuzzParseAuthorization: the header is attacker-controlled input. A parse
// either fails cleanly or yields fields that format back to a header that
// parses to the same fields.
func FuzzParseAuthorization(f *testing.F) {
	const sig = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	f.Add("AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-date, Signature=" + sig)
	f.Add("AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=" + sig)
	f.Add("AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;, Signature=")
	f.Add("AWS4-HMAC-SHA256 ,,,===")
	f.Add("AWS AK:sig")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		a, err := parseAuthorization(in)
		if err != nil {
			if !errors.Is(err, errMalformedAuth) {
				t.Fatalf("error %v does not wrap errMalformedAuth", err)
			}
			return
		}
		if len(a.Signature) != 64 || strings.ToLower(a.Signature) != a.Signature {
			t.Fatalf("accepted signature %q", a.Signature)
		}
		if !slices.IsSorted(a.SignedHeaders) || len(a.SignedHeaders) == 0 {
			t.Fatalf("accepted signed headers %q", a.SignedHeaders)
		}
		again := "AWS4-HMAC-SHA256 Credential=" + a.AccessKey + "/" + a.Date + "/" + a.Region + "/" + a.Service + "/aws4_request, SignedHeaders=" +
			strings.Join(a.SignedHeaders, ";") + ", Signature=" + a.Signature
		b, err := parseAuthorization(again)
		if err != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("reformatted %q parses to %+v, %v; want %+v", again, b, err, a)
		}
	})
}
