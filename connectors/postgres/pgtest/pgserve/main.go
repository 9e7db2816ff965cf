// Command pgserve starts a throwaway PostgreSQL server (pgtest.Start) for
// trying the postgres destination and for bench/postgres.sh: it prints the
// superuser's URL on one line, serves until stdin closes or it is
// interrupted, then stops the server and removes its folder.
//
//	go run ./connectors/postgres/pgtest/pgserve
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"connector-dev/connectors/postgres/pgtest"
)

func main() {
	srv, err := pgtest.Start(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgserve:", err)
		os.Exit(1)
	}
	defer srv.Stop()
	fmt.Println(srv.URL)
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-done:
	case <-sig:
	}
}
