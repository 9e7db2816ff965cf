package fakes3

import (
	"errors"
	"os"
	"path"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"github.com/spf13/afero"
)

// ListBuckets implements gofakes3.Backend.
func (d *diskBackend) ListBuckets() ([]gofakes3.BucketInfo, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	entries, err := afero.ReadDir(d.fs, bucketsDir)
	if err != nil {
		return nil, err
	}
	var out []gofakes3.BucketInfo
	for _, e := range entries {
		if e.IsDir() && gofakes3.ValidateBucketName(e.Name()) == nil {
			out = append(out, gofakes3.BucketInfo{Name: e.Name(), CreationDate: gofakes3.NewContentTime(e.ModTime())})
		}
	}
	return out, nil
}

// BucketExists implements gofakes3.Backend.
func (d *diskBackend) BucketExists(name string) (bool, error) {
	return d.bucketExists(name)
}

// CreateBucket implements gofakes3.Backend.
func (d *diskBackend) CreateBucket(name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ok, err := d.bucketExists(name)
	if err != nil {
		return err
	}
	if ok {
		return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, name)
	}
	return d.fs.MkdirAll(path.Join(bucketsDir, name), 0o700)
}

// DeleteBucket implements gofakes3.Backend: only an empty bucket goes.
func (d *diskBackend) DeleteBucket(name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.needBucket(name); err != nil {
		return err
	}
	entries, err := afero.ReadDir(d.fs, path.Join(bucketsDir, name))
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return gofakes3.ResourceError(gofakes3.ErrBucketNotEmpty, name)
	}
	return d.removeBucket(name)
}

// ForceDeleteBucket implements gofakes3.Backend: the bucket and every object.
func (d *diskBackend) ForceDeleteBucket(name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.needBucket(name); err != nil {
		return err
	}
	return d.removeBucket(name)
}

func (d *diskBackend) removeBucket(name string) error {
	if err := d.fs.RemoveAll(path.Join(bucketsDir, name)); err != nil {
		return err
	}
	return d.fs.RemoveAll(path.Join(metadataDir, name))
}

// DeleteObject implements gofakes3.Backend. A missing key is no error, as
// on S3.
func (d *diskBackend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.needBucket(bucket); err != nil {
		return gofakes3.ObjectDeleteResult{}, err
	}
	return gofakes3.ObjectDeleteResult{}, d.deleteLocked(bucket, key)
}

// DeleteMulti implements gofakes3.Backend: each key that cannot be deleted
// is reported on its own.
func (d *diskBackend) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var res gofakes3.MultiDeleteResult
	if err := d.needBucket(bucket); err != nil {
		return res, err
	}
	for _, k := range keys {
		if err := d.deleteLocked(bucket, k); err != nil {
			res.Error = append(res.Error, gofakes3.ErrorResult{Key: k, Code: gofakes3.ErrInternal, Message: err.Error()})
			continue
		}
		res.Deleted = append(res.Deleted, gofakes3.ObjectID{Key: k})
	}
	return res, nil
}

// deleteLocked removes an object, its sidecar and the folders its key made
// that hold nothing else (S3 has no empty folders: a delimited listing must
// not show one); mu is held.
func (d *diskBackend) deleteLocked(bucket, key string) error {
	obj := objectPath(bucket, key)
	st, err := d.fs.Stat(obj)
	switch {
	case absent(err) || (err == nil && st.IsDir()):
		return nil
	case err != nil:
		return err
	}
	if err := d.fs.Remove(obj); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := d.fs.Remove(metaPath(bucket, key)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for dir := path.Dir(key); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if d.fs.Remove(path.Join(bucketsDir, bucket, dir)) != nil {
			break // not empty (or not ours to remove): the folders above are not either
		}
	}
	return nil
}

// ListBucket implements gofakes3.Backend, paging as S3 does: keys and
// common prefixes in byte order, at most page.MaxKeys of them, after
// page.Marker. Only the folders the prefix can reach are read.
func (d *diskBackend) ListBucket(bucket string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if err := d.needBucket(bucket); err != nil {
		return nil, err
	}
	l := lister{d: d, bucket: bucket, prefix: prefix.Prefix, all: gofakes3.NewObjectList(), files: map[string]os.FileInfo{}}
	if prefix.HasDelimiter {
		l.delim = prefix.Delimiter
	}
	if err := l.walk(""); err != nil {
		return nil, err
	}
	// Keys are paged by name, and only the page's sidecars are read for
	// their ETags: a listing of a big bucket reads a page's worth of them,
	// not the bucket's, and a sidecar it cannot read fails only the page
	// that shows its key.
	out := pageList(l.all, page)
	for _, c := range out.Contents {
		sc, err := d.loadMeta(bucket, c.Key, l.files[c.Key])
		if err != nil {
			return nil, err
		}
		c.ETag = gofakes3.FormatETag(sc.Hash)
	}
	return out, nil
}

// lister collects the objects and common prefixes of one listing.
type lister struct {
	d             *diskBackend
	bucket        string
	prefix, delim string
	all           *gofakes3.ObjectList
	files         map[string]os.FileInfo // each object's file, for its sidecar once paged
}

// walk lists the folder that holds the keys starting with dir ("" or
// ending in '/').
func (l *lister) walk(dir string) error {
	entries, err := afero.ReadDir(l.d.fs, path.Join(bucketsDir, l.bucket, dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil // removed while listed
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		key := dir + e.Name()
		if e.IsDir() {
			sub := key + "/"
			switch {
			case l.delim == "/" && strings.HasPrefix(sub, l.prefix) && sub != l.prefix:
				// Every key below shares the common prefix sub: one entry,
				// if the folder holds an object at all.
				if l.holdsObject(sub) {
					l.all.AddPrefix(sub)
				}
			case strings.HasPrefix(sub, l.prefix) || strings.HasPrefix(l.prefix, sub):
				if err := l.walk(sub); err != nil {
					return err
				}
			}
			continue
		}
		if !e.Mode().IsRegular() || !strings.HasPrefix(key, l.prefix) {
			continue
		}
		if l.delim != "" {
			if i := strings.Index(key[len(l.prefix):], l.delim); i >= 0 {
				l.all.AddPrefix(key[:len(l.prefix)+i+len(l.delim)])
				continue
			}
		}
		l.files[key] = e
		l.all.Add(&gofakes3.Content{
			Key:          key,
			LastModified: gofakes3.NewContentTime(e.ModTime()),
			Size:         e.Size(),
		})
	}
	return nil
}

// holdsObject reports whether a folder has a file anywhere below it.
func (l *lister) holdsObject(dir string) bool {
	entries, _ := afero.ReadDir(l.d.fs, path.Join(bucketsDir, l.bucket, dir))
	for _, e := range entries {
		if e.Mode().IsRegular() {
			return true
		}
	}
	for _, e := range entries {
		if e.IsDir() && l.holdsObject(dir+e.Name()+"/") {
			return true
		}
	}
	return false
}
