package postgres_test

import (
	"os"
	"testing"

	"connector-dev/connectors/postgres/pgtest"
)

// shared is the package's one server: started by the first test that needs
// it, stopped after the last.
var shared pgtest.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Close()
	os.Exit(code)
}
