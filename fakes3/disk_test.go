package fakes3

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/spf13/afero"
)

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// The ETag a client sees is the MD5 of the bytes, on every verb that shows
// one, on both backends: the disk backend takes it from gofakes3's hash of
// the body rather than hashing a second time.
func TestETagIsTheBodysMD5(t *testing.T) {
	body := bytes.Repeat([]byte("batch bytes "), 100_000)
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			srv, _ := startServer(t, be.disk)
			c := newClient(t, srv.URL(), testAK, testSK)
			ctx := ctxT(t)
			want := md5Hex(body)
			out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String("job/run/batch-000001.parquet"), Body: bytes.NewReader(body)})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.ETag); got != want {
				t.Errorf("PUT ETag = %s, want %s", got, want)
			}
			if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(testBucket), Key: aws.String("job/copy.parquet"),
				CopySource: aws.String(testBucket + "/job/run/batch-000001.parquet")}); err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{"job/run/batch-000001.parquet", "job/copy.parquet"} {
				h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
				if err != nil || aws.ToString(h.ETag) != want || aws.ToInt64(h.ContentLength) != int64(len(body)) {
					t.Errorf("HEAD %s: ETag %s, %d bytes, %v; want %s, %d bytes", key, aws.ToString(h.ETag), aws.ToInt64(h.ContentLength), err, want, len(body))
				}
				got, _, err := get(ctx, c, key)
				if err != nil || !bytes.Equal(got, body) {
					t.Errorf("GET %s: %d bytes, %v", key, len(got), err)
				}
			}
			l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(testBucket)})
			if err != nil || len(l.Contents) != 2 {
				t.Fatalf("list: %v %v", l, err)
			}
			for _, o := range l.Contents {
				if aws.ToString(o.ETag) != want {
					t.Errorf("listed ETag of %s = %s, want %s", aws.ToString(o.Key), aws.ToString(o.ETag), want)
				}
			}
		})
	}
}

// A GET under way when an overwrite lands gets the old bytes whole: the new
// object is renamed into place, never written over the file being read.
func TestGetDuringOverwriteReadsOneVersion(t *testing.T) {
	const size = 16 << 20 // more than the loopback socket buffers hold
	oldBody := bytes.Repeat([]byte{'o'}, size)
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			srv, _ := startServer(t, be.disk)
			c := newClient(t, srv.URL(), testAK, testSK)
			ctx := ctxT(t)
			if err := put(ctx, c, "k", oldBody, nil); err != nil {
				t.Fatal(err)
			}
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
			if err != nil {
				t.Fatal(err)
			}
			defer out.Body.Close()
			head := make([]byte, 1<<10)
			if _, err := io.ReadFull(out.Body, head); err != nil {
				t.Fatal(err)
			}
			if err := put(ctx, c, "k", []byte("new, and much shorter"), nil); err != nil {
				t.Fatal(err)
			}
			rest, err := io.ReadAll(out.Body)
			if got := append(head, rest...); err != nil || !bytes.Equal(got, oldBody) {
				t.Errorf("GET begun before the overwrite: %d bytes (%d of them 'o'), %v; want the old %d bytes whole",
					len(got), bytes.Count(got, []byte{'o'}), err, size)
			}
			if got, _, err := get(ctx, c, "k"); err != nil || string(got) != "new, and much shorter" {
				t.Errorf("GET after the overwrite: %q %v", got, err)
			}
		})
	}
}

