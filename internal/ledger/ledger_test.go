package ledger

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/dirstore"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
)

func TestAttemptsAreInNumericOrder(t *testing.T) {
	ctx := context.Background()
	l := &Ledger{Store: dirstore.New(t.TempDir())}
	const run = "tickets-0123456789ab"
	// Attempt 10 sorts before attempt 2 as text; the ledger must not care.
	for _, a := range []int{2, 10, 1} {
		if err := l.Put(ctx, Entry{JobName: layout.JobName(run, 1, 3, a), RunID: run, Round: 1, Chunk: 3, Attempt: a}); err != nil {
			t.Fatal(err)
		}
	}
	// Another chunk whose name shares the prefix c0000 must not be mixed in.
	if err := l.Put(ctx, Entry{JobName: layout.JobName(run, 1, 30, 1), RunID: run, Round: 1, Chunk: 30, Attempt: 1}); err != nil {
		t.Fatal(err)
	}
	latest, ok, err := l.Latest(ctx, run, 1, 3)
	if err != nil || !ok || latest.Attempt != 10 {
		t.Fatalf("Latest = attempt %d, %v, %v; want 10", latest.Attempt, ok, err)
	}
	all, err := l.All(ctx, run)
	if err != nil || len(all) != 4 {
		t.Fatalf("All = %d entries, %v", len(all), err)
	}
	want := []int{1, 2, 10}
	for i, w := range want {
		if all[i].Chunk != 3 || all[i].Attempt != w {
			t.Fatalf("All[%d] = chunk %d attempt %d, want chunk 3 attempt %d", i, all[i].Chunk, all[i].Attempt, w)
		}
	}
	if _, ok, err := l.Latest(ctx, run, 2, 3); ok || err != nil {
		t.Fatalf("a chunk with no job: %v, %v", ok, err)
	}
	if _, err := l.Get(ctx, run, layout.JobName(run, 9, 9, 1)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get of a missing entry: %v, want fs.ErrNotExist", err)
	}
}
