package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"connector-dev/fakes3"
)

// StorageKind is where a run's batches are stored. RunInfo.Storage keeps
// the words a user reads (and report.json keeps them); code asks the kind.
type StorageKind int

// The kinds of storage a run can have. StorageUnknown is a report that
// names none (written before the field existed).
const (
	StorageUnknown  StorageKind = iota
	StorageDisk                 // the embedded S3, on disk in the state folder
	StorageMemory               // the embedded S3, in memory: gone with the process
	StorageExternal             // an S3 at an endpoint (--s3-endpoint, S3_ENDPOINT)
)

const storageExternal = "external"

// describe is RunInfo.Storage for the kind; dir is where a disk store lives.
func (k StorageKind) describe(dir string) string {
	switch k {
	case StorageDisk:
		return "embedded, on disk at " + dir
	case StorageMemory:
		return "embedded, in memory"
	case StorageExternal:
		return storageExternal
	}
	return ""
}

// StorageKind reads the kind back from Storage.
func (r RunInfo) StorageKind() StorageKind {
	switch {
	case r.Storage == storageExternal:
		return StorageExternal
	case r.Storage == StorageMemory.describe(""):
		return StorageMemory
	case strings.HasPrefix(r.Storage, StorageDisk.describe("")):
		return StorageDisk
	}
	return StorageUnknown
}

// embeddedS3 is how the embedded S3 is started, for run, inspect, s3 and
// prune alike: over the state folder's s3/ (or in memory), on a loopback
// port unless addr is set.
type embeddedS3 struct {
	stateDir string
	memory   bool
	opts     fakes3.Options // keys, region, buckets, chaos, addr; Dir is set here
}

// dir is the folder the disk store lives in ("" in memory).
func (e embeddedS3) dir() string {
	if e.memory {
		return ""
	}
	return filepath.Join(e.stateDir, "s3")
}

// kind is the storage the server gives.
func (e embeddedS3) kind() StorageKind {
	if e.memory {
		return StorageMemory
	}
	return StorageDisk
}

// start starts the server, unless ctx has ended: start-up is cancellable.
func (e embeddedS3) start(ctx context.Context) (*fakes3.Server, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := e.opts
	o.Dir = e.dir()
	srv, err := fakes3.Start(o)
	// Said in the user's terms: the flag they gave, not fakes3's fields.
	var de *fakes3.DirError
	if errors.As(err, &de) {
		cause := de.Err
		var pe *os.PathError
		if errors.As(cause, &pe) {
			cause = pe.Err
		}
		return nil, fmt.Errorf("--state-dir %s: cannot make its S3 store %s (%v): give a folder you can write", e.stateDir, de.Dir, cause)
	}
	var le *fakes3.ListenError
	if errors.As(err, &le) && o.Addr != "" {
		return nil, fmt.Errorf("--addr %s: cannot listen there (%v): give a free loopback port, e.g. 127.0.0.1:9000", o.Addr, le.Err)
	}
	return srv, err
}
