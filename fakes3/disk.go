package fakes3

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/johannesboyne/gofakes3"
	"github.com/spf13/afero"
)

// diskBackend is the disk store, plain files under Options.Dir in the layout
// gofakes3's s3afero used, so a state folder written by an older binary reads
// as it is (and an older binary reads ours):
//
//	buckets/<bucket>/<key>                          the object's bytes, a plain file
//	metadata/<bucket>/<key, '/' as '_'>-<fnv128a>   its JSON sidecar: size, mtime, MD5, user metadata
//	tmp/put-*, tmp/meta-*                           spool files of PUTs under way
//
// A PUT costs one pass over the body: it is written once, to a spool file in
// tmp/ (on the same file system), with the MD5 that gofakes3 computes for the
// ETag anyway instead of a second hash, and the spool file is then renamed
// over the key. A reader sees the old object or the new one, never part of
// one, and a body that fails half way (client gone, digest mismatch, disk
// full) leaves the old object as it was. s3afero hashed the body again and,
// behind the old wrapper, copied it a second time from a spool file into
// place, truncating the old object first.
//
// Metadata is replaced on overwrite, never merged, and listings page
// themselves, so the wrapper's tombstones and whole listings are not needed
// here. Versioning and multipart uploads are not implemented (gofakes3
// assembles multipart uploads in memory and PUTs the result).
type diskBackend struct {
	fs afero.Fs // rooted at Options.Dir

	// mu orders what changes which file a key names (the renames of a PUT, a
	// DELETE) against the reads of an object and its sidecar, so a reader
	// gets the two of one version. The slow part of a PUT, spooling the
	// body, runs outside it.
	mu   sync.RWMutex
	bufs sync.Pool // *[]byte copy buffers of copyBufSize
}

const (
	bucketsDir  = "buckets"
	metadataDir = "metadata"
	spoolDir    = "tmp"
	copyBufSize = 256 << 10
)

var _ gofakes3.Backend = (*diskBackend)(nil)

// staleSpool is how long a spool file must have gone unwritten before a
// starting store takes it for the leftover of an upload a crash cut off.
// Another process may share the folder (a second `connector-dev run` or
// `connector-dev s3` on the same --state-dir), and its uploads under way
// have spool files too: removing those would fail its PUTs. A spool file
// under way is written as its body arrives, so its time stays recent, and
// it is renamed away the moment the body ends; a meta- file lives for one
// write. An hour without a byte is far past any live upload (a client that
// stalls that long has long given up), so the age alone tells the cases
// apart. The writer's pid in the name would not: pids are reused, always
// so in containers, where every run may be pid 1.
const staleSpool = time.Hour

// newDiskBackend opens the store rooted at fs, creating its folders, and
// removes the spool files of uploads a crash cut off (they never were
// objects): those untouched for staleSpool, as of now.
func newDiskBackend(fs afero.Fs, now time.Time) (*diskBackend, error) {
	for _, dir := range []string{bucketsDir, metadataDir, spoolDir} {
		if err := fs.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}
	for _, pattern := range []string{"put-*", "meta-*"} {
		if old, err := afero.Glob(fs, path.Join(spoolDir, pattern)); err == nil {
			for _, f := range old {
				if st, err := fs.Stat(f); err == nil && now.Sub(st.ModTime()) > staleSpool {
					fs.Remove(f)
				}
			}
		}
	}
	return &diskBackend{fs: fs}, nil
}

// sidecar is an object's metadata file, s3afero's Metadata in JSON.
type sidecar struct {
	File    string // bucket/key
	ModTime time.Time
	Size    int64
	Hash    []byte // MD5 of the bytes: the ETag
	Meta    map[string]string
}

func objectPath(bucket, key string) string { return path.Join(bucketsDir, bucket, key) }

