package harness

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"connector-dev/connectors"
	"connector-dev/harness/codec"
)

// uploader is the source side of the batch store: UploadRows cuts frames
// into BATCH_ROWS batches, one goroutine encodes, another PUTs. The channels
// hold one batch each, so memory stays at a few batches whatever the row
// count, and generating, encoding and uploading overlap.
type uploader struct {
	s         *stage
	ctx       context.Context // the run's, not the connector's: a flush after ExitNoFail must still reach S3
	store     *Store
	codec     codec.Codec
	prefix    string
	batchRows int

	schema     []connectors.Field
	schemaText string
	pending    *connectors.Frame
	next       int

	encCh chan batchJob
	putCh chan batchJob
	bufs  chan []byte
	wg    sync.WaitGroup

	errMu sync.Mutex
	err   error

	keys []BatchInfo // written, in order; guarded by errMu
}

type batchJob struct {
	index int
	key   string
	frame *connectors.Frame
	data  []byte
}

func newUploader(ctx context.Context, s *stage, store *Store, c codec.Codec, prefix string, batchRows int) *uploader {
	u := &uploader{
		s: s, ctx: ctx, store: store, codec: c, prefix: prefix, batchRows: batchRows, next: 1,
		encCh: make(chan batchJob, 1),
		putCh: make(chan batchJob, 1),
		bufs:  make(chan []byte, 4),
	}
	u.wg.Add(2)
	go u.encoder()
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
	defer close(u.putCh)
	for j := range u.encCh {
		if u.failed() != nil {
			continue // drain, so add never blocks on a dead pipeline
		}
		var buf []byte
		select {
		case buf = <-u.bufs:
		default:
		}
		data, err := u.codec.Encode(buf[:0], j.frame)
		if err != nil {
			u.fail(fmt.Errorf("encode batch %d as %s: %w", j.index, u.codec.Name(), err))
			continue
		}
		j.data = data
		u.putCh <- j
	}
}

func (u *uploader) putter() {
	defer u.wg.Done()
	for j := range u.putCh {
		if u.failed() != nil {
			continue
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
	rest := f
	if u.pending != nil {
		take := min(u.batchRows-u.pending.Len(), n)
		appendFrame(u.pending, rest.Slice(0, take))
		rest = rest.Slice(take, n)
		if u.pending.Len() == u.batchRows {
			if err := u.send(u.pending); err != nil {
				return err
			}
			u.pending = nil
		}
	}
	for rest.Len() >= u.batchRows {
		if err := u.send(rest.Slice(0, u.batchRows)); err != nil {
			return err
		}
		rest = rest.Slice(u.batchRows, rest.Len())
	}
	if rest.Len() > 0 {
		// The slice's capacity ends at its length, so the next append copies
		// instead of writing into the caller's frame.
		u.pending = rest
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
	j := batchJob{index: u.next, key: batchKey(u.prefix, u.next, u.codec.Ext()), frame: f}
	u.next++
	select {
	case u.encCh <- j:
		return u.failed()
	case <-u.ctx.Done():
		return u.ctx.Err()
	}
}

// finish uploads the last partial batch when flush is set, then waits for
// the pipeline to drain and reports its first error.
func (u *uploader) finish(flush bool) error {
	var err error
	if flush && u.pending != nil && u.failed() == nil {
		err = u.send(u.pending)
		u.pending = nil
	}
	close(u.encCh)
	u.wg.Wait()
	if ferr := u.failed(); ferr != nil {
		return ferr
	}
	return err
}

func (u *uploader) written() []BatchInfo {
	u.errMu.Lock()
	defer u.errMu.Unlock()
	return append([]BatchInfo(nil), u.keys...)
}

// appendFrame appends src's rows to dst; both have the same schema. A nil
// Null slice means "no nulls", so it is only materialised when needed.
func appendFrame(dst, src *connectors.Frame) {
	for i, d := range dst.Columns() {
		c := src.Columns()[i]
		had := d.Len()
		d.Strings = append(d.Strings, c.Strings...)
		d.Ints = append(d.Ints, c.Ints...)
		d.Floats = append(d.Floats, c.Floats...)
		d.Bools = append(d.Bools, c.Bools...)
		d.Times = append(d.Times, c.Times...)
		if !d.Nullable || (d.Null == nil && c.Null == nil) {
			continue
		}
		if d.Null == nil {
			d.Null = make([]bool, had, had+c.Len())
		}
		if c.Null != nil {
			d.Null = append(d.Null, c.Null...)
		} else {
			d.Null = append(d.Null, make([]bool, c.Len())...)
		}
	}
}
