package postgres_test

import (
	"context"
	neturl "net/url"
	"strings"
	"testing"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/postgres"
)

const goodURL = "postgres://app:s3cret-pw@db.example:5433/warehouse?sslmode=disable"

func check(object, mapping, url string, method int) (connectors.ExitReason, string) {
	rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "t", DestinationObjectID: object, UpdateMethodCD: method,
		JobDataJSON: connectors.JSONText(mapping)})
	rt.Creds[postgres.URLField] = url
	return rt.RunCheck(context.Background(), &postgres.Destination{})
}

func TestCheck(t *testing.T) {
	long := strings.Repeat("x", 64)
	for _, tt := range []struct {
		name, object, mapping, url string
		method                     int
		want                       string // "" for a pass
	}{
		{"ok", "accounts", "", goodURL, 2, ""},
		{"schema.table", "sales.accounts", `{"columns": [{"source": "a", "destination": "b"}]}`, goodURL, 1, ""},
		{"63 bytes", strings.Repeat("x", 63), "", goodURL, 1, ""},
		{"long table", long, "", goodURL, 1, "DestinationObjectID's table \"" + long + "\" is 64 bytes long: PostgreSQL keeps at most 63 bytes"},
		{"long schema", long + ".t", "", goodURL, 1, "DestinationObjectID's schema"},
		{"long column", "t", `{"columns": [{"source": "a", "destination": "` + long + `"}]}`, goodURL, 1, "JobDataJSON destination column \"" + long + "\" is 64 bytes long"},
		{"two dots", "a.b.c", "", goodURL, 1, "more than one '.'"},
		{"empty table", "a.", "", goodURL, 1, "empty schema or table name"},
		{"method", "t", "", goodURL, 3, "UpdateMethodCD is 3"},
		{"no url", "t", "", "", 1, `the credentials field "url" is empty`},
		{"dsn", "t", "", "host=db password=s3cret-pw", 1, "not a postgres:// URL"},
		{"http", "t", "", "http://app:s3cret-pw@db/x", 1, "not a postgres:// URL"},
		{"no database", "t", "", "postgres://app:s3cret-pw@db.example:5432", 1, "names no database"},
		{"no host", "t", "", "postgres://app:s3cret-pw@/warehouse", 1, "names no host"},
		{"password param", "t", "", "postgres://app@db/warehouse?password=s3cret-pw", 1, "password= parameter"},
		{"bad port", "t", "", "postgres://app:s3cret-pw@db:port/warehouse", 1, "not a valid URL"},
		{"bad sslmode", "t", "", "postgres://app:s3cret-pw@db/warehouse?sslmode=sometimes", 1, "POSTGRES_URL: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reason, msg := check(tt.object, tt.mapping, tt.url, tt.method)
			if tt.want == "" {
				if reason != connectors.Success {
					t.Fatalf("%s: %s", reason, msg)
				}
				return
			}
			if reason != connectors.Setup || !strings.Contains(msg, tt.want) {
				t.Fatalf("%s: %s\nwant setup with %q", reason, msg, tt.want)
			}
			if strings.Contains(msg, "s3cret-pw") {
				t.Errorf("the message shows the password: %s", msg)
			}
		})
	}
}

// FuzzCheck: any DestinationObjectID and URL gets an answer, never a
// panic, and a refusal never quotes the URL's password.
func FuzzCheck(f *testing.F) {
	f.Add("accounts", goodURL)
	f.Add("s.t", "postgresql://u:p%40ss@h:1/d")
	f.Add("a.b.c", "postgres://u:pw:x@h/d?host=/tmp")
	f.Add("\x00", "postgres://[::1]:5432/d")
	f.Fuzz(func(t *testing.T, object, rawURL string) {
		reason, msg := check(object, "", rawURL, 1)
		if reason != connectors.Success && reason != connectors.Setup {
			t.Fatalf("%s: %s", reason, msg)
		}
		if reason != connectors.Setup {
			return
		}
		u, err := neturl.Parse(rawURL)
		if err != nil || u.User == nil {
			return
		}
		if pw, ok := u.User.Password(); ok && len(pw) >= 6 && !strings.Contains(object, pw) && strings.Contains(msg, pw) {
			t.Fatalf("message quotes the password %q: %s", pw, msg)
		}
	})
}
