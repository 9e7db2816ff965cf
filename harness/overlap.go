package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"connector-dev/connectors"
)

// A destination that loads in one transaction (connectors.Transactional)
// runs beside its source: it is handed each batch as the uploader stores
// it and commits only after the source succeeded. The feed is what joins
// them.

// feed is what the source stage has stored so far, as its uploader recorded
// it, and, once the source stage is over, how it ended.
type feed struct {
	mu      sync.Mutex
	batches []BatchInfo
	schema  []connectors.Field
	ended   bool
	exit    ExitInfo
	wake    chan struct{} // closed (and replaced) at every change
	first   chan struct{} // closed at the first batch stored or at the end
}

func newFeed() *feed { return &feed{wake: make(chan struct{}), first: make(chan struct{})} }

// change wakes every waiter (and the destination, at the first change:
// a batch stored or the end); f.mu is held.
func (f *feed) change() {
	select {
	case <-f.first:
	default:
		close(f.first)
	}
	close(f.wake)
	f.wake = make(chan struct{})
}

// add records a batch the uploader stored, with the run's schema.
func (f *feed) add(b BatchInfo, schema []connectors.Field) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, b)
	if f.schema == nil {
		f.schema = schema
	}
	f.change()
}

// end records the source stage's exit, after its manifest was written.
func (f *feed) end(exit ExitInfo) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ended, f.exit = true, exit
	f.change()
}

// state reports whether the source stage is over, how, and whether it
// stored any batch.
func (f *feed) state() (ended bool, exit ExitInfo, stored bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ended, f.exit, len(f.batches) > 0
}

// next waits for batch i (from 0): ok is false once the source ended
// without storing it, and exit is then the source's.
func (f *feed) next(ctx context.Context, i int) (b BatchInfo, schema []connectors.Field, ok bool, exit ExitInfo, err error) {
	for {
		f.mu.Lock()
		if i < len(f.batches) {
			b, schema = f.batches[i], f.schema
			f.mu.Unlock()
			return b, schema, true, ExitInfo{}, nil
		}
		if f.ended {
			exit = f.exit
			f.mu.Unlock()
			return BatchInfo{}, nil, false, exit, nil
		}
		wake := f.wake
		f.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return BatchInfo{}, nil, false, ExitInfo{}, ctx.Err()
		}
	}
}

// sourceEndedError is what a fed RunBatches returns when the source did
// not succeed: the destination rolls back.
type sourceEndedError struct{ exit ExitInfo }

func (e *sourceEndedError) Error() string {
	return fmt.Sprintf("rolled back: the source ended with %s", e.exit.Reason)
}

func (e *sourceEndedError) Unwrap() error { return connectors.ErrSourceFailed }

// rollBack ends the destination with the source's reason (its context is
// cancelled, so a Batch in progress stops) and returns the error the
// destination rolls back on.
func (s *stageRun) rollBack(se *sourceEndedError) error {
	msg := se.Error()
	s.x.em.log(s.name, LevelWarn, msg)
	s.ending.End(se.exit.Reason, msg)
	return se
}

// runFedBatches is RunBatches beside the source: each batch as soon as the
// uploader stored it, checked against the size and checksum it recorded;
// at the end, the manifest must list exactly the batches loaded.
func (s *stageRun) runFedBatches(ctx context.Context) (err error) {
	defer func() { s.fed.Store(&err) }()
	s.x.em.log(s.name, LevelInfo, fmt.Sprintf("loading batches under s3://%s/%s as the source stores them; %s commits only if the source succeeds",
		s.x.store.Bucket(), s.x.prefix, s.connector))
	return s.loadBatches(ctx, false, func(ctx context.Context, reuse func() *connectors.Frame, send func(readItem) bool) {
		var buf []byte
		var loaded []BatchInfo
		for i := 0; ; i++ {
			b, schema, ok, exit, err := s.feed.next(ctx, i)
			if err != nil {
				return // the run was stopped: loadBatches says so
			}
			if !ok {
				if exit.Reason != connectors.Success {
					send(readItem{err: &sourceEndedError{exit}})
					return
				}
				if err := s.x.manifestAgrees(ctx, loaded); err != nil {
					send(readItem{err: err})
				}
				return
			}
			want := Expect{Size: b.Bytes, CRC32C: b.CRC32C, HasCRC: true}
			f, meta, data, err := readBatch(ctx, s.x.store, b.Key, buf, reuse(), want, schema)
			buf = data
			loaded = append(loaded, b)
			if !send(readItem{f, meta, b, err}) || err != nil {
				return
			}
		}
	})
}

