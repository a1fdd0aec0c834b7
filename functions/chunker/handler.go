// Package chunker is the chunker Lambda's handler: it validates the run's input objects and splits
// them into Bedrock-ready chunk folders (one job each), writes the rejected lines, and returns the
// first round's plan. Objects too small for a job of their own are carried: round 1's collection
// batches them with the retries, or the tail answers them on-demand.
package chunker

import (
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"

	"github.com/bedrock-batch/bedrock-batch/internal/chunk"
	"github.com/bedrock-batch/bedrock-batch/internal/dataset"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/round"
	"github.com/bedrock-batch/bedrock-batch/internal/run"
	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

// Store is the part of the bucket the chunker uses.
type Store interface {
	Put(ctx context.Context, key string, body io.Reader) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	List(ctx context.Context, prefix string) ([]string, error)
}

// Collector plans what round 1 leaves to do when no chunk was made (round.Rounds.Collect).
type Collector interface {
	Collect(ctx context.Context, req run.Request) (run.Plan, error)
}

// Handler chunks runs.
type Handler struct {
	Store    Store
	Rounds   Collector
	Profiles profile.Set
	Log      *slog.Logger
}

// Handle writes round 1 and returns its plan. An unreadable or unsplittable source is an
// InvalidInputError (Finalize reports it); store failures are TransientError. Re-running it
// rewrites the same files.
func (h *Handler) Handle(ctx context.Context, req run.Request) (run.Plan, error) {
	p, ok := h.Profiles[req.Profile]
	if !ok {
		return run.Plan{}, &taskerr.InvalidInputError{Err: fmt.Errorf("profile %q is not configured", req.Profile)}
	}
	if req.RunID == "" || len(req.Sources) == 0 {
		return run.Plan{}, &taskerr.InvalidInputError{Err: errors.New("chunk request needs runId and sources")}
	}
	limits := chunk.Limits{MinRecords: p.MinRecords, MaxRecords: p.MaxRecords, MaxFileBytes: p.MaxFileBytes, MaxJobBytes: p.MaxJobBytes}
	var refs []run.ChunkRef
	carry := round.Carry{Prefixes: []string{}}
	for i, src := range req.Sources {
		prefix := layout.SourcePrefix(req.RunID, i)
		open := func() (io.ReadCloser, error) { return h.Store.Get(ctx, src.Key) }
		plan, err := chunk.Write(ctx, h.Store, open, chunk.Options{Limits: limits, Dataset: dataset.Options{Source: i}, Prefix: prefix})
		if err != nil {
			return run.Plan{}, classify(src.Key, err)
		}
		for _, c := range plan.Chunks {
			refs = append(refs, run.ChunkRef{Index: len(refs), Prefix: prefix + c.Prefix, Records: c.Records, Bytes: c.Bytes})
		}
		if plan.Tail != nil {
			carry.Prefixes = append(carry.Prefixes, prefix+plan.Tail.Prefix)
			carry.Records += plan.Tail.Records
		}
		h.Log.InfoContext(ctx, "source chunked", "runId", req.RunID, "key", src.Key, "records", plan.Stats.Records,
			"rejected", plan.Stats.Rejected, "chunks", len(plan.Chunks), "carried", plan.Tail != nil)
	}
	if err := round.WriteCarry(ctx, h.Store, req.RunID, carry); err != nil {
		return run.Plan{}, taskerr.Transient(err)
	}
	if refs == nil {
		refs = []run.ChunkRef{}
	}
	manifest, err := round.WriteManifest(ctx, h.Store, req.RunID, 1, refs)
	if err != nil {
		return run.Plan{}, taskerr.Transient(err)
	}
	if len(refs) == 0 {
		return h.Rounds.Collect(ctx, run.Request{RunID: req.RunID, Bucket: req.Bucket, Profile: req.Profile, Round: 1})
	}
	return run.Plan{Round: 1, Chunks: len(refs), ManifestKey: manifest}, nil
}

// classify marks what retrying cannot fix: a source that is gone, changed between the two
// passes, is not valid gzip, or holds a record too large for any job. A gzip stream that merely
// ends early stays transient: a cut-off download looks the same.
func classify(key string, err error) error {
	err = fmt.Errorf("chunk %s: %w", key, err)
	var corrupt flate.CorruptInputError
	if errors.Is(err, chunk.ErrNoPlan) || errors.Is(err, dataset.ErrSourceChanged) || errors.Is(err, fs.ErrNotExist) ||
		errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.As(err, &corrupt) {
		return &taskerr.InvalidInputError{Err: err}
	}
	return taskerr.Transient(err)
}
