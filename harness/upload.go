package harness

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"connector-dev/connectors"
	"connector-dev/harness/codec"
)

// uploader is the source side of the batch store: UploadRows cuts a frame
// into batches of at most BATCH_ROWS rows, encoder goroutines encode them,
// and one goroutine PUTs them in batch order. UploadRows
// waits while every encoder is busy and the queue holds a few batches, so
// memory stays at a few batches whatever the row count, and generating,
// encoding and uploading overlap.
type uploader struct {
	s         *stage
	ctx       context.Context // the run's, not the connector's: batches already handed over still reach S3 after ExitNoFail
	store     *Store
	codec     codec.Codec
	prefix    string
	batchRows int

	schema     []connectors.Field
	schemaText string
	next       int

	work  chan *batchJob // to the encoders
	order chan *batchJob // to the putter, in batch order
	bufs  chan []byte
	wg    sync.WaitGroup

	errMu sync.Mutex
	err   error

	keys []BatchInfo // written, in order; guarded by errMu
}

type batchJob struct {
	index   int
	key     string
	frame   *connectors.Frame
	data    []byte
	encoded chan struct{} // closed when data (or the uploader's error) is set
}

// encoders is how many batches are encoded at once. Two measured no faster
// than one on a 2-core machine (generation, the PUT and the embedded S3
// already use the second core) and held one more batch in memory.
const encoders = 1

func newUploader(ctx context.Context, s *stage, store *Store, c codec.Codec, prefix string, batchRows int) *uploader {
	u := &uploader{
		s: s, ctx: ctx, store: store, codec: c, prefix: prefix, batchRows: batchRows, next: 1,
		work:  make(chan *batchJob),
		order: make(chan *batchJob, encoders+1),
		bufs:  make(chan []byte, encoders+2),
	}
	u.wg.Add(encoders + 1)
	for range encoders {
		go u.encoder()
	}
	go u.putter()
	return u
}

func (u *uploader) fail(err error) {
	u.errMu.Lock()
	defer u.errMu.Unlock()
	if u.err == nil {
		u.err = err
	}
}

func (u *uploader) failed() error {
	u.errMu.Lock()
	defer u.errMu.Unlock()
	return u.err
}

func (u *uploader) encoder() {
	defer u.wg.Done()
	for j := range u.work {
		if u.failed() == nil {
			var buf []byte
			select {
			case buf = <-u.bufs:
			default:
			}
			data, err := u.codec.Encode(buf[:0], j.frame)
			if err != nil {
				u.fail(fmt.Errorf("encode batch %d as %s: %w", j.index, u.codec.Name(), err))
			}
			j.data = data
		}
		close(j.encoded)
	}
}

func (u *uploader) putter() {
	defer u.wg.Done()
	for j := range u.order {
		<-j.encoded
		if u.failed() != nil {
			continue // drain, so UploadRows never blocks on a dead pipeline
		}
		rows := int64(j.frame.Len())
		meta := map[string]string{"schema": u.schemaText, "rows": strconv.FormatInt(rows, 10), "stage": "source", "connector": u.s.connector}
		if err := u.store.Put(u.ctx, j.key, j.data, u.codec.ContentType(), meta); err != nil {
			u.fail(err)
			continue
		}
		info := BatchInfo{Index: j.index, Key: j.key, Rows: rows, Bytes: int64(len(j.data)), Format: u.codec.Name()}
		u.errMu.Lock()
		u.keys = append(u.keys, info)
		u.errMu.Unlock()
		u.s.batches.Add(1)
		u.s.bytes.Add(info.Bytes)
		u.s.x.em.emit(Event{Kind: EventBatchWritten, Stage: u.s.name, Batch: &info})
		u.s.progress(false)
		select {
		case u.bufs <- j.data:
		default:
		}
	}
}

// add is UploadRows.
func (u *uploader) add(ctx context.Context, f *connectors.Frame) error {
	if err := u.failed(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if f == nil {
		return fmt.Errorf("UploadRows: nil frame")
	}
	if err := f.Validate(); err != nil {
		return fmt.Errorf("UploadRows: %w", err)
	}
	if err := u.checkSchema(f); err != nil {
		return err
	}
	n := f.Len()
	if n == 0 {
		return nil
	}
	u.s.rows.Add(int64(n))
	// As the platform's upload_rows: this frame is stored now, as one
	// batch or, past BATCH_ROWS, several; frames are never merged, so rows
	// reach S3 as the source hands them over.
	for i := 0; i < n; i += u.batchRows {
		if err := u.send(f.Slice(i, min(i+u.batchRows, n))); err != nil {
			return err
		}
	}
	u.s.progress(false)
	return nil
}

func (u *uploader) checkSchema(f *connectors.Frame) error {
	fields := f.Fields()
	if u.schema == nil {
		if cols := u.s.mapping.SourceColumns(); len(cols) > 0 {
			if _, err := f.Select(cols, nil); err != nil {
				return u.s.end(connectors.Setup, LevelError, "JobDataJSON maps a column the source does not have: %v", []any{err})
			}
		}
		u.schema = fields
		u.schemaText = codec.FormatSchema(fields)
		return nil
	}
	if len(fields) != len(u.schema) {
		return fmt.Errorf("UploadRows: frame has %d columns, earlier frames had %d (%s)", len(fields), len(u.schema), u.schemaText)
	}
	for i, fd := range fields {
		if fd != u.schema[i] {
			return fmt.Errorf("UploadRows: column %d is %s %s (nullable %v), earlier frames had %s %s (nullable %v)",
				i+1, fd.Name, fd.Type, fd.Nullable, u.schema[i].Name, u.schema[i].Type, u.schema[i].Nullable)
		}
	}
	return nil
}

func (u *uploader) send(f *connectors.Frame) error {
	j := &batchJob{index: u.next, key: batchKey(u.prefix, u.next, u.codec.Ext()), frame: f, encoded: make(chan struct{})}
	u.next++
	// The order queue first: the putter then waits for this batch's
	// encoding, whichever encoder takes it.
	select {
	case u.order <- j:
	case <-u.ctx.Done():
		return u.ctx.Err()
	}
	select {
	case u.work <- j:
		return u.failed()
	case <-u.ctx.Done():
		close(j.encoded)
		return u.ctx.Err()
	}
}

// finish waits for the pipeline to drain and reports its first error.
func (u *uploader) finish() error {
	close(u.work)
	close(u.order)
	u.wg.Wait()
	return u.failed()
}

func (u *uploader) written() []BatchInfo {
	u.errMu.Lock()
	defer u.errMu.Unlock()
	return append([]BatchInfo(nil), u.keys...)
}
