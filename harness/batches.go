package harness

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"connector-dev/connectors"
	"connector-dev/connectors/stage"
	"connector-dev/harness/codec"
	"connector-dev/harness/httprec"
)

// listBatches lists the batch objects under prefix in batch order, leaving
// out anything that is not a batch (a stray file a user dropped there).
func listBatches(ctx context.Context, store *Store, prefix string) ([]ObjectMeta, error) {
	objs, err := store.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := objs[:0]
	for _, o := range objs {
		if batchIndex(o.Key) > 0 {
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return batchIndex(out[i].Key) < batchIndex(out[j].Key) })
	return out, nil
}

// storeReader reads and decodes batch objects; it is the BatchReader of
// live and past runs. Batches it knows (a past run's report lists them)
// are checked against their size and checksum; the schema comes from the
// run's schema.json, or from a batch's metadata in runs made before it.
// The object's metadata and read errors are scrubbed of secrets before the
// batch browser shows them.
type storeReader struct {
	store   *Store
	scrub   *httprec.Scrubber
	prefix  string
	batches map[string]BatchInfo
	schema  *schemaCache
}

// schemaCache holds a run's schema once read; copies of a reader share it.
type schemaCache struct {
	mu     sync.Mutex
	fields []connectors.Field
	read   bool
}

func newStoreReader(store *Store, scrub *httprec.Scrubber, prefix string, batches []BatchInfo, checked bool) storeReader {
	r := storeReader{store: store, scrub: scrub, prefix: prefix, schema: &schemaCache{}}
	if checked {
		r.batches = make(map[string]BatchInfo, len(batches))
		for _, b := range batches {
			r.batches[b.Key] = b
		}
	}
	return r
}

// ReadBatch fetches and decodes one batch.
func (r storeReader) ReadBatch(ctx context.Context, key string) (*connectors.Frame, ObjectMeta, error) {
	want := Expect{Size: -1}
	if b, ok := r.batches[key]; ok {
		want = Expect{Size: b.Bytes, CRC32C: b.CRC32C, HasCRC: true}
	}
	schema, err := r.runSchema(ctx)
	if err != nil {
		return nil, ObjectMeta{}, r.scrubErr(err)
	}
	f, meta, _, err := readBatch(ctx, r.store, key, nil, nil, want, schema)
	if len(meta.Metadata) > 0 {
		md := make(map[string]string, len(meta.Metadata))
		for k, v := range meta.Metadata {
			md[r.scrub.Replace(k)] = r.scrub.Replace(v)
		}
		meta.Metadata = md
	}
	return f, meta, r.scrubErr(err)
}

// scrubErr keeps secrets out of a read error the browser will show.
func (r storeReader) scrubErr(err error) error {
	if err == nil || r.scrub == nil {
		return err
	}
	if msg := r.scrub.Replace(err.Error()); msg != err.Error() {
		return errors.New(msg)
	}
	return err
}

// runSchema reads schema.json once; a run without one (made before it,
// or whose source stored no batch) has nil, and its batches' metadata is
// used.
func (r storeReader) runSchema(ctx context.Context) ([]connectors.Field, error) {
	c := r.schema
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.read || r.prefix == "" {
		return c.fields, nil
	}
	f, err := r.store.getSchema(ctx, r.prefix)
	if err != nil && !errors.Is(err, errNoSuchKey) {
		return nil, err
	}
	c.fields, c.read = f, err == nil
	return c.fields, nil
}

// readBatch gets one object into buf, checks it against want and decodes
// it by its key's extension and schema (nil: the schema in the object's
// metadata, as runs made before schema.json stored it) into reuse's
// buffers (nil: new ones; see codec.Codec.DecodeInto). Errors name the
// object's s3:// address.
func readBatch(ctx context.Context, store *Store, key string, buf []byte, reuse *connectors.Frame, want Expect, schema []connectors.Field) (*connectors.Frame, ObjectMeta, []byte, error) {
	where := fmt.Sprintf("s3://%s/%s", store.Bucket(), key)
	c, err := codec.ForKey(key)
	if err != nil {
		return nil, ObjectMeta{}, buf, fmt.Errorf("batch %s: %w", where, err)
	}
	data, meta, err := store.GetChecked(ctx, key, want, buf)
	var mm *MismatchError
	if errors.As(err, &mm) {
		return nil, meta, buf, fmt.Errorf("batch %s: %w", where, mm)
	}
	if err != nil {
		return nil, ObjectMeta{}, buf, err
	}
	if s := meta.Metadata["schema"]; schema == nil && s != "" {
		if schema, err = codec.ParseSchema(s); err != nil {
			return nil, meta, data, fmt.Errorf("batch %s: metadata schema: %w", where, err)
		}
	}
	f, err := c.DecodeInto(reuse, data, schema)
	if err != nil {
		return nil, meta, data, fmt.Errorf("batch %s is corrupt: %w", where, err)
	}
	return f, meta, data, nil
}