// metaPath is where s3afero kept an object's sidecar: one flat folder per
// bucket, the key with '/' and '\' as '_' and its FNV-128a hash (which keeps
// "a/b" and "a_b" apart). A name longer than a file name may be is cut, on a
// rune boundary, before the hash; s3afero failed those keys instead.
func metaPath(bucket, key string) string {
	h := fnv.New128a()
	h.Write([]byte(key))
	sum := "-" + hex.EncodeToString(h.Sum(nil))
	flat := strings.NewReplacer("/", "_", `\`, "_").Replace(key)
	if cut := maxSegment - len(sum); len(flat) > cut {
		for cut > 0 && !utf8.RuneStart(flat[cut]) {
			cut--
		}
		flat = flat[:cut]
	}
	return path.Join(metadataDir, bucket, flat+sum)
}

func (d *diskBackend) bucketExists(bucket string) (bool, error) {
	if gofakes3.ValidateBucketName(bucket) != nil {
		return false, nil
	}
	st, err := d.fs.Stat(path.Join(bucketsDir, bucket))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return st.IsDir(), nil
}

func (d *diskBackend) needBucket(bucket string) error {
	ok, err := d.bucketExists(bucket)
	if err != nil {
		return err
	}
	if !ok {
		return gofakes3.BucketNotFound(bucket)
	}
	return nil
}

// PutObject implements gofakes3.Backend.
func (d *diskBackend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	if err := d.needBucket(bucket); err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	spool, sc, err := d.spool(input, size)
	if spool != "" {
		defer d.fs.Remove(spool) // gone already once committed
	}
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	sc.File, sc.Meta = path.Join(bucket, key), meta
	metaTmp, err := d.writeTemp("meta-", sc)
	if metaTmp != "" {
		defer d.fs.Remove(metaTmp)
	}
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	if cond != nil {
		info, err := d.conditionInfo(bucket, key)
		if err != nil {
			return gofakes3.PutObjectResult{}, err
		}
		if err := gofakes3.CheckPutConditions(cond, info); err != nil {
			return gofakes3.PutObjectResult{}, err
		}
	}
	obj, mp := objectPath(bucket, key), metaPath(bucket, key)
	if err := d.fs.MkdirAll(path.Dir(obj), 0o700); err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	if err := d.fs.MkdirAll(path.Dir(mp), 0o700); err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	// The object first: if the process dies between the two renames, the
	// old sidecar no longer matches the file's size and time, and the next
	// read hashes the file again rather than serve a wrong ETag.
	if err := d.fs.Rename(spool, obj); err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	if err := d.fs.Rename(metaTmp, mp); err != nil {
		return gofakes3.PutObjectResult{}, fmt.Errorf("store the metadata of %s: %w", sc.File, err)
	}
	return gofakes3.PutObjectResult{}, nil
}

// summer is what gofakes3 hands PutObject as a request's body: a reader that
// MD5-hashes what passes through it for the ETag (and checks Content-MD5).
type summer interface {
	io.Reader
	Sum([]byte) []byte
}

// spool writes input to a new file in tmp/ and returns its name and a
// sidecar with the size, time and MD5 the file has. The name is returned
// with an error too, for the caller to remove.
func (d *diskBackend) spool(input io.Reader, size int64) (string, sidecar, error) {
	name := path.Join(spoolDir, fmt.Sprintf("put-%016x", rand.Uint64()))
	f, err := d.fs.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return "", sidecar{}, err
	}
	src := input
	hashed, reuse := input.(summer)
	h := md5.New()
	if !reuse { // a copy's source, an assembled multipart upload
		src = io.TeeReader(input, h)
	}
	buf := d.buf()
	n, err := io.CopyBuffer(writerOnly{f}, src, *buf)
	d.bufs.Put(buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return name, sidecar{}, err // gofakes3's typed errors (BadDigest) pass as they are
	}
	if n != size {
		return name, sidecar{}, gofakes3.ErrIncompleteBody
	}
	sum := h.Sum(nil)
	if reuse {
		sum = hashed.Sum(nil)
	}
	if len(sum) != md5.Size {
		return name, sidecar{}, fmt.Errorf("fakes3: the body's hash is %d bytes, not an MD5", len(sum))
	}
	st, err := d.fs.Stat(name) // after Close: some file systems set the time then
	if err != nil {
		return name, sidecar{}, err
	}
	return name, sidecar{ModTime: st.ModTime(), Size: st.Size(), Hash: sum}, nil
}

func (d *diskBackend) buf() *[]byte {
	if b, ok := d.bufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, copyBufSize)
	return &b
}

// writerOnly hides a destination's ReadFrom so io.CopyBuffer uses the
// buffer given (afero's files would fall back to 32 KiB ones).
type writerOnly struct{ io.Writer }

// writeTemp writes sc to a new file in tmp/, to be renamed into place.
func (d *diskBackend) writeTemp(prefix string, sc sidecar) (string, error) {
	b, err := json.Marshal(sc)
	if err != nil {
		return "", err
	}
	name := path.Join(spoolDir, fmt.Sprintf("%s%016x", prefix, rand.Uint64()))
	f, err := d.fs.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return "", err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return name, err
}

// conditionInfo is what If-Match and If-None-Match are checked against; mu
// is held.
func (d *diskBackend) conditionInfo(bucket, key string) (*gofakes3.ConditionalObjectInfo, error) {
	st, err := d.fs.Stat(objectPath(bucket, key))
	if absent(err) || (err == nil && st.IsDir()) {
		return &gofakes3.ConditionalObjectInfo{}, nil
	}
	if err != nil {
		return nil, err
	}
	sc, err := d.loadMeta(bucket, key, st)
	if err != nil {
		return nil, err
	}
	return &gofakes3.ConditionalObjectInfo{Exists: true, Hash: sc.Hash}, nil
}

// loadMeta reads an object's sidecar; mu is held (shared will do). A
// sidecar that is missing, unreadable or does not match the file's size and
// time (a file put there by another tool, a crash between a PUT's renames)
// is rebuilt from the file: hashed again, with no user metadata (the
// sidecar's belongs to another version of the bytes: serving it would pair
// new bytes with an old schema), and saved when the folder lets it.
func (d *diskBackend) loadMeta(bucket, key string, st os.FileInfo) (sidecar, error) {
	mp := metaPath(bucket, key)
	var sc sidecar
	b, err := afero.ReadFile(d.fs, mp)
	switch {
	case err == nil:
		if json.Unmarshal(b, &sc) != nil {
			sc = sidecar{}
		}
	case !errors.Is(err, os.ErrNotExist):
		return sidecar{}, err
	}
	if len(sc.Hash) == md5.Size && sc.Size == st.Size() && sc.ModTime.Equal(st.ModTime()) {
		return sc, nil
	}
	sc = sidecar{}
	f, err := d.fs.Open(objectPath(bucket, key))
	if err != nil {
		return sidecar{}, err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return sidecar{}, err
	}
	sc.File, sc.Size, sc.ModTime, sc.Hash = path.Join(bucket, key), st.Size(), st.ModTime(), h.Sum(nil)
	// Saved by rename, so a reader never meets half a sidecar; one that
	// races a PUT and loses is stale and gets rebuilt on the next read.
	if tmp, err := d.writeTemp("meta-", sc); tmp != "" {
		if err == nil && d.fs.MkdirAll(path.Dir(mp), 0o700) == nil && d.fs.Rename(tmp, mp) == nil {
			return sc, nil
		}
		d.fs.Remove(tmp)
	}
	return sc, nil
}

// absent reports an error that means no object has the key: the file is
// missing, or a part of the key's folder is an object itself ("a" when "a/b"
// is asked for).
func absent(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// stat returns a key's file info, or NoSuchKey for a missing key or one
// that is a folder (the common prefix of other keys).
func (d *diskBackend) stat(bucket, key string) (os.FileInfo, error) {
	st, err := d.fs.Stat(objectPath(bucket, key))
	if absent(err) || (err == nil && st.IsDir()) {
		return nil, gofakes3.KeyNotFound(key)
	}
	return st, err
}

// HeadObject implements gofakes3.Backend.
func (d *diskBackend) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if err := d.needBucket(bucket); err != nil {
		return nil, err
	}
	st, err := d.stat(bucket, key)
	if err != nil {
		return nil, err
	}
	sc, err := d.loadMeta(bucket, key, st)
	if err != nil {
		return nil, err
	}
	return &gofakes3.Object{Name: key, Hash: sc.Hash, Metadata: sc.Meta, Size: st.Size(), Contents: http.NoBody}, nil
}

// GetObject implements gofakes3.Backend. The open file keeps the bytes it
// had even if a PUT renames a new object over the key while it is read.
func (d *diskBackend) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	f, st, sc, err := d.open(bucket, key)
	if err != nil {
		return nil, err
	}
	obj := &gofakes3.Object{Name: key, Hash: sc.Hash, Metadata: sc.Meta, Size: st.Size(), Contents: f}
	if obj.Range, err = rng.Range(st.Size()); err != nil {
		f.Close()
		return nil, err
	}
	if obj.Range != nil {
		if _, err := f.Seek(obj.Range.Start, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
		obj.Contents = readCloser{io.LimitReader(f, obj.Range.Length), f}
	}
	return obj, nil
}

// open opens an object and reads its sidecar, both of one version.
func (d *diskBackend) open(bucket, key string) (afero.File, os.FileInfo, sidecar, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if err := d.needBucket(bucket); err != nil {
		return nil, nil, sidecar{}, err
	}
	f, err := d.fs.Open(objectPath(bucket, key))
	if absent(err) {
		return nil, nil, sidecar{}, gofakes3.KeyNotFound(key)
	}
	if err != nil {
		return nil, nil, sidecar{}, err
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		err = gofakes3.KeyNotFound(key)
	}
	var sc sidecar
	if err == nil {
		sc, err = d.loadMeta(bucket, key, st)
	}
	if err != nil {
		f.Close()
		return nil, nil, sidecar{}, err
	}
	return f, st, sc, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// CopyObject implements gofakes3.Backend: a GET and a PUT (gofakes3 has
// merged the source's metadata into meta already).
func (d *diskBackend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	return gofakes3.CopyObject(d, srcBucket, srcKey, dstBucket, dstKey, meta)
}
