package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"connector-dev/connectors"
)

// Check validates the job's table and update method and that the database
// file can be opened for writing, before any stage runs (connectors.Checker):
// a bad path is then a setup error (exit 3), not a failed load after the
// source ran. The path is a credential, so messages do not repeat it. The
// only trace it leaves is a probe file, created and removed at once in the
// database's folder when that folder exists.
func (d *Destination) Check(ctx context.Context, rt connectors.CheckRuntime) error {
	job := rt.Job()
	if strings.TrimSpace(job.DestinationObjectID) == "" {
		return errors.New("the job's DestinationObjectID is empty: set it to the table to load")
	}
	if job.UpdateMethodCD != connectors.Append && job.UpdateMethodCD != connectors.Replace {
		return fmt.Errorf("UpdateMethodCD is %d: use 1 (Append) or 2 (Replace)", job.UpdateMethodCD)
	}
	path := rt.Credentials()[DatabaseField]
	if path == "" {
		path = DefaultDatabase
	}
	if problem := checkDatabasePath(path); problem != "" {
		return fmt.Errorf("the database file in SQLITE_DATABASE (credentials field %q) %s", DatabaseField, problem)
	}
	return nil
}

// checkDatabasePath says why path cannot be a database file the load
// creates or writes, or returns "". Errors carry no path: only the reason.
func checkDatabasePath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "is not a usable path: " + reason(err)
	}
	if fi, err := os.Stat(abs); err == nil {
		if fi.IsDir() {
			return "is a folder: name a file in it, such as warehouse.db"
		}
		f, err := os.OpenFile(abs, os.O_RDWR, 0)
		if err != nil {
			return "cannot be written: " + reason(err) + ": fix its permissions or point SQLITE_DATABASE elsewhere"
		}
		defer f.Close()
		if notSQLite(f, abs) {
			return "is not a SQLite database (it does not start with SQLite's header): point SQLITE_DATABASE at a new file or a SQLite database"
		}
		return ""
	} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		return "cannot be read: " + reason(err)
	}
	// The load creates the missing folders: the nearest one that exists
	// must be a folder this process can create files in.
	dir := filepath.Dir(abs)
	for {
		fi, err := os.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return "lies under a file, not a folder: point SQLITE_DATABASE at a path in a folder"
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return "lies under a folder that cannot be read: " + reason(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "lies under no folder that exists"
		}
		dir = parent
	}
	probe, err := os.CreateTemp(dir, ".connector-dev-check-*")
	if err != nil {
		return "is in a folder where files cannot be created: " + reason(err) + ": fix its permissions or point SQLITE_DATABASE elsewhere"
	}
	probe.Close()
	os.Remove(probe.Name())
	return ""
}

// notSQLite reports whether f, the database file at abs, is surely not a
// SQLite database: it has bytes, they do not start with SQLite's header,
// and no journal beside it could make it one. An empty file is an empty
// database to SQLite. A load killed before its first commit leaves a file
// whose first page may be zeros and a hot journal: SQLite's next open rolls
// it back, so such a file is SQLite's to judge.
func notSQLite(f *os.File, abs string) bool {
	head := make([]byte, 16)
	n, _ := f.Read(head)
	if n == 0 || string(head[:n]) == "SQLite format 3\x00" || strings.Trim(string(head[:n]), "\x00") == "" {
		return false
	}
	for _, side := range []string{"-journal", "-wal"} {
		if _, err := os.Stat(abs + side); err == nil {
			return false
		}
	}
	return true
}

// reason is an error without the path an *fs.PathError repeats.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
