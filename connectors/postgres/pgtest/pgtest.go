// Package pgtest starts a throwaway PostgreSQL server for tests, as
// httptest starts an HTTP one: initdb and postgres from the machine's
// server binaries, in a temporary folder, on a free loopback port, stopped
// and removed by Stop. The binaries refuse to run as root, so as root the
// server runs as the "postgres" user. POSTGRES_TEST_URL (a superuser's URL)
// points the tests at a server of your own instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable that points the tests at an existing server.
const EnvURL = "POSTGRES_TEST_URL"

// Server is a running PostgreSQL server the tests may do anything to.
type Server struct {
	// URL is a superuser's URL, database "postgres".
	URL string
	// Host and Port are where it listens.
	Host string
	Port int

	dir string
	cmd *exec.Cmd
}

// BinDir finds the server binaries: initdb on PATH, else the newest
// /usr/lib/postgresql/NN/bin (Debian keeps them off PATH). "" if none.
func BinDir() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	if len(dirs) == 0 {
		return ""
	}
	return filepath.Dir(dirs[0])
}

func version(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// Start runs initdb and starts the server; Stop ends it and removes its
// folder. The server dies with the test process too (parent-death signal),
// so a killed test leaves no server behind.
func Start(ctx context.Context) (*Server, error) {
	bin := BinDir()
	if bin == "" {
		return nil, errors.New("no PostgreSQL server binaries (initdb): install the postgresql package, or set " + EnvURL)
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, and the server refuses root: no postgres user to run it as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	// Not t.TempDir: its parents are 0700 root, which the postgres user
	// cannot enter.
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, Host: "127.0.0.1"}
	fail := func(err error) (*Server, error) {
		s.Stop()
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fail(err)
		}
	}
	password := randomHex(12)
	pwfile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
		return fail(err)
	}
	if cred != nil {
		os.Chown(pwfile, int(cred.Uid), int(cred.Gid))
	}
	data := filepath.Join(dir, "data")
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--pwfile", pwfile,
		"--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %v\n%s", err, out))
	}
	if s.Port, err = freePort(); err != nil {
		return fail(err)
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return fail(err)
	}
	defer logf.Close()
	// Durability is not what a test measures: fsync off keeps a load's
	// timing about the load.
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(s.Port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	s.cmd.Stdout, s.cmd.Stderr, s.cmd.Dir = logf, logf, dir
	if err := s.cmd.Start(); err != nil {
		return fail(fmt.Errorf("start postgres: %w", err))
	}
	s.URL = (&url.URL{Scheme: "postgres", User: url.UserPassword("postgres", password),
		Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), Path: "/postgres", RawQuery: "sslmode=disable"}).String()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := pgx.Connect(ctx, s.URL)
		if err == nil {
			c.Close(ctx)
			return s, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			return fail(fmt.Errorf("postgres did not accept connections: %v\n%s", err, log))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop shuts the server down (fast shutdown: open sessions are ended) and
// removes its folder.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Shared is one server for a test package, started by the first test that
// asks and stopped by Close (from TestMain, after m.Run).
type Shared struct {
	once sync.Once
	srv  *Server
	err  error
}

// Get returns the package's server, starting it on first use, or skips
// the test saying why there is none. Under CI (CI set) a missing server
// fails the test instead: CI must run them.
func (sh *Shared) Get(t testing.TB) *Server {
	t.Helper()
	sh.once.Do(func() {
		if u := os.Getenv(EnvURL); u != "" {
			pu, err := url.Parse(u)
			if err != nil {
				sh.err = fmt.Errorf("%s is not a URL", EnvURL)
				return
			}
			port, _ := strconv.Atoi(pu.Port())
			sh.srv = &Server{URL: u, Host: pu.Hostname(), Port: port}
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		sh.srv, sh.err = Start(ctx)
	})
	if sh.err != nil {
		if BinDir() == "" && os.Getenv("CI") == "" {
			t.Skipf("no PostgreSQL server: %v", sh.err)
		}
		t.Fatalf("PostgreSQL test server: %v", sh.err)
	}
	return sh.srv
}

// New is a server for one test, stopped when it ends; POSTGRES_TEST_URL's
// server instead when set. It skips or fails as Shared.Get does. For a
// package without a TestMain to stop a Shared one.
func New(t testing.TB) *Server {
	t.Helper()
	var sh Shared
	srv := sh.Get(t)
	t.Cleanup(sh.Close)
	return srv
}

// Close stops the server if this package started one.
func (sh *Shared) Close() {
	if sh.srv != nil && sh.srv.cmd != nil {
		sh.srv.Stop()
	}
}

// Exec runs SQL statements on the server as its superuser.
func (s *Server) Exec(t testing.TB, sql ...string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, s.URL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer c.Close(ctx)
	for _, q := range sql {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// Schema creates a fresh schema for one test, dropped when it ends, so
// tests (and -count=N repeats) sharing a server never see each other's tables.
func (s *Server) Schema(t testing.TB) string {
	t.Helper()
	name := "t_" + randomHex(6)
	s.Exec(t, "CREATE SCHEMA "+name)
	t.Cleanup(func() { s.Exec(t, "DROP SCHEMA "+name+" CASCADE") })
	return name
}

// UserURL is the server's URL with another user and password.
func (s *Server) UserURL(user, password string) string {
	u, _ := url.Parse(s.URL)
	u.User = url.UserPassword(user, password)
	return u.String()
}

// DatabaseURL is the server's URL with another database.
func (s *Server) DatabaseURL(db string) string {
	u, _ := url.Parse(s.URL)
	u.Path = "/" + db
	return u.String()
}

// Query returns the rows of a query as strings (NULL as "NULL"), one
// tab-joined line per row: what a user would read in psql.
func (s *Server) Query(t testing.TB, sql string, args ...any) []string {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, s.URL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer c.Close(ctx)
	// A lock a run left behind fails the test instead of hanging it.
	if _, err := c.Exec(ctx, "SET lock_timeout = '10s'"); err != nil {
		t.Fatal(err)
	}
	rows, err := c.Query(ctx, sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				parts[i] = "NULL"
			} else if tm, ok := v.(time.Time); ok {
				parts[i] = tm.UTC().Format(time.RFC3339Nano)
			} else {
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, "\t"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}
