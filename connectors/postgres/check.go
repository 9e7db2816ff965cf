package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"connector-dev/connectors"
)

// Check validates the job's table, update method and mapped column names
// and the URL's shape before any stage runs (connectors.Checker), so a name
// PostgreSQL would cut or a malformed URL is a setup error (exit 3), not a
// failed load after the source ran. It does not connect.
func (d *Destination) Check(ctx context.Context, rt connectors.CheckRuntime) error {
	job := rt.Job()
	if _, err := checkJob(job); err != nil {
		return err
	}
	m, err := connectors.ParseMapping(string(job.JobDataJSON))
	if err != nil {
		return err
	}
	for _, c := range m.DestinationColumns() {
		if err := checkIdentifier("JobDataJSON destination column", c); err != nil {
			return err
		}
	}
	raw := rt.Credentials()[URLField]
	if _, err := parseURL(raw); err != nil {
		return err
	}
	if _, err := pgconn.ParseConfig(raw); err != nil {
		return fmt.Errorf("POSTGRES_URL: %s", withoutPassword(err.Error(), raw))
	}
	return nil
}

// withoutPassword removes the URL's password from text (pgx quotes the
// connection string in its parse errors, password masked, but be sure).
func withoutPassword(text, raw string) string {
	if p := passwordOf(raw); len(p) > 0 {
		text = strings.ReplaceAll(text, p, "[REDACTED]")
	}
	return text
}
