package fakes3

import (
	"errors"
	"io"
	"sort"

	"github.com/johannesboyne/gofakes3"
)

// backend wraps a gofakes3 backend to fix what real S3 does differently:
//
//   - A PUT replaces an object's metadata. s3mem merges the old metadata into
//     the new (gofakes3.MergeMetadata), so a key dropped by the new PUT would
//     come back. Keys absent from the new PUT are stored as an empty value (a
//     tombstone) and hidden on the way out. (The disk backend, diskBackend,
//     replaces metadata itself; the state folders of older binaries, whose
//     disk backend merged, may still hold tombstones.)
//   - A listing is paged, 1000 keys a page and a continuation token, as with
//     S3: a backend that cannot page is listed whole and paged here.
//   - Keys that a file system would silently alias ("a//b", "a/../b",
//     "dir/") are refused on disk, and disk errors say what to do.
type backend struct {
	gofakes3.Backend
	disk bool
	dir  string // Options.Dir, absolute: what error messages name
	hint string // Options.MemoryHint
}

// PutObject implements gofakes3.Backend.
func (b *backend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	if err := b.checkKey(key); err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	res, err := b.putObject(bucket, key, meta, input, size, cond)
	return res, b.explain(key, err)
}

func (b *backend) putObject(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	if b.disk { // spools, replaces metadata, and leaves the old object on failure by itself
		return b.Backend.PutObject(bucket, key, meta, input, size, cond)
	}
	if old, err := b.Backend.HeadObject(bucket, key); err == nil && old != nil {
		if old.Contents != nil {
			old.Contents.Close()
		}
		for k := range old.Metadata {
			if _, ok := meta[k]; !ok {
				meta[k] = ""
			}
		}
	}
	return b.Backend.PutObject(bucket, key, meta, input, size, cond)
}

// HeadObject implements gofakes3.Backend.
func (b *backend) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	if err := b.checkKey(key); err != nil {
		return nil, err
	}
	obj, err := b.Backend.HeadObject(bucket, key)
	if obj != nil {
		dropTombstones(obj.Metadata)
	}
	return obj, b.explain(key, err)
}

// GetObject implements gofakes3.Backend.
func (b *backend) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	if err := b.checkKey(key); err != nil {
		return nil, err
	}
	obj, err := b.Backend.GetObject(bucket, key, rng)
	if obj != nil {
		dropTombstones(obj.Metadata)
	}
	return obj, b.explain(key, err)
}

func dropTombstones(m map[string]string) {
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
}

// ListBucket implements gofakes3.Backend.
func (b *backend) ListBucket(bucket string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	list, err := b.Backend.ListBucket(bucket, prefix, page)
	if !errors.Is(err, gofakes3.ErrInternalPageNotImplemented) {
		return list, b.explain("", err)
	}
	all, err := b.Backend.ListBucket(bucket, prefix, gofakes3.ListBucketPage{})
	if err != nil {
		return nil, b.explain("", err)
	}
	return pageList(all, page), nil
}

// pageList cuts one page out of a whole listing, ordering objects and common
// prefixes together by key as S3 does.
func pageList(all *gofakes3.ObjectList, page gofakes3.ListBucketPage) *gofakes3.ObjectList {
	type entry struct {
		key     string
		content *gofakes3.Content
	}
	entries := make([]entry, 0, len(all.Contents)+len(all.CommonPrefixes))
	for _, c := range all.Contents {
		entries = append(entries, entry{c.Key, c})
	}
	for _, p := range all.CommonPrefixes {
		entries = append(entries, entry{p.Prefix, nil})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	if page.HasMarker {
		i := sort.Search(len(entries), func(i int) bool { return entries[i].key > page.Marker })
		entries = entries[i:]
	}
	out := gofakes3.NewObjectList()
	for i, e := range entries {
		if page.MaxKeys > 0 && int64(i) == page.MaxKeys {
			out.IsTruncated = true
			out.NextMarker = entries[i-1].key
			break
		}
		if e.content != nil {
			out.Add(e.content)
		} else {
			out.AddPrefix(e.key)
		}
	}
	return out
}
