package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"connector-dev/connectors"
)

// A table another session holds is one line saying so after lock_timeout
// (a minute unless the URL sets it), not a run that hangs without a word.
func TestLockedTableIsOneLine(t *testing.T) {
	srv := shared.Get(t)
	schema := srv.Schema(t)
	table := schema + ".held"
	srv.Exec(t, "CREATE TABLE "+table+" (id bigint NOT NULL)", "INSERT INTO "+table+" VALUES (1)")
	ctx := context.Background()
	holder, err := pgconn.Connect(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(ctx)
	if _, err := holder.Exec(ctx, "BEGIN; LOCK TABLE "+table+" IN ACCESS SHARE MODE").ReadAll(); err != nil {
		t.Fatal(err)
	}
	sep := "?"
	if strings.Contains(srv.URL, "?") {
		sep = "&"
	}
	reason, msg, _ := runLoad(t, srv.URL+sep+"lock_timeout=100ms", table, connectors.Replace, ids(0, 3))
	want := fmt.Sprintf(`table "%s"."held" on 127.0.0.1:%d/postgres is locked by another session`, schema, srv.Port)
	if reason != connectors.Error || !strings.Contains(msg, want) || !strings.Contains(msg, "lock_timeout") || strings.Contains(msg, "\n") {
		t.Fatalf("%s: %s\nwant one line with %q", reason, msg, want)
	}
	if _, err := holder.Exec(ctx, "ROLLBACK").ReadAll(); err != nil {
		t.Fatal(err)
	}
	if got := srv.Query(t, "SELECT count(*) FROM "+table); len(got) != 1 || got[0] != "1" {
		t.Errorf("table after the refused replace: %v, want its 1 row", got)
	}
}
