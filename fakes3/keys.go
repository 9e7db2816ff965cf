package fakes3

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"path"
	"strings"
	"syscall"

	"github.com/johannesboyne/gofakes3"
)

// maxSegment is the longest file name Linux, macOS and Windows file
// systems take: each '/'-separated part of a key is one on disk.
const maxSegment = 255

// checkKey refuses a key the store cannot hold, for every verb, so that no
// verb can reach what PUT refuses: a key longer than S3's 1024 bytes and
// control characters (a NUL cannot be a file
// name, and S3's XML listings cannot carry the others) on either backend; on
// disk, where a key is a path, a part that would alias another file ("a//b",
// "a/./b", "a/../b", "dir/", and so another bucket's "../other/key") or is
// longer than a file name may be.
func (b *backend) checkKey(key string) error {
	if key == "" {
		return nil
	}
	if len(key) > gofakes3.KeySizeLimit {
		return gofakes3.ErrorMessagef(gofakes3.ErrKeyTooLong,
			"key %q is %d bytes, more than the %d an S3 key may have: shorten the names it is made of", shortKey(key), len(key), gofakes3.KeySizeLimit)
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c == 0x7f {
			return gofakes3.ErrorMessagef(gofakes3.ErrInvalidArgument,
				"key %q contains the control character 0x%02x, which the store cannot hold: build the key from a name without control characters", key, c)
		}
	}
	if !b.disk {
		return nil
	}
	if clean := path.Clean("/" + key); clean != "/"+key {
		return gofakes3.ErrorMessagef(gofakes3.ErrInvalidArgument,
			"key %q cannot be stored by the disk backend: it contains an empty, '.' or '..' path segment or ends in '/'", key)
	}
	for _, part := range strings.Split(key, "/") {
		if len(part) > maxSegment {
			return gofakes3.ErrorMessagef(gofakes3.ErrKeyTooLong,
				"key part %q is %d bytes: the disk backend in %s keeps each '/'-separated part of a key as a file name, at most %d bytes: shorten it or %s",
				shortKey(part), len(part), b.dir, maxSegment, b.hint)
		}
	}
	return nil
}

func shortKey(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:20] + "..." + s[len(s)-12:]
}

// refuse checks a request's keys before gofakes3 sees them: the object key
// of every verb (multipart uploads included, which reach the backend only
// when they complete) and a copy's source.
func (b *backend) refuse(r *http.Request) *s3Error {
	_, key := splitPath(r.URL.Path)
	if err := b.checkKey(key); err != nil {
		return asS3Error(err)
	}
	if src := r.Header.Get("X-Amz-Copy-Source"); src != "" {
		if dec, err := url.PathUnescape(src); err == nil {
			src = dec
		}
		_, srcKey := splitPath("/" + strings.TrimPrefix(src, "/"))
		srcKey, _, _ = strings.Cut(srcKey, "?versionId=")
		if err := b.checkKey(srcKey); err != nil {
			return asS3Error(err)
		}
	}
	return nil
}

func asS3Error(err error) *s3Error {
	var ge gofakes3.Error
	code := gofakes3.ErrInvalidArgument
	if errors.As(err, &ge) {
		code = ge.ErrorCode()
	}
	msg := err.Error()
	var er *gofakes3.ErrorResponse
	if errors.As(err, &er) {
		msg = er.Message
	}
	return &s3Error{code.Status(), string(code), msg}
}

// DeleteObject implements gofakes3.Backend.
func (b *backend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	if err := b.checkKey(key); err != nil {
		return gofakes3.ObjectDeleteResult{}, err
	}
	res, err := b.Backend.DeleteObject(bucket, key)
	return res, b.explain(key, err)
}

// DeleteMulti implements gofakes3.Backend: keys it refuses are reported per
// key, as S3 reports a key it could not delete; the others are deleted.
func (b *backend) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	var ok []string
	var refused []gofakes3.ErrorResult
	for _, k := range keys {
		if err := b.checkKey(k); err != nil {
			e := asS3Error(err)
			refused = append(refused, gofakes3.ErrorResult{Key: k, Code: gofakes3.ErrorCode(e.Code), Message: e.Message})
			continue
		}
		ok = append(ok, k)
	}
	res, err := b.Backend.DeleteMulti(bucket, ok...)
	res.Error = append(res.Error, refused...)
	return res, b.explain("", err)
}

