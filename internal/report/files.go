package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"io/fs"

	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/round"
)

func exists(ctx context.Context, store round.Store, key string) (bool, error) {
	rc, err := store.Get(ctx, key)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", key, err)
	}
	rc.Close()
	return true, nil
}

// Store is the part of the bucket Finalize uses.
type Store interface {
	round.Store
	// Copy copies an object inside the bucket, server-side where the store can.
	Copy(ctx context.Context, src, dst string) error
}

// resultWriter gathers the run's results: each answers file becomes one results part by a
// server-side copy, so no answer passes through Finalize; failures and rejects, which are few,
// stream into one file each. It counts every record it places.
type resultWriter struct {
	ctx        context.Context
	store      Store
	runID      string
	parts      []string
	failedW    *round.LineWriter
	rejectW    *round.LineWriter
	answered   int64
	byBatch    int64
	byOnDemand int64
	failed     int64
	rejected   int64
}

func newResultWriter(ctx context.Context, store Store, runID string) *resultWriter {
	return &resultWriter{ctx: ctx, store: store, runID: runID, parts: []string{},
		failedW: round.NewLineWriter(ctx, store, layout.FailedKey(runID)),
		rejectW: round.NewLineWriter(ctx, store, layout.ResultRejectedKey(runID))}
}

// addAnswers makes the answers file at key, holding n answers given by (round.ByBatch or
// round.ByOnDemand), the run's next results part. An empty file makes no part.
func (w *resultWriter) addAnswers(ctx context.Context, key string, n int64, by string) error {
	if n == 0 {
		return nil
	}
	part := layout.PartKey(w.runID, len(w.parts)+1)
	if err := w.store.Copy(ctx, key, part); err != nil {
		return err
	}
	w.parts = append(w.parts, part)
	w.answered += n
	if by == round.ByOnDemand {
		w.byOnDemand += n
	} else {
		w.byBatch += n
	}
	return nil
}

func (w *resultWriter) copyFailed(ctx context.Context, key string) error {
	return round.EachLine(ctx, w.store, key, true, func(line []byte) error {
		w.failed++
		return w.failedW.WriteRaw(line)
	})
}

func (w *resultWriter) writeFailure(f round.Failure) error {
	w.failed++
	return w.failedW.Write(f)
}

// copyRejected copies a source's rejects, naming the source object on each.
func (w *resultWriter) copyRejected(ctx context.Context, key, source string) error {
	return round.EachLine(ctx, w.store, key, true, func(line []byte) error {
		var r map[string]any
		if err := json.Unmarshal(line, &r); err != nil {
			return err
		}
		r["object"] = source
		w.rejected++
		return w.rejectW.Write(r)
	})
}

func (w *resultWriter) writers() []*round.LineWriter {
	return []*round.LineWriter{w.failedW, w.rejectW}
}

func (w *resultWriter) close() error {
	var errs []error
	for _, lw := range w.writers() {
		errs = append(errs, lw.Close())
	}
	return errors.Join(errs...)
}

func (w *resultWriter) abort(cause error) {
	for _, lw := range w.writers() {
		lw.Abort(cause)
	}
}
