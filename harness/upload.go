package harness

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/stage"
	"connector-dev/harness/codec"
)

// uploader is the source side of the batch store: UploadRows cuts a frame
// into batches of at most BATCH_ROWS rows, one goroutine encodes them and
// another PUTs them. A batch waits in UploadRows until the encoder takes it
// and one encoded batch waits for the PUT, so memory stays at a few batches
// whatever the row count, and generating, encoding and uploading overlap.
// (A second encoder measured no faster on 2 cores and held one more batch.)
type uploader struct {
	s         *stageRun
	ctx       context.Context // the run's, not the connector's: batches handed over before ExitNoFail still reach S3
	store     *Store
	codec     codec.Codec
	prefix    string
	batchRows int

	checks *stage.Uploads // the platform's rules of what UploadRows accepts
	feed   *feed          // set when a destination loads beside the source: told of every batch stored

	mu        sync.Mutex // UploadRows may be called from several goroutines
	closed    bool       // finish ran: the pipeline's channel is closed
	schema    []connectors.Field
	next      int
	schemaPut bool // schema.json stored (putter only)

	encCh chan batchJob
	putCh chan batchJob
	bufs  chan []byte
	wg    sync.WaitGroup

	handed atomic.Int64 // rows accepted by UploadRows: RowCount

	errMu sync.Mutex
	err   error
	keys  []BatchInfo // stored, in order
}

type batchJob struct {
	index int
	key   string
	frame *connectors.Frame
	fp    stage.Fingerprint // taken at hand-over, checked before encoding
	data  []byte
}

func newUploader(ctx context.Context, s *stageRun, store *Store, c codec.Codec, prefix string, batchRows int) *uploader {
	u := &uploader{
		s: s, ctx: ctx, store: store, codec: c, prefix: prefix, batchRows: batchRows, next: 1,
		encCh: make(chan batchJob),
		putCh: make(chan batchJob, 1),
		bufs:  make(chan []byte, 3),
	}
	u.checks = stage.NewUploads(s.mapping, s.endAs)
	u.wg.Add(2)
	go u.encoder()
	go u.putter()
	return u
}

// fail keeps the pipeline's first error. S3 and encoding failures end the
// source with reason error, as a batch that cannot be read back ends the
// destination.
func (u *uploader) fail(format string, args ...any) {
	u.errMu.Lock()
	defer u.errMu.Unlock()
	if u.err == nil {
		u.err = connectors.Exitf(connectors.Error, format, args...)
	}
}

func (u *uploader) failed() error {
	u.errMu.Lock()
	defer u.errMu.Unlock()
	return u.err
}

func (u *uploader) encoder() {
	defer u.wg.Done()
	defer close(u.putCh)
	last := 0 // the size of the last encoding, to size the next buffer by
	for j := range u.encCh {
		if u.failed() != nil {
			continue // drain, so UploadRows never blocks on a dead pipeline
		}
		if stage.FingerprintOf(j.frame) != j.fp {
			// Stored as it is now, the batch would not be what was handed
			// over; the ending stops the connector and fails the run.
			u.s.endAs(connectors.Unhandled, stage.MsgChanged)
			u.fail("%s", stage.MsgChanged)
			continue
		}
		var buf []byte
		select {
		case buf = <-u.bufs:
		default:
		}
		// Batches of a run encode to about the same size: a buffer with a
		// quarter to spare is written once, where one grown from what the
		// pool had (or from nothing) is copied at each doubling.
		if cap(buf) < last+last/8 {
			buf = make([]byte, 0, last+last/4)
		}
		data, err := u.codec.Encode(buf[:0], j.frame)
		if err != nil {
			u.fail("encode batch %d as %s: %v", j.index, u.codec.Name(), err)
			continue
		}
		j.data, last = data, len(data)
		u.putCh <- j
	}
}

