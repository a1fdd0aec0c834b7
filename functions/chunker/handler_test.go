package chunker

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/dataset"
	"github.com/bedrock-batch/bedrock-batch/internal/dirstore"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/round"
	"github.com/bedrock-batch/bedrock-batch/internal/run"
	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

// collector records the Collect call the handler makes when no source fills a job.
type collector struct{ got *run.Request }

func (c *collector) Collect(_ context.Context, req run.Request) (run.Plan, error) {
	c.got = &req
	return run.Plan{Round: 1, Tail: 30}, nil
}

func records(n int, prefix string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"recordId":"%s-%d","modelInput":{"messages":[{"role":"user","content":"ticket %d"}]}}`+"\n", prefix, i, i)
	}
	return b.String()
}

func setup(t *testing.T, objects map[string][]byte) (*Handler, *dirstore.Store, *collector) {
	t.Helper()
	store := dirstore.New(t.TempDir())
	for key, body := range objects {
		if err := store.Put(context.Background(), key, bytes.NewReader(body)); err != nil {
			t.Fatal(err)
		}
	}
	p := profile.Profile{Name: "claude", ModelID: "anthropic.claude-3-5-haiku-20241022-v1:0", MinRecords: 100, MaxRecords: 200}.Normalize()
	c := &collector{}
	return &Handler{Store: store, Rounds: c, Profiles: profile.Set{"claude": p}, Log: slog.New(slog.DiscardHandler)}, store, c
}

func request(keys ...string) run.Request {
	req := run.Request{RunID: "run-1", Bucket: "bucket", Profile: "claude"}
	for _, k := range keys {
		req.Sources = append(req.Sources, layout.Source{Key: k})
	}
	return req
}

// TestHandleChunksAndCarries: a source big enough for jobs is split into balanced chunks; a
// small one is carried into round 1's collection.
func TestHandleChunksAndCarries(t *testing.T) {
	h, store, c := setup(t, map[string][]byte{
		"inbox/claude/big.jsonl":   []byte(records(250, "big")),
		"inbox/claude/small.jsonl": []byte(records(30, "small")),
	})
	ctx := context.Background()
	plan, err := h.Handle(ctx, request("inbox/claude/big.jsonl", "inbox/claude/small.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if plan.Round != 1 || plan.Chunks != 2 || c.got != nil {
		t.Fatalf("plan %+v (collect called: %v), want round 1 with 2 chunks", plan, c.got != nil)
	}
	var refs []run.ChunkRef
	if found, err := round.ReadJSON(ctx, store, plan.ManifestKey, &refs); !found || err != nil {
		t.Fatalf("manifest %s: found %v, %v", plan.ManifestKey, found, err)
	}
	if len(refs) != 2 || refs[0].Records != 125 || refs[1].Records != 125 || !strings.HasPrefix(refs[0].Prefix, layout.SourcePrefix("run-1", 0)) {
		t.Errorf("chunks %+v, want 125 + 125 records under source 0", refs)
	}
	var carry round.Carry
	if found, err := round.ReadJSON(ctx, store, round.CarryKey("run-1"), &carry); !found || err != nil {
		t.Fatalf("carry: found %v, %v", found, err)
	}
	if carry.Records != 30 || len(carry.Prefixes) != 1 || !strings.HasPrefix(carry.Prefixes[0], layout.SourcePrefix("run-1", 1)) {
		t.Errorf("carry %+v, want the 30 records of source 1", carry)
	}
}

// TestHandleOnlySmallSources: with no chunk at all, round 1's plan is the collection's.
func TestHandleOnlySmallSources(t *testing.T) {
	h, _, c := setup(t, map[string][]byte{"inbox/claude/small.jsonl": []byte(records(30, "s"))})
	plan, err := h.Handle(context.Background(), request("inbox/claude/small.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if c.got == nil || c.got.Round != 1 || c.got.RunID != "run-1" || plan.Tail != 30 {
		t.Errorf("plan %+v, collect request %+v; want the collector's plan for round 1", plan, c.got)
	}
}

// TestHandleErrors: what retrying cannot fix is InvalidInputError, the rest TransientError.
func TestHandleErrors(t *testing.T) {
	var truncated bytes.Buffer
	zw := gzip.NewWriter(&truncated)
	zw.Write([]byte(records(150, "z")))
	zw.Close()
	cut := truncated.Bytes()[:truncated.Len()/2]
	tests := []struct {
		name    string
		req     run.Request
		objects map[string][]byte
		invalid bool
	}{
		{"unknown profile", run.Request{RunID: "run-1", Profile: "nope", Sources: []layout.Source{{Key: "a"}}}, nil, true},
		{"no sources", request(), nil, true},
		{"source gone", request("inbox/claude/gone.jsonl"), nil, true},
		{"not gzip after the magic bytes", request("inbox/claude/bad.jsonl.gz"), map[string][]byte{"inbox/claude/bad.jsonl.gz": []byte("\x1f\x8bnot gzip at all")}, true},
		{"gzip cut short: maybe a broken download", request("inbox/claude/cut.jsonl.gz"), map[string][]byte{"inbox/claude/cut.jsonl.gz": cut}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _, _ := setup(t, tc.objects)
			_, err := h.Handle(context.Background(), tc.req)
			var invalid *taskerr.InvalidInputError
			var transient *taskerr.TransientError
			if err == nil || errors.As(err, &invalid) != tc.invalid || errors.As(err, &transient) == tc.invalid {
				t.Errorf("error %v (%T); want invalid input %v, else transient", err, err, tc.invalid)
			}
		})
	}
}

// TestClassify covers the errors that only a changing source or a faulty store produce.
func TestClassify(t *testing.T) {
	var invalid *taskerr.InvalidInputError
	if err := classify("k", fmt.Errorf("second pass: %w", dataset.ErrSourceChanged)); !errors.As(err, &invalid) {
		t.Errorf("a source that changed between passes: %v, want InvalidInputError", err)
	}
	var transient *taskerr.TransientError
	if err := classify("k", io.ErrUnexpectedEOF); !errors.As(err, &transient) || !strings.Contains(err.Error(), "chunk k") {
		t.Errorf("a read cut short: %v, want a transient error naming the key", err)
	}
}
