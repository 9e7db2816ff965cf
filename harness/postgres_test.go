package harness_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"connector-dev/connectors"
	"connector-dev/connectors/postgres/pgtest"
	"connector-dev/harness"
)

// postgresProject is setupProjectMethod's project with the postgres
// destination loading schema.t on srv.
func postgresProject(t *testing.T, srv *pgtest.Server, schema, object string, method int) harness.Options {
	t.Helper()
	opts := setupProjectMethod(t, object, method)
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(opts.Dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("connectors.yaml", testYAML+"postgres:\n  kind: destination\n  credentials: [url]\n  env: []\n")
	write(".env.credentials", fmt.Sprintf("BEHAVE_TOKEN=%s\nPOSTGRES_URL=%s\n", secretToken, srv.URL))
	write("fixtures/behave/job.json", fmt.Sprintf(`{"ETLJobNM": "behave-job", "SourceObjectID": %q, "DestinationObjectID": "%s.t",
		"SourceConnectorNM": "behave", "DestinationConnectorNM": "postgres", "UpdateMethodCD": %d}`, object, schema, method))
	return opts
}

// waitForSleep returns once a statement on the server waits in pg_sleep:
// the COPY stopped inside the table's trigger.
func waitForSleep(ctx context.Context, url string) error {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	for {
		var n int
		if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query LIKE 'COPY%'`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Ctrl-C while a Replace's COPY runs on the server: the COPY is cancelled,
// the run exits 130, and the table keeps its previous rows, unlocked.
func TestInterruptDuringPostgresCopyKeepsTable(t *testing.T) {
	srv := pgtest.New(t)
	schema := srv.Schema(t)
	opts := postgresProject(t, srv, schema, "many", connectors.Replace)
	if rep, out := execute(t, opts, context.Background()); rep.ExitCode != 0 {
		t.Fatalf("first run: %+v\n%s", rep.Exit, out)
	}
	if n := srv.Query(t, "SELECT count(*) FROM "+schema+".t")[0]; n != "500" {
		t.Fatalf("first run loaded %s rows, want 500", n)
	}
	// A trigger holds the COPY of the batch with id 250 (batch 26) in the
	// server, so the interrupt lands while a COPY runs, on any machine.
	srv.Exec(t, `CREATE FUNCTION `+schema+`.slow() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.id = 250 THEN PERFORM pg_sleep(120); END IF; RETURN NEW; END $$`,
		`CREATE TRIGGER slow BEFORE INSERT ON `+schema+`.t FOR EACH ROW EXECUTE FUNCTION `+schema+`.slow()`)
	r, err := harness.Plan(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	waited := make(chan error, 1)
	var c collect
	rep := r.Execute(ctx, harness.SinkFunc(func(e harness.Event) {
		c.Emit(e)
		if e.Kind == harness.EventBatchRead && e.Batch != nil && e.Batch.Index == 26 {
			go func() {
				err := waitForSleep(ctx, srv.URL)
				waited <- err
				cancel(harness.ErrInterrupted)
			}()
		}
	}))
	if err := <-waited; err != nil && ctx.Err() == nil {
		t.Fatalf("watching for the COPY: %v", err)
	}
	if rep.Exit.Reason != connectors.Interrupted || rep.ExitCode != 130 {
		t.Fatalf("exit %+v code %d, want interrupted 130\n%s", rep.Exit, rep.ExitCode, c.text())
	}
	// Query sets a lock timeout: a COPY still running would hold the lock.
	if n := srv.Query(t, "SELECT count(*), min(id), max(id) FROM "+schema+".t")[0]; n != "500\t0\t499" {
		t.Errorf("after the interrupted replace (count, min, max): %s, want the previous 500 rows", n)
	}
	if got := srv.Query(t, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY%' AND state <> 'idle'"); got[0] != "0" {
		t.Errorf("a COPY is still running on the server after the run: %v", got)
	}
	if out := c.text(); strings.Contains(out, "postgres: ") && strings.Contains(out, "ERROR") {
		t.Errorf("an interrupt is no error line:\n%s", out)
	}
}
