package postgres

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"connector-dev/connectors"
)

// MaxIdentifierBytes is PostgreSQL's NAMEDATALEN-1: a longer schema, table
// or column name is cut by the server (with only a NOTICE), so two long
// names could become one. The connector refuses them at check instead.
const MaxIdentifierBytes = 63

// DefaultSchema is the schema of a DestinationObjectID without a "schema.".
const DefaultSchema = "public"

// target is the table a run loads: DestinationObjectID split at its '.'.
type target struct {
	schema, table string
}

// String is the qualified name as SQL reads it, quoted.
func (t target) String() string { return quoteIdent(t.schema) + "." + quoteIdent(t.table) }

// parseTarget reads DestinationObjectID as "table" or "schema.table". Names
// are kept as written (quoted in SQL), so "Accounts" is not "accounts".
func parseTarget(objectID string) (target, error) {
	id := strings.TrimSpace(objectID)
	if id == "" {
		return target{}, errors.New("the job's DestinationObjectID is empty: set it to the table to load, as table or schema.table")
	}
	schema, table, dotted := strings.Cut(id, ".")
	if !dotted {
		schema, table = DefaultSchema, id
	}
	if strings.Contains(table, ".") {
		return target{}, fmt.Errorf("DestinationObjectID %q has more than one '.': write it as schema.table", id)
	}
	if schema == "" || table == "" {
		return target{}, fmt.Errorf("DestinationObjectID %q has an empty schema or table name: write it as schema.table or table", id)
	}
	if err := checkIdentifier("DestinationObjectID's schema", schema); err != nil {
		return target{}, err
	}
	if err := checkIdentifier("DestinationObjectID's table", table); err != nil {
		return target{}, err
	}
	return target{schema: schema, table: table}, nil
}

// checkIdentifier refuses a name PostgreSQL would cut or cannot hold.
func checkIdentifier(what, name string) error {
	switch {
	case len(name) > MaxIdentifierBytes:
		return fmt.Errorf("%s %q is %d bytes long: PostgreSQL keeps at most %d bytes of a name (it would cut it silently): shorten it", what, name, len(name), MaxIdentifierBytes)
	case !utf8.ValidString(name):
		return fmt.Errorf("%s %q is not valid UTF-8: rename it", what, name)
	case strings.IndexByte(name, 0) >= 0:
		return fmt.Errorf("%s %q holds a NUL byte, which PostgreSQL names cannot: rename it", what, name)
	}
	return nil
}

// quoteIdent makes an SQL identifier of a name, as PostgreSQL reads "...".
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// server is where a URL points, for messages: never the password.
type server struct {
	user, host, port, database string
}

// String is host:port/database, the place a message names.
func (s server) String() string { return s.host + ":" + s.port + "/" + s.database }

// parseURL checks the credential's shape and says where it points. Its
// errors never quote the URL: it may hold the password.
func parseURL(raw string) (server, error) {
	const how = "set POSTGRES_URL (credentials field \"url\") to postgres://user:password@host:5432/database"
	if strings.TrimSpace(raw) == "" {
		return server{}, errors.New("the credentials field \"url\" is empty: " + how)
	}
	if !strings.HasPrefix(raw, "postgres://") && !strings.HasPrefix(raw, "postgresql://") {
		return server{}, errors.New("POSTGRES_URL is not a postgres:// URL (a key=value connection string is not taken: its password could not be kept secret): " + how)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, password and all: keep only why.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return server{}, fmt.Errorf("POSTGRES_URL is not a valid URL (%s): %s; escape special characters of the password as %%XX", withoutPassword(err.Error(), raw), how)
	}
	q := u.Query()
	if q.Has("password") {
		return server{}, errors.New("POSTGRES_URL has a password= parameter: put the password in the URL's user part (user:password@host), where it is kept secret")
	}
	s := server{user: u.User.Username(), host: u.Hostname(), port: u.Port(), database: strings.TrimPrefix(u.Path, "/")}
	if s.host == "" {
		s.host = q.Get("host")
	}
	if s.host == "" {
		return server{}, errors.New("POSTGRES_URL names no host: " + how)
	}
	if strings.Contains(u.Host, ",") {
		return server{}, errors.New("POSTGRES_URL names several hosts: name one, as postgres://user:password@host:5432/database")
	}
	if s.port == "" {
		s.port = "5432"
		if p := q.Get("port"); p != "" {
			s.port = p
		}
	}
	if s.database == "" {
		s.database = q.Get("dbname")
	}
	if s.database == "" {
		return server{}, errors.New("POSTGRES_URL names no database: add it after the host, as postgres://user:password@host:5432/database")
	}
	if err := checkIdentifier("POSTGRES_URL's database", s.database); err != nil {
		return server{}, err
	}
	return s, nil
}

// checkJob validates what a run needs of the job before it connects.
func checkJob(job *connectors.JobDetails) (target, error) {
	if job.UpdateMethodCD != connectors.Append && job.UpdateMethodCD != connectors.Replace {
		return target{}, fmt.Errorf("UpdateMethodCD is %d: use 1 (Append) or 2 (Replace)", job.UpdateMethodCD)
	}
	return parseTarget(job.DestinationObjectID)
}
