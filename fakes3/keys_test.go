package fakes3

import (
	"bytes"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/spf13/afero"
)

// A signed request for /batches/../other/key must not reach bucket other,
// whatever the verb.
func TestDiskRefusesTraversalInEveryVerb(t *testing.T) {
	srv, _ := startServer(t, true, func(o *Options) { o.Buckets = append(o.Buckets, "other") })
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("other"), Key: aws.String("key"), Body: strings.NewReader("keep me")}); err != nil {
		t.Fatal(err)
	}
	if err := put(ctx, c, "mine", []byte("mine"), nil); err != nil {
		t.Fatal(err)
	}
	base := srv.URL() + "/" + testBucket
	tests := []struct {
		name, method, url string
		hdr               map[string]string
	}{
		{"DELETE", http.MethodDelete, base + "/../other/key", nil},
		{"GET", http.MethodGet, base + "/../other/key", nil},
		{"HEAD", http.MethodHead, base + "/../other/key", nil},
		{"escaped GET", http.MethodGet, base + "/%2E%2E/other/key", nil},
		{"copy source", http.MethodPut, base + "/copy", map[string]string{"X-Amz-Copy-Source": "/" + testBucket + "/../other/key"}},
		{"copy destination", http.MethodPut, base + "/../other/key", map[string]string{"X-Amz-Copy-Source": "/" + testBucket + "/mine"}},
		{"multipart start", http.MethodPost, base + "/../other/key?uploads", nil},
	}
	for _, tt := range tests {
		req := signedRequest(t, tt.method, tt.url, nil, emptySHA256, tt.hdr)
		status, body := doRaw(t, req)
		if status != 400 || (tt.method != http.MethodHead && xmlCode(body) != "InvalidArgument") {
			t.Errorf("%s: %d %s, want 400 InvalidArgument", tt.name, status, body)
		}
	}
	// A multi-object delete reports the key it refuses and deletes the rest.
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(testBucket), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("../other/key")}, {Key: aws.String("mine")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "../other/key" || len(out.Deleted) != 1 {
		t.Errorf("DeleteObjects: deleted %d, errors %+v; want ../other/key refused, mine deleted", len(out.Deleted), out.Errors)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("other"), Key: aws.String("key")})
	if err != nil {
		t.Fatalf("other/key is gone: %v", err)
	}
	got.Body.Close()
}

// Keys the store cannot hold are refused with what to do, by every verb,
// never InternalError.
func TestKeysTheStoreCannotHold(t *testing.T) {
	long := strings.Repeat("j", 300)
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			srv, opts := startServer(t, be.disk, func(o *Options) { o.MemoryHint = "use --s3-memory" })
			c := newClient(t, srv.URL(), testAK, testSK)
			ctx := ctxT(t)
			cases := []struct{ key, code, msg string }{
				{"job\x00name/batch", "InvalidArgument", "control character 0x00"},
				{"job\tname/batch", "InvalidArgument", "control character 0x09"},
				{strings.Repeat("k/", 600), "KeyTooLongError", "is 1200 bytes, more than the 1024 an S3 key may have: shorten the names it is made of"},
			}
			if be.disk {
				cases = append(cases, struct{ key, code, msg string }{long + "/batch-000001.parquet", "KeyTooLongError",
					"is 300 bytes: the disk backend in " + opts.Dir + " keeps each '/'-separated part of a key as a file name, at most 255 bytes: shorten it or use --s3-memory"})
			}
			for _, k := range cases {
				err := put(ctx, c, k.key, []byte("x"), nil)
				if code, status := apiErr(err); code != k.code || status != 400 || !strings.Contains(err.Error(), k.msg) {
					t.Errorf("put %q: %v (%s %d), want %s naming %q", k.key, err, code, status, k.code, k.msg)
				}
				_, _, err = get(ctx, c, k.key)
				if code, _ := apiErr(err); code != k.code {
					t.Errorf("get %q: %v, want %s", k.key, err, k.code)
				}
			}
			if !be.disk {
				if err := put(ctx, c, long+"/b", []byte("x"), nil); err != nil {
					t.Errorf("memory refuses a 300-byte key part: %v", err)
				}
			}
		})
	}
}

// failFS makes the disk fail as a user's disk does: opening for write
// (a folder not writable) or writing (a full disk).
type failFS struct {
	afero.Fs
	mu              sync.Mutex
	openErr, wrErr  error
	failedOpenCalls int
}

func (f *failFS) set(open, write error) { f.mu.Lock(); f.openErr, f.wrErr = open, write; f.mu.Unlock() }

func (f *failFS) errs() (error, error) { f.mu.Lock(); defer f.mu.Unlock(); return f.openErr, f.wrErr }

func (f *failFS) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	open, write := f.errs()
	writable := flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE) != 0
	if writable && open != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: open}
	}
	file, err := f.Fs.OpenFile(name, flag, perm)
	if err != nil || !writable || write == nil {
		return file, err
	}
	return failFile{file, write}, nil
}

func (f *failFS) Create(name string) (afero.File, error) {
	return f.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

func (f *failFS) MkdirAll(p string, perm os.FileMode) error {
	if open, _ := f.errs(); open != nil {
		return &os.PathError{Op: "mkdir", Path: p, Err: open}
	}
	return f.Fs.MkdirAll(p, perm)
}

type failFile struct {
	afero.File
	err error
}

func (f failFile) Write(p []byte) (int, error) {
	return 0, &os.PathError{Op: "write", Path: f.Name(), Err: f.err}
}

func TestDiskErrorsSayWhatToDo(t *testing.T) {
	fsys := &failFS{Fs: afero.NewOsFs()}
	srv, opts := startServer(t, true, func(o *Options) { o.fs = fsys; o.MemoryHint = "use --s3-memory" })
	c := newClient(t, srv.URL(), testAK, testSK)
	ctx := ctxT(t)
	if err := put(ctx, c, "job/batch-000001.parquet", []byte("old bytes"), nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		open, write error
		code        string
		status      int
		msg         string
	}{
		{"full disk", nil, syscall.ENOSPC, "InsufficientStorage", 507,
			"InsufficientStorage: no space left on device in " + opts.Dir + ": free space or use --s3-memory"},
		{"quota", nil, syscall.EDQUOT, "InsufficientStorage", 507, "no space left on device in " + opts.Dir},
		{"permission denied", syscall.EACCES, nil, "AccessDenied", 403,
			"AccessDenied: permission denied in " + opts.Dir + ": let this user write there (chown or chmod it), or use --s3-memory"},
		{"read-only", syscall.EROFS, nil, "AccessDenied", 403, "read-only file system in " + opts.Dir},
		{"name too long", syscall.ENAMETOOLONG, nil, "KeyTooLongError", 400, "file name too long in " + opts.Dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys.set(tt.open, tt.write)
			defer fsys.set(nil, nil)
			err := put(ctx, c, "job/batch-000001.parquet", []byte("new bytes"), nil)
			code, status := apiErr(err)
			if code != tt.code || status != tt.status || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("put: %v (%s %d), want %s %d saying %q", err, code, status, tt.code, tt.status, tt.msg)
			}
			if strings.Contains(err.Error(), "Internal Error") {
				t.Errorf("put: %v", err)
			}
		})
	}
	got, _, err := get(ctx, c, "job/batch-000001.parquet")
	if err != nil || !bytes.Equal(got, []byte("old bytes")) {
		t.Errorf("after the failed PUTs the object is %q (%v), want the old bytes", got, err)
	}
}
