package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/layout"
)

// Store is the part of a blob store the ledger uses.
type Store interface {
	Put(ctx context.Context, key string, body io.Reader) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	List(ctx context.Context, prefix string) ([]string, error)
}

// Entry is one job of one chunk attempt.
type Entry struct {
	JobName     string    `json:"jobName"`
	RunID       string    `json:"runId"`
	Round       int       `json:"round"`
	Chunk       int       `json:"chunk"`
	Attempt     int       `json:"attempt"`
	JobARN      string    `json:"jobArn,omitempty"`   // empty until CreateModelInvocationJob answered
	TaskToken   string    `json:"taskToken"`          // the latest token waiting on this job
	Status      string    `json:"status,omitempty"`   // last Bedrock status seen
	Message     string    `json:"message,omitempty"`  // Bedrock's failure message, if any
	Records     int64     `json:"records,omitempty"`  // records in the job's input
	SubmittedAt time.Time `json:"submittedAt"`        // when the pipeline first asked for the job
	EndedAt     time.Time `json:"endedAt,omitzero"`   // when the job was seen terminal
	Updated     time.Time `json:"updatedAt,omitzero"` // last write
}

// Ledger reads and writes entries in a store.
type Ledger struct {
	Store Store
}

// Put writes e, replacing any earlier version.
func (l *Ledger) Put(ctx context.Context, e Entry) error {
	body, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode ledger entry %s: %w", e.JobName, err)
	}
	key := layout.LedgerKey(e.RunID, e.JobName)
	if err := l.Store.Put(ctx, key, bytes.NewReader(body)); err != nil {
		return fmt.Errorf("write ledger entry %s: %w", key, err)
	}
	return nil
}

// Get reads the entry of jobName in run runID. A missing entry is an error wrapping
// fs.ErrNotExist: the job is not the pipeline's, or not yet recorded.
func (l *Ledger) Get(ctx context.Context, runID, jobName string) (Entry, error) {
	key := layout.LedgerKey(runID, jobName)
	rc, err := l.Store.Get(ctx, key)
	if err != nil {
		return Entry{}, fmt.Errorf("read ledger entry %s: %w", key, err)
	}
	defer rc.Close()
	var e Entry
	if err := json.NewDecoder(rc).Decode(&e); err != nil {
		return Entry{}, fmt.Errorf("decode ledger entry %s: %w", key, err)
	}
	return e, nil
}

// Latest returns the entry of the highest attempt at a chunk, and false when no job was ever
// recorded for it.
func (l *Ledger) Latest(ctx context.Context, runID string, round, chunk int) (Entry, bool, error) {
	entries, err := l.Attempts(ctx, runID, round, chunk)
	if err != nil || len(entries) == 0 {
		return Entry{}, false, err
	}
	return entries[len(entries)-1], true, nil
}

// Attempts returns every recorded attempt at a chunk, in attempt order.
func (l *Ledger) Attempts(ctx context.Context, runID string, round, chunk int) ([]Entry, error) {
	// Job names of one chunk share everything but the attempt number.
	stem := strings.TrimSuffix(layout.JobName(runID, round, chunk, 0), "0")
	keys, err := l.Store.List(ctx, layout.LedgerPrefix(runID)+stem)
	if err != nil {
		return nil, fmt.Errorf("list ledger of %s: %w", stem, err)
	}
	var out []Entry
	for _, key := range keys {
		name := strings.TrimSuffix(strings.TrimPrefix(key, layout.LedgerPrefix(runID)), ".json")
		ref, ok := layout.ParseJobName(name)
		if !ok || ref.Round != round || ref.Chunk != chunk {
			continue
		}
		e, err := l.Get(ctx, runID, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	sortByAttempt(out)
	return out, nil
}

// All returns every entry of a run, ordered by round, chunk and attempt.
func (l *Ledger) All(ctx context.Context, runID string) ([]Entry, error) {
	keys, err := l.Store.List(ctx, layout.LedgerPrefix(runID))
	if err != nil {
		return nil, fmt.Errorf("list ledger of run %s: %w", runID, err)
	}
	var out []Entry
	for _, key := range keys {
		name := strings.TrimSuffix(strings.TrimPrefix(key, layout.LedgerPrefix(runID)), ".json")
		if _, ok := layout.ParseJobName(name); !ok {
			continue
		}
		e, err := l.Get(ctx, runID, name)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	sortByAttempt(out)
	return out, nil
}

func sortByAttempt(es []Entry) {
	less := func(a, b Entry) bool {
		if a.Round != b.Round {
			return a.Round < b.Round
		}
		if a.Chunk != b.Chunk {
			return a.Chunk < b.Chunk
		}
		return a.Attempt < b.Attempt
	}
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && less(es[j], es[j-1]); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}
