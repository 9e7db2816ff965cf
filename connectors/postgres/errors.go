package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// passwordOf is the password of a URL credential, or "".
func passwordOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}

// connectError turns a failed connect into the one line a user acts on:
// which server, and what to change.
func connectError(err error, s server) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "28P01", "28000":
			return fmt.Sprintf("authentication failed for user %q at %s: check the user and password in POSTGRES_URL", s.user, s)
		case "3D000":
			return fmt.Sprintf("database %q does not exist on %s:%s: create it (createdb %s) or name another in POSTGRES_URL", s.database, s.host, s.port, s.database)
		case "42501":
			return fmt.Sprintf("permission denied: user %q may not connect to %s: %s (GRANT CONNECT ON DATABASE %s TO %s)", s.user, s, pg.Message, quoteIdent(s.database), quoteIdent(s.user))
		}
		return fmt.Sprintf("connect to %s as %q: %s (SQLSTATE %s)", s, s.user, pg.Message, pg.Code)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Sprintf("cannot reach the PostgreSQL server at %s:%s: no answer in time: is it running, and are the host and port in POSTGRES_URL right?", s.host, s.port)
	}
	return fmt.Sprintf("cannot reach the PostgreSQL server at %s:%s: %s: is it running, and are the host and port in POSTGRES_URL right?", s.host, s.port, netReason(err))
}

// netReason is the last, most specific part of a network error.
func netReason(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "no such host " + dns.Name
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

// copyWhere reads the row and column of a COPY error from the server's
// context line, "COPY t, line 3, column name: ...".
var copyWhere = regexp.MustCompile(`COPY [^\n]*?, line (\d+)(?:, column ([^:\n]+))?`)

// loadError is the one line for a failed statement of a load: a server
// error names its row and column when the server said them, and says
// what to do for the common ones.
func (ld *load) loadError(err error, what string) string {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		if ld.conn.IsClosed() {
			return fmt.Sprintf("%s: the connection to %s was lost: %v", what, ld.srv, err)
		}
		return fmt.Sprintf("%s: %v", what, err)
	}
	place := ""
	if m := copyWhere.FindStringSubmatch(pg.Where); m != nil {
		place = ", row " + m[1]
		if m[2] != "" {
			place += ", column " + quoteIdent(m[2])
		}
	} else if pg.ColumnName != "" {
		place = ", column " + quoteIdent(pg.ColumnName)
	}
	msg := pg.Message
	if pg.Detail != "" {
		msg += " (" + pg.Detail + ")"
	}
	switch {
	case pg.Code == "42501":
		return fmt.Sprintf("%s: permission denied for user %q on %s: %s: GRANT the user what it needs on %s, or use another user in POSTGRES_URL", what, ld.srv.user, ld.srv, msg, ld.tgt)
	case strings.HasPrefix(pg.Code, "22"), strings.HasPrefix(pg.Code, "23"):
		return fmt.Sprintf("batch %d%s: %s (table %s, SQLSTATE %s)", ld.batch, place, msg, ld.tgt, pg.Code)
	}
	return fmt.Sprintf("%s: %s (SQLSTATE %s)", what, msg, pg.Code)
}
