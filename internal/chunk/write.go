package chunk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/bedrock-batch/bedrock-batch/internal/dataset"
)

// Store is where chunk files go: a local folder (dirstore) or a bucket (s3store).
type Store interface {
	// Put streams body to key, replacing what is there.
	Put(ctx context.Context, key string, body io.Reader) error
}

// Names of the files Write puts under Options.Prefix.
const (
	InputFile    = "input.jsonl"    // in each chunk folder: the exact Bedrock input lines
	RecordsFile  = "records.jsonl"  // in each chunk folder: pipeline id -> user recordId, line, source
	RejectedFile = "rejected.jsonl" // one JSON reject per line, in line order
	PlanFile     = "plan.json"      // the Plan, written last
)

// Options configure Write.
type Options struct {
	Limits  Limits
	Dataset dataset.Options
	// Prefix is put before every key ("runs/<runId>/r1/"); empty writes at the store's root.
	Prefix string
}

// Write reads the dataset twice through open (scan, then replay), plans the chunks, and puts
// under opts.Prefix: each chunk's folder (input.jsonl, records.jsonl), the ondemand/ folder for
// a dataset below the minimum, rejected.jsonl, and plan.json last, so a present plan.json means
// the rest is complete. It returns the plan; errors are I/O, ErrNoPlan,
// dataset.ErrSourceChanged, or the context's.
func Write(ctx context.Context, store Store, open func() (io.ReadCloser, error), opts Options) (Plan, error) {
	x, err := scan(ctx, open, opts.Dataset)
	if err != nil {
		return Plan{}, err
	}
	defer x.Close()
	plan, err := NewPlan(func() RecordSizes { return x.Records() }, x.Stats(), opts.Limits)
	if err != nil {
		return Plan{}, err
	}
	w := &writer{ctx: ctx, store: store, prefix: opts.Prefix, plan: plan, source: x.Source()}
	if err := w.replay(x, open); err != nil {
		return Plan{}, err
	}
	body, err := json.MarshalIndent(plan, "", "  ")
	if err != nil {
		return Plan{}, fmt.Errorf("encode plan: %w", err)
	}
	if err := store.Put(ctx, opts.Prefix+PlanFile, bytes.NewReader(append(body, '\n'))); err != nil {
		return Plan{}, fmt.Errorf("write %s: %w", PlanFile, err)
	}
	return plan, nil
}

func scan(ctx context.Context, open func() (io.ReadCloser, error), opts dataset.Options) (*dataset.Index, error) {
	src, err := open()
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return dataset.Scan(ctx, src, opts)
}

// errStoreStopped fails writes to a body the store no longer reads.
var errStoreStopped = errors.New("store returned before reading the whole body")

// pipePut streams what is written to it into one store key.
type pipePut struct {
	key  string
	bw   *bufPipe
	pool *bufPool
	done chan error
}

func startPut(ctx context.Context, store Store, key string, pool *bufPool) *pipePut {
	bp := newBufPipe(pool, 2)
	p := &pipePut{key: key, bw: bp, pool: pool, done: make(chan error, 1)}
	go func() {
		err := store.Put(ctx, key, bp)
		if err == nil {
			err = errStoreStopped
		}
		bp.CloseRead(err)
		p.done <- err
	}()
	return p
}

// finish completes the body and waits for the store.
func (p *pipePut) finish() error {
	err := p.bw.CloseWithError(nil)
	putErr := <-p.done
	p.bw.release(p.pool)
	if err != nil {
		return fmt.Errorf("write %s: %w", p.key, err)
	}
	if !errors.Is(putErr, errStoreStopped) {
		return fmt.Errorf("write %s: %w", p.key, putErr)
	}
	return nil
}

// abort stops the put; nothing is left at the key by stores that write atomically.
func (p *pipePut) abort(cause error) {
	p.bw.CloseWithError(cause)
	<-p.done
	p.bw.release(p.pool)
}

type writer struct {
	ctx    context.Context
	store  Store
	prefix string
	plan   Plan
	source int

	folders []Chunk // chunks, or the tail, in order
	cur     int
	count   int64
	bytes   int64
	input   *pipePut
	records *pipePut
	inPool  *bufPool // buffers reused from chunk to chunk
	recPool *bufPool
	line    []byte // the line being written, reused
}

func (w *writer) replay(x *dataset.Index, open func() (io.ReadCloser, error)) (err error) {
	w.folders = w.plan.Chunks
	if w.plan.Tail != nil {
		w.folders = []Chunk{*w.plan.Tail}
	}
	defer func() {
		if err != nil && w.input != nil {
			w.input.abort(err)
			w.records.abort(err)
		}
	}()
	src, err := open()
	if err != nil {
		return err
	}
	defer src.Close()
	rejects := startPut(w.ctx, w.store, w.prefix+RejectedFile, newBufPool(64<<10, 0))
	rw := rejects.bw
	err = x.Replay(w.ctx, src, w.record, func(rj dataset.Reject) error {
		b, err := json.Marshal(rj)
		if err != nil {
			return fmt.Errorf("encode reject: %w", err)
		}
		b = append(b, '\n')
		_, err = rw.Write(b)
		return err
	})
	if err == nil && w.input != nil {
		err = w.closeFolder()
	}
	if err == nil && w.cur != len(w.folders) {
		err = fmt.Errorf("wrote %d of %d planned chunks", w.cur, len(w.folders))
	}
	if err != nil {
		rejects.abort(err)
		return err
	}
	return rejects.finish()
}

func (w *writer) openFolder() {
	dir := w.prefix + w.folders[w.cur].Prefix
	if w.inPool == nil {
		w.inPool, w.recPool = newBufPool(1<<20, 3), newBufPool(256<<10, 3)
	}
	w.input = startPut(w.ctx, w.store, dir+InputFile, w.inPool)
	w.records = startPut(w.ctx, w.store, dir+RecordsFile, w.recPool)
	w.count, w.bytes = 0, 0
}

func (w *writer) closeFolder() error {
	c := w.folders[w.cur]
	err := errors.Join(w.input.finish(), w.records.finish())
	w.input, w.records = nil, nil
	if err != nil {
		return err
	}
	if w.count != c.Records || w.bytes != c.Bytes {
		return fmt.Errorf("chunk %s: wrote %d records of %d bytes, planned %d of %d", c.Prefix, w.count, w.bytes, c.Records, c.Bytes)
	}
	w.cur++
	return nil
}

func (w *writer) record(r *dataset.Record) error {
	if w.input == nil {
		if w.cur >= len(w.folders) {
			return fmt.Errorf("line %d: a record beyond the plan", r.Line)
		}
		w.openFolder()
	}
	w.line = appendInputLine(w.line[:0], r)
	if _, err := w.input.bw.Write(w.line); err != nil {
		return fmt.Errorf("write %s: %w", w.input.key, err)
	}
	w.bytes += int64(len(w.line))
	w.line = appendSidecarLine(w.line[:0], r, w.source)
	if _, err := w.records.bw.Write(w.line); err != nil {
		return fmt.Errorf("write %s: %w", w.records.key, err)
	}
	w.count++
	if w.count == w.folders[w.cur].Records {
		return w.closeFolder()
	}
	return nil
}
