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

// resultWriter streams the run's answers into parts of PartRecords lines, and its failures and
// rejects into one file each, counting every line.
type resultWriter struct {
	ctx        context.Context
	store      round.Store
	runID      string
	part       *round.LineWriter
	parts      []string
	inPart     int
	failedW    *round.LineWriter
	rejectW    *round.LineWriter
	answered   int64
	byBatch    int64
	byOnDemand int64
	failed     int64
	rejected   int64
}

func newResultWriter(ctx context.Context, store round.Store, runID string) *resultWriter {
	return &resultWriter{ctx: ctx, store: store, runID: runID, parts: []string{},
		failedW: round.NewLineWriter(ctx, store, layout.FailedKey(runID)),
		rejectW: round.NewLineWriter(ctx, store, layout.ResultRejectedKey(runID))}
}

func (w *resultWriter) copyAnswers(ctx context.Context, key string) error {
	return round.EachLine(ctx, w.store, key, true, func(line []byte) error {
		var a struct {
			AnsweredBy string `json:"answeredBy"`
		}
		if err := json.Unmarshal(line, &a); err != nil {
			return err
		}
		if w.part == nil || w.inPart == PartRecords {
			if w.part != nil {
				if err := w.part.Close(); err != nil {
					return err
				}
			}
			key := layout.PartKey(w.runID, len(w.parts)+1)
			w.parts = append(w.parts, key)
			w.part = round.NewLineWriter(w.ctx, w.store, key)
			w.inPart = 0
		}
		w.inPart++
		w.answered++
		if a.AnsweredBy == round.ByOnDemand {
			w.byOnDemand++
		} else {
			w.byBatch++
		}
		return w.part.WriteRaw(line)
	})
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
	ws := []*round.LineWriter{w.failedW, w.rejectW}
	if w.part != nil {
		ws = append(ws, w.part)
	}
	return ws
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