func (u *uploader) putter() {
	defer u.wg.Done()
	for j := range u.putCh {
		if u.failed() != nil {
			continue
		}
		// The schema is stored once, beside the batches, before the first
		// of them: it can be as wide as a frame is, and S3 caps user
		// metadata at 2 KB.
		if !u.schemaPut {
			key := u.prefix + schemaName
			if err := u.store.putJSON(u.ctx, key, schemaOf(u.schema)); err != nil {
				u.fail("%v", err)
				continue
			}
			u.schemaPut = true
		}
		rows := int64(j.frame.Len())
		meta := map[string]string{"rows": strconv.FormatInt(rows, 10), "stage": StageSource, "connector": u.s.connector}
		// A PUT once begun is finished even if the run is stopped meanwhile
		// (bounded by putTimeout): cut off, S3 might keep the object while
		// the report and manifest could not know it. So a batch that lands
		// after Ctrl-C is counted; one whose PUT fails is deleted.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(u.ctx), putTimeout)
		err := u.store.Put(pctx, j.key, j.data, u.codec.ContentType(), meta)
		cancel()
		if err != nil {
			u.fail("%v", err)
			u.forget(j.key)
			continue
		}
		info := BatchInfo{Index: j.index, Key: j.key, Rows: rows, Bytes: int64(len(j.data)), Format: u.codec.Name(), CRC32C: crc32c(j.data)}
		u.errMu.Lock()
		u.keys = append(u.keys, info)
		u.errMu.Unlock()
		// The stage's totals count what S3 holds, not what was handed over.
		u.s.rows.Add(rows)
		u.s.batches.Add(1)
		u.s.bytes.Add(info.Bytes)
		u.s.x.em.emit(Event{Kind: EventBatchWritten, Stage: u.s.name, Batch: &info})
		if u.feed != nil {
			u.feed.add(info, u.schema)
		}
		u.s.progress(false)
		select {
		case u.bufs <- j.data:
		default:
		}
	}
}

// putTimeout bounds one batch's PUT, retries included.
const putTimeout = 2 * time.Minute

// forget deletes a batch whose PUT failed: S3 may have stored it all the
// same (a connection reset after the server acted), and a batch the
// manifest does not list must not sit beside those it does.
func (u *uploader) forget(key string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(u.ctx), 10*time.Second)
	defer cancel()
	if err := u.store.Delete(ctx, key); err != nil {
		u.s.x.em.log(u.s.name, LevelWarn, fmt.Sprintf("a batch whose upload failed may remain (the manifest does not list it): %v", err))
	}
}

// add is UploadRows.
func (u *uploader) add(ctx context.Context, f *connectors.Frame) error {
	if err := u.failed(); err != nil {
		return err
	}
	u.mu.Lock()
	closed := u.closed
	u.mu.Unlock()
	if closed {
		// Said first: a run over may have cancelled the pipeline's context too.
		return fmt.Errorf("%s", stage.MsgAfterReturn)
	}
	if err := u.ctx.Err(); err != nil {
		u.refuse(err)
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return fmt.Errorf("%s", stage.MsgAfterReturn)
	}
	if _, err := u.checks.Check(f); err != nil {
		return err
	}
	if u.schema == nil {
		u.schema = f.Fields()
	}
	n := f.Len()
	// As the platform's upload_rows: this frame is stored now, as one
	// batch or, past BATCH_ROWS, several; frames are never merged, so rows
	// reach S3 as the source hands them over.
	for i := 0; i < n; i += u.batchRows {
		j := min(i+u.batchRows, n)
		if !u.send(f.Slice(i, j)) {
			return u.failed()
		}
		u.handed.Add(int64(j - i))
	}
	if err := u.failed(); err != nil {
		return err
	}
	u.s.progress(false)
	return nil
}

// send hands one batch to the encoder; false when the run's context ended
// first (recorded, so a source that drops the error cannot end in success).
func (u *uploader) send(f *connectors.Frame) bool {
	j := batchJob{index: u.next, key: batchKey(u.prefix, u.next, u.codec.Ext()), frame: f, fp: stage.FingerprintOf(f)}
	select {
	case u.encCh <- j:
		u.next++
		return true
	case <-u.ctx.Done():
		u.refuse(u.ctx.Err())
		return false
	}
}

// refuse records that rows were turned away because the run ended.
func (u *uploader) refuse(err error) {
	u.errMu.Lock()
	defer u.errMu.Unlock()
	if u.err == nil {
		u.err = fmt.Errorf("rows not stored: the run was stopped: %w", err)
	}
}

// finish waits for the pipeline to drain and reports its first error.
func (u *uploader) finish() error {
	u.mu.Lock()
	u.closed = true
	u.mu.Unlock()
	close(u.encCh)
	u.wg.Wait()
	return u.failed()
}

// written lists the batches S3 holds, in order.
func (u *uploader) written() []BatchInfo {
	u.errMu.Lock()
	defer u.errMu.Unlock()
	return append([]BatchInfo(nil), u.keys...)
}
