package sqlite

import (
	"os"

	"golang.org/x/sys/unix"
)

// punchHole frees a range of f's blocks (and its pages in the page cache,
// dirty or not), keeping its size. Errors are ignored: a file system that
// cannot punch holes keeps the bytes until the file is removed.
func punchHole(f *os.File, off, n int64) {
	_ = unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n)
}

// startWriteback starts writing f's dirty pages to disk without waiting:
// the commit's fsync then has only the last ones left to wait for. Errors
// are ignored; the fsync reports any the write-back met.
func startWriteback(f *os.File) {
	_ = unix.SyncFileRange(int(f.Fd()), 0, 0, unix.SYNC_FILE_RANGE_WRITE)
}