type readItem struct {
	frame *connectors.Frame
	meta  ObjectMeta
	want  BatchInfo // what the source recorded of it
	err   error
}

// RunBatches reads every batch in order, one ahead of the destination (so
// S3 and decoding overlap with Batch), renames columns by the mapping and
// calls Batch once per batch. A frame whose Batch returned is decoded into
// again (connectors.Destination: the frame is the runtime's once Batch
// returns), so after the first few batches reading allocates no column
// memory: at most three frames are in use, one in Batch, one waiting, one
// being decoded, as many as without the reuse.
func (s *stageRun) RunBatches(ctx context.Context) error {
	if s.dest == nil {
		return fmt.Errorf("RunBatches: %s is a %s; only destinations read batches", s.connector, s.name)
	}
	if s.feed != nil {
		return s.runFedBatches(ctx)
	}
	// Exactly the batches the source stored, as its manifest lists them:
	// a stray object under the prefix is not data, and each batch must be
	// the object the source stored (size, then checksum).
	objs, schema, checked, err := s.x.sourceBatches(ctx)
	if err != nil {
		return s.end(connectors.Error, LevelError, "%v", []any{err})
	}
	s.x.em.log(s.name, LevelInfo, fmt.Sprintf("%s under s3://%s/%s", Quantity(int64(len(objs)), "batch", "batches"), s.x.store.Bucket(), s.x.prefix))
	return s.loadBatches(ctx, true, func(ctx context.Context, reuse func() *connectors.Frame, send func(readItem) bool) {
		// Decoded frames do not alias the buffer, so one buffer serves every GET.
		var buf []byte
		for _, b := range objs {
			want := Expect{Size: b.Bytes}
			if checked {
				want.CRC32C, want.HasCRC = b.CRC32C, true
			}
			f, meta, data, err := readBatch(ctx, s.x.store, b.Key, buf, reuse(), want, schema)
			buf = data
			if !send(readItem{f, meta, b, err}) || err != nil {
				return
			}
		}
	})
}

// loadBatches hands each batch produce sends to Batch, in order. With
// ahead, produce runs in a goroutine one batch ahead of the destination
// (so S3 and decoding overlap with Batch); without, in the caller's, which
// holds one batch fewer in memory (for a destination beside its source, whose
// work already overlaps the source's). An item with an error ends the
// destination with it.
func (s *stageRun) loadBatches(ctx context.Context, ahead bool, produce func(ctx context.Context, reuse func() *connectors.Frame, send func(readItem) bool)) error {
	// A frame whose Batch returned is decoded into again (reuse: one, or nil).
	free := make(chan *connectors.Frame, 3)
	reuse := func() *connectors.Frame {
		select {
		case f := <-free:
			return f
		default:
			return nil
		}
	}
	load := func(ctx context.Context, it readItem) error {
		if err := s.loadOne(ctx, it); err != nil {
			return err
		}
		select {
		case free <- it.frame:
		default:
		}
		return nil
	}
	if !ahead {
		var err error
		produce(ctx, reuse, func(it readItem) bool {
			err = load(ctx, it)
			return err == nil && ctx.Err() == nil
		})
		if err != nil {
			return err
		}
		return ctx.Err()
	}
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan readItem, 1)
	go func() {
		defer close(ch)
		produce(ctx, reuse, func(it readItem) bool {
			select {
			case ch <- it:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	defer func() {
		cancel()
		for range ch { // let the reader goroutine end before RunBatches returns
		}
	}()
	for it := range ch {
		if err := load(ctx, it); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// loadOne maps one batch and hands it to Batch, or ends the destination
// with the item's error.
func (s *stageRun) loadOne(ctx context.Context, it readItem) error {
	if it.err != nil {
		var se *sourceEndedError
		if errors.As(it.err, &se) {
			return s.rollBack(se)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return s.end(connectors.Error, LevelError, "%v", []any{it.err})
	}
	f, ee := stage.MapBatch(s.mapping, it.frame, it.meta.Key)
	if ee != nil {
		return s.endAs(ee.Reason, ee.Message)
	}
	n := int64(f.Len())
	s.rows.Add(n)
	s.batches.Add(1)
	s.bytes.Add(it.meta.Size)
	info := BatchInfo{Index: batchIndex(it.meta.Key), Key: it.meta.Key, Rows: n, Bytes: it.meta.Size, Format: formatOf(it.meta.Key), CRC32C: it.want.CRC32C}
	if want := it.want.Rows; want != 0 && want != n {
		return s.end(connectors.Error, LevelError, "batch s3://%s/%s holds %d rows, but the source stored %d", []any{s.x.store.Bucket(), it.meta.Key, n, want})
	}
	s.x.em.emit(Event{Kind: EventBatchRead, Stage: s.name, Batch: &info})
	s.progress(false)
	return s.dest.Batch(ctx, s, f)
}

func formatOf(key string) string {
	if c, err := codec.ForKey(key); err == nil {
		return c.Name()
	}
	return ""
}