// Readers racing writers on one key always get one version whole, with its
// own ETag and metadata: file and sidecar change together.
func TestConcurrentOverwritesReadWhole(t *testing.T) {
	srv, _ := startServer(t, true)
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	versions := make([][]byte, 4)
	for i := range versions {
		versions[i] = bytes.Repeat([]byte{byte('a' + i)}, (i+1)*50_000)
	}
	if err := put(ctx, c, "k", versions[0], map[string]string{"v": "0"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				v := (w + i) % len(versions)
				if err := put(ctx, c, "k", versions[v], map[string]string{"v": fmt.Sprint(v)}); err != nil {
					errs <- err
				}
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
				if err != nil {
					errs <- err
					continue
				}
				b, err := io.ReadAll(out.Body)
				out.Body.Close()
				v := -1
				if len(b) > 0 {
					v = int(b[0] - 'a')
				}
				switch {
				case err != nil:
					errs <- err
				case v < 0 || v >= len(versions) || !bytes.Equal(b, versions[v]):
					errs <- fmt.Errorf("GET read %d bytes that are no version", len(b))
				case aws.ToString(out.ETag) != md5Hex(b) || out.Metadata["v"] != fmt.Sprint(v):
					errs <- fmt.Errorf("GET of version %d came with ETag %s and metadata %v", v, aws.ToString(out.ETag), out.Metadata)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A body that stops half way (the client went away) stores nothing: the
// old object stays, and no spool file or stray file is left in the folder.
func TestCutBodyLeavesOldObject(t *testing.T) {
	srv, opts := startServer(t, true)
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	if err := put(ctx, c, "job/run/batch-000001.parquet", []byte("old bytes"), map[string]string{"rows": "1"}); err != nil {
		t.Fatal(err)
	}
	const size = 4 << 20
	body := io.MultiReader(bytes.NewReader(make([]byte, size/2)), errReader{errors.New("client gone")})
	req := signedRequest(t, http.MethodPut, srv.URL()+"/"+testBucket+"/job/run/batch-000001.parquet", body, "UNSIGNED-PAYLOAD", nil)
	req.ContentLength = size
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	if resp, err := (&http.Client{Transport: tr}).Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("cut PUT answered %s", resp.Status)
	}
	waitFor(t, "the cut upload's spool file to go", func() bool {
		entries, err := os.ReadDir(filepath.Join(opts.Dir, "tmp"))
		return err == nil && len(entries) == 0
	})
	got, meta, err := get(ctx, c, "job/run/batch-000001.parquet")
	if err != nil || string(got) != "old bytes" || !maps.Equal(meta, map[string]string{"rows": "1"}) {
		t.Errorf("after the cut PUT: %q %v %v, want the old object", got, meta, err)
	}
	if files := filesUnder(t, filepath.Join(opts.Dir, "buckets")); !slices.Equal(files, []string{testBucket + "/job/run/batch-000001.parquet"}) {
		t.Errorf("files in the bucket folder: %q, want the one object", files)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// filesUnder lists the files below root, slash-separated and sorted.
func filesUnder(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

// A batch is a plain file at its key under buckets/, and nothing else the
// store keeps there or anywhere in Options.Dir ends in .parquet (other tools
// glob for batches).
func TestBatchesArePlainFilesAlone(t *testing.T) {
	srv, opts := startServer(t, true)
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	keys := []string{"job/20261201-1/batch-000001.parquet", "job/20261201-1/batch-000002.parquet", "job/20261201-1/manifest.json"}
	for _, k := range keys {
		if err := put(ctx, c, k, []byte(k), map[string]string{"rows": "9"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := put(ctx, c, keys[0], []byte("overwritten"), nil); err != nil {
		t.Fatal(err)
	}
	want := []string{testBucket + "/" + keys[0], testBucket + "/" + keys[1]}
	var parquet []string
	for _, f := range filesUnder(t, opts.Dir) {
		if strings.HasSuffix(f, ".parquet") {
			parquet = append(parquet, strings.TrimPrefix(f, "buckets/"))
		}
	}
	if !slices.Equal(parquet, want) {
		t.Errorf(".parquet files in %s: %q, want only the batches %q", opts.Dir, parquet, want)
	}
	if b, err := os.ReadFile(filepath.Join(opts.Dir, "buckets", testBucket, "job", "20261201-1", "batch-000001.parquet")); err != nil || string(b) != "overwritten" {
		t.Errorf("batch file = %q %v", b, err)
	}
}

// Deleting the last object under a folder removes the folder, so a
// delimited listing shows no prefix for it (S3 has no empty folders).
func TestDeleteLeavesNoEmptyPrefix(t *testing.T) {
	srv, opts := startServer(t, true)
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	for _, k := range []string{"job/run-1/batch-000001.parquet", "job/run-2/batch-000001.parquet"} {
		if err := put(ctx, c, k, []byte("x"), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(testBucket), Key: aws.String("job/run-1/batch-000001.parquet")}); err != nil {
		t.Fatal(err)
	}
	l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(testBucket), Prefix: aws.String("job/"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	var prefixes []string
	for _, p := range l.CommonPrefixes {
		prefixes = append(prefixes, aws.ToString(p.Prefix))
	}
	if !slices.Equal(prefixes, []string{"job/run-2/"}) || len(l.Contents) != 0 {
		t.Errorf("delimited listing after the delete: prefixes %q, %d objects; want only job/run-2/", prefixes, len(l.Contents))
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, "buckets", testBucket, "job", "run-1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the emptied folder is still there: %v", err)
	}
}

// A file system cannot hold "a" both as a file and as a folder: the second
// PUT is refused saying so, and the first object stays.
func TestDiskKeyBothObjectAndFolder(t *testing.T) {
	srv, _ := startServer(t, true, func(o *Options) { o.MemoryHint = "use --s3-memory" })
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	for _, tt := range []struct{ first, second string }{{"a", "a/b"}, {"x/y", "x"}} {
		if err := put(ctx, c, tt.first, []byte("first"), nil); err != nil {
			t.Fatal(err)
		}
		err := put(ctx, c, tt.second, []byte("second"), nil)
		if code, status := apiErr(err); code != "InvalidArgument" || status != 400 || !strings.Contains(err.Error(), "both as an object and as the folder of others") || !strings.Contains(err.Error(), "use --s3-memory") {
			t.Errorf("put %q after %q: %v (%s %d), want 400 InvalidArgument saying why", tt.second, tt.first, err, code, status)
		}
		if got, _, err := get(ctx, c, tt.first); err != nil || string(got) != "first" {
			t.Errorf("get %q: %q %v", tt.first, got, err)
		}
	}
	if _, _, err := get(ctx, c, "a/b"); func() string { code, _ := apiErr(err); return code }() != "NoSuchKey" {
		t.Errorf("get a/b under the object a: %v, want NoSuchKey", err)
	}
}

// State written by gofakes3's s3afero backend (what connector-dev's disk
// store was before) reads unchanged, old tombstones included; and s3afero
// reads what this backend writes. The layout did not change, so nothing
// is migrated either way.
func TestS3aferoStateReadsBothWays(t *testing.T) {
	dir := t.TempDir()
	old, err := s3afero.MultiBucket(afero.NewBasePathFs(afero.NewOsFs(), dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := old.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	oldBody := []byte("written by s3afero")
	// "dropped" is the old wrapper's tombstone of a metadata key an overwrite removed.
	if _, err := old.PutObject(testBucket, "job/run-old/batch-000001.parquet", map[string]string{"X-Amz-Meta-Rows": "3", "X-Amz-Meta-Dropped": ""},
		bytes.NewReader(oldBody), int64(len(oldBody)), nil); err != nil {
		t.Fatal(err)
	}
	sidecar := filepath.Join(dir, filepath.FromSlash(metaPath(testBucket, "job/run-old/batch-000001.parquet")))
	before, err := os.ReadFile(sidecar)
	if err != nil {
		t.Fatalf("s3afero's sidecar is not where this backend looks: %v", err)
	}

	srv, err := Start(Options{Dir: dir, AccessKey: testAK, SecretKey: testSK, Buckets: []string{testBucket}})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("job/run-old/batch-000001.parquet")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, oldBody) || !maps.Equal(out.Metadata, map[string]string{"rows": "3"}) || aws.ToString(out.ETag) != md5Hex(oldBody) {
		t.Errorf("old object: %q %v ETag %s; want its bytes, rows=3 only, ETag %s", got, out.Metadata, aws.ToString(out.ETag), md5Hex(oldBody))
	}
	if after, _ := os.ReadFile(sidecar); !bytes.Equal(after, before) {
		t.Errorf("reading rewrote the old sidecar:\n%s\n%s", before, after)
	}
	newBody := []byte("written by connector-dev's backend")
	if err := put(ctx, c, "job/run-new/batch-000001.parquet", newBody, map[string]string{"rows": "4"}); err != nil {
		t.Fatal(err)
	}
	srv.Close()

	obj, err := old.GetObject(testBucket, "job/run-new/batch-000001.parquet", nil)
	if err != nil {
		t.Fatalf("s3afero reading this backend's object: %v", err)
	}
	gotNew, _ := io.ReadAll(obj.Contents)
	obj.Contents.Close()
	if !bytes.Equal(gotNew, newBody) || obj.Metadata["X-Amz-Meta-Rows"] != "4" || `"`+hex.EncodeToString(obj.Hash)+`"` != md5Hex(newBody) {
		t.Errorf("s3afero reads %q %v %x", gotNew, obj.Metadata, obj.Hash)
	}
	list, err := old.ListBucket(testBucket, nil, gofakes3.ListBucketPage{})
	if err != nil || len(list.Contents) != 2 {
		t.Errorf("s3afero lists %v, %v; want both objects", list, err)
	}
}

// A file put under buckets/ by another tool (no sidecar) or changed behind
// the store's back is served with the ETag of what is there now.
func TestFileChangedBehindTheStore(t *testing.T) {
	srv, opts := startServer(t, true)
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	if err := put(ctx, c, "job/k", []byte("stored"), map[string]string{"rows": "2"}); err != nil {
		t.Fatal(err)
	}
	changed := []byte("changed by hand, longer")
	if err := os.WriteFile(filepath.Join(opts.Dir, "buckets", testBucket, "job", "k"), changed, 0o644); err != nil {
		t.Fatal(err)
	}
	dropped := []byte("dropped in by hand")
	if err := os.WriteFile(filepath.Join(opts.Dir, "buckets", testBucket, "job", "new"), dropped, 0o644); err != nil {
		t.Fatal(err)
	}
	for key, body := range map[string][]byte{"job/k": changed, "job/new": dropped} {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(got, body) || aws.ToString(out.ETag) != md5Hex(body) {
			t.Errorf("GET %s: %q ETag %s, want %q ETag %s", key, got, aws.ToString(out.ETag), body, md5Hex(body))
		}
		// The old version's metadata ("rows": "2") does not describe
		// these bytes: it must not be served with them.
		if len(out.Metadata) != 0 {
			t.Errorf("GET %s: metadata %v of another version of the bytes", key, out.Metadata)
		}
	}
}

// FuzzMetaPath: every key's sidecar is one file name a file system takes,
// valid UTF-8 when the key is, in the bucket's metadata folder, and two keys
// never share one.
func FuzzMetaPath(f *testing.F) {
	for _, k := range []string{"job/run/batch-000001.parquet", "a_b", "a/b", `a\b`, strings.Repeat("é", 300), strings.Repeat("k/", 500)} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		p := metaPath(testBucket, key)
		dir, name := path.Split(p)
		if dir != metadataDir+"/"+testBucket+"/" || name == "" || len(name) > maxSegment || strings.ContainsAny(name, `/\`) {
			t.Fatalf("metaPath(%q) = %q: not one file name in the bucket's folder", key, p)
		}
		if utf8.ValidString(key) && !utf8.ValidString(name) {
			t.Fatalf("metaPath(%q) = %q: not valid UTF-8", key, p)
		}
		if metaPath(testBucket, key+"x") == p || metaPath(testBucket, key) != p {
			t.Fatalf("metaPath(%q) is not one name per key", key)
		}
	})
}