// CopyObject implements gofakes3.Backend.
func (b *backend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	for _, k := range []string{srcKey, dstKey} {
		if err := b.checkKey(k); err != nil {
			return gofakes3.CopyObjectResult{}, err
		}
	}
	res, err := b.Backend.CopyObject(srcBucket, srcKey, dstBucket, dstKey, meta)
	return res, b.explain(dstKey, err)
}

// Error codes for disk trouble that S3 itself never reports; errStatus
// gives them their status.
const (
	codeInsufficientStorage = "InsufficientStorage" // 507: not worth a retry
	codeAccessDenied        = "AccessDenied"        // 403
)

// explain turns the file system errors a user can fix into S3 errors that
// say so, naming the folder; gofakes3 would answer them all with
// "InternalError: Internal Error". Other errors pass unchanged.
func (b *backend) explain(key string, err error) error {
	if err == nil || !b.disk {
		return err
	}
	var ge gofakes3.Error
	if errors.As(err, &ge) {
		return err // already an S3 error (NoSuchKey, BadDigest, ...)
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return gofakes3.ErrorMessagef(codeInsufficientStorage, "no space left on device in %s: free space or %s", b.dir, b.hint)
	case errors.Is(err, syscall.EROFS):
		return gofakes3.ErrorMessagef(codeAccessDenied, "read-only file system in %s: remount it writable, pick a writable state folder, or %s", b.dir, b.hint)
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return gofakes3.ErrorMessagef(codeAccessDenied, "permission denied in %s: let this user write there (chown or chmod it), or %s", b.dir, b.hint)
	case errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.EISDIR), errors.Is(err, syscall.EEXIST):
		// EEXIST: os.Rename's answer for a file renamed over a folder.
		return gofakes3.ErrorMessagef(gofakes3.ErrInvalidArgument, "key %q cannot be stored by the disk backend in %s: a file system cannot hold one key both as an object and as the folder of others (\"a\" and \"a/b\"): rename one of them or %s", shortKey(key), b.dir, b.hint)
	case errors.Is(err, syscall.ENAMETOOLONG):
		return gofakes3.ErrorMessagef(gofakes3.ErrKeyTooLong, "file name too long in %s for key %q: shorten the key (each '/'-separated part at most %d bytes) or %s", b.dir, shortKey(key), maxSegment, b.hint)
	}
	return err
}

// errStatus gives the codes of explain their own HTTP status: gofakes3
// answers every code it does not know with 500, which clients retry as a
// server hiccup, while a full disk stays full.
type errStatus struct {
	http.ResponseWriter
	held bool // a 500 is held back until its code is known
	buf  bytes.Buffer
}

func (e *errStatus) WriteHeader(code int) {
	if code == http.StatusInternalServerError && !e.held {
		e.held = true
		return
	}
	if !e.held {
		e.ResponseWriter.WriteHeader(code)
	}
}

func (e *errStatus) Write(p []byte) (int, error) {
	if e.held {
		return e.buf.Write(p)
	}
	return e.ResponseWriter.Write(p)
}

// flush sends a held 500 with the status its code deserves.
func (e *errStatus) flush() {
	if !e.held {
		return
	}
	status := http.StatusInternalServerError
	switch xmlCodeOf(e.buf.Bytes()) {
	case codeInsufficientStorage:
		status = http.StatusInsufficientStorage
	case codeAccessDenied:
		status = http.StatusForbidden
	}
	e.ResponseWriter.WriteHeader(status)
	e.ResponseWriter.Write(e.buf.Bytes())
}

func xmlCodeOf(b []byte) string {
	_, rest, ok := bytes.Cut(b, []byte("<Code>"))
	if !ok {
		return ""
	}
	code, _, _ := bytes.Cut(rest, []byte("</Code>"))
	return string(code)
}