// manifestAgrees checks the manifest the source stored against the batches
// the destination was handed as they were stored.
func (x *execution) manifestAgrees(ctx context.Context, loaded []BatchInfo) error {
	m, err := x.store.GetManifest(ctx, x.prefix)
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	where := fmt.Sprintf("s3://%s/%s%s", x.store.Bucket(), x.prefix, manifestName)
	if m.Exit.Reason != connectors.Success {
		return fmt.Errorf("the manifest at %s says the source ended with %s, but it succeeded", where, m.Exit.Reason)
	}
	if len(m.Batches) != len(loaded) {
		return fmt.Errorf("the manifest at %s lists %d batches, but the source stored %d", where, len(m.Batches), len(loaded))
	}
	for i, b := range m.Batches {
		if l := loaded[i]; b.Key != l.Key || b.Rows != l.Rows || b.Bytes != l.Bytes || b.CRC32C != l.CRC32C {
			return fmt.Errorf("the manifest at %s lists batch %s as %d rows, %d bytes, crc32c %08x, but the source stored %s as %d rows, %d bytes, crc32c %08x",
				where, b.Key, b.Rows, b.Bytes, b.CRC32C, l.Key, l.Rows, l.Bytes, l.CRC32C)
		}
	}
	x.em.log(StageDestination, LevelInfo, fmt.Sprintf("%s under s3://%s/%s, as the manifest lists them", Quantity(int64(len(loaded)), "batch", "batches"), x.store.Bucket(), x.prefix))
	return nil
}

// errDestinationFailed stops a source whose destination failed beside it.
var errDestinationFailed = errors.New("stopped: the destination failed")

// overlaps reports whether d may run beside its source.
func overlaps(d connectors.Destination) bool {
	t, ok := d.(connectors.Transactional)
	return ok && t.LoadsInOneTransaction()
}

// runOverlapped runs the source and a Transactional destination side by
// side: the destination starts at the first batch stored (or, without one,
// once the source succeeded; it does not run after a source that failed
// before storing any). The run's exit is the destination's when it ended
// before the source (the source is then stopped), else the source's when
// that failed (the destination rolled back and is not reported as a stage,
// as a destination that never ran), else the destination's.
func (x *execution) runOverlapped(ctx context.Context, src, dst *plannedStage, d connectors.Destination) (stages []StageReport, batches []BatchInfo, exit ExitInfo) {
	fd := newFeed()
	sctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var destRep *StageReport
	var destSt *stageRun
	destFirst := false
	ready := make(chan struct{}) // destSt is set, or the destination will not run
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-fd.first
		if ended, exit, stored := fd.state(); ended && !stored && exit.Reason != connectors.Success {
			close(ready)
			return
		}
		destSt = x.newStage(ctx, dst)
		destSt.feed = fd
		close(ready)
		rep := x.runDestStage(ctx, destSt, d)
		destRep = &rep
		// A run stopped (Ctrl-C, --timeout) stops both stages by itself.
		if ended, _, _ := fd.state(); rep.Exit.Reason != connectors.Success && !ended && ctx.Err() == nil {
			destFirst = true
			x.em.log(StageSource, LevelWarn, fmt.Sprintf("stopping the source: the destination ended with %s", rep.Exit.Reason))
			stop(errDestinationFailed)
		}
	}()
	srcRep, batches := x.runSourceStage(sctx, src, x.newStage(sctx, src), fd)
	fd.end(*srcRep.Exit)
	<-ready
	if destSt != nil && srcRep.Exit.Reason == connectors.Success {
		// The destination's bar now has its total.
		destSt.expected.Store(srcRep.Rows)
	}
	<-done
	if destRep != nil && destSt.brokePromise() {
		// The harness exists to check connectors: a Transactional
		// destination that swallowed the rollback is this run's failure.
		msg := fmt.Sprintf("destination %s returned nil before RunBatches returned nil: it broke connectors.Transactional's promise (commit only after RunBatches returned nil) and may have kept rows of this run", dst.reg.Name)
		x.em.log(StageDestination, LevelError, msg)
		exit := ExitInfo{Reason: connectors.Error, Code: connectors.Error.Code(), Message: msg}
		destRep.Exit = &exit
		return []StageReport{srcRep, *destRep}, batches, exit
	}
	switch {
	case destRep != nil && (destFirst || srcRep.Exit.Reason == connectors.Success):
		return []StageReport{srcRep, *destRep}, batches, *destRep.Exit
	case destRep != nil:
		x.em.log("", LevelInfo, fmt.Sprintf("destination %s rolled back, nothing of this run kept: the source ended with %s", dst.reg.Name, srcRep.Exit.Reason))
	default:
		x.em.log("", LevelInfo, fmt.Sprintf("destination %s not run: the source ended with %s", dst.reg.Name, srcRep.Exit.Reason))
	}
	return []StageReport{srcRep}, batches, *srcRep.Exit
}

// brokePromise reports whether the destination's Run returned nil although
// RunBatches, beside the source, had not returned nil (it failed, so the
// destination should have rolled back, or it had not returned at all).
func (s *stageRun) brokePromise() bool {
	if s.dest == nil || !s.returnedNil.Load() {
		return false
	}
	r := s.fed.Load()
	return r == nil || *r != nil
}
