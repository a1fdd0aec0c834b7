package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/dirstore"
	"github.com/bedrock-batch/bedrock-batch/internal/model"
	"github.com/bedrock-batch/bedrock-batch/internal/reconcile"
)

const (
	chunkPrefix = "runs/r1/r1/c00001/"
	outPrefix   = "runs/r1/r1/c00001/out/k3m9q2x7p1ab/"
)

// writeChunk writes input.jsonl and records.jsonl for records with the given pipeline ids; the
// user's recordId of id x is "user-x" and its line is its position.
func writeChunk(t testing.TB, s *dirstore.Store, ids []string) {
	t.Helper()
	var in, side strings.Builder
	for i, id := range ids {
		fmt.Fprintf(&in, `{"recordId":%q,"modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":64,"messages":[{"role":"user","content":"question %d"}]}}`+"\n", id, i+1)
		fmt.Fprintf(&side, `{"id":%q,"recordId":"user-%s","line":%d,"source":0}`+"\n", id, id, i+1)
	}
	put(t, s, chunkPrefix+reconcile.InputFile, in.String())
	put(t, s, chunkPrefix+reconcile.RecordsFile, side.String())
}

func put(t testing.TB, s *dirstore.Store, key, body string) {
	t.Helper()
	if err := s.Put(context.Background(), key, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
}

func success(id string, in, out int) string {
	return fmt.Sprintf(`{"recordId":%q,"modelInput":{"messages":[]},"modelOutput":{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"answer %s"}],"stop_reason":"end_turn","usage":{"input_tokens":%d,"output_tokens":%d}}}`, id, id, in, out)
}

func failure(id, code, msg string) string {
	return fmt.Sprintf(`{"recordId":%q,"modelInput":{"messages":[]},"error":{"errorCode":%s,"errorMessage":%q}}`, id, code, msg)
}

// seen collects what the sink got and fails the test on a record handed over twice.
type seen struct {
	t        *testing.T
	outcomes map[string]reconcile.Outcome
	records  map[string]string // id -> user recordId
	inputs   map[string]string
	outputs  map[string]string
	errs     map[string]reconcile.RecordError
}

func newSeen(t *testing.T) *seen {
	return &seen{t: t, outcomes: map[string]reconcile.Outcome{}, records: map[string]string{},
		inputs: map[string]string{}, outputs: map[string]string{}, errs: map[string]reconcile.RecordError{}}
}

func (s *seen) sink(r *reconcile.Record) error {
	if _, dup := s.outcomes[r.ID]; dup {
		s.t.Errorf("record %s handed to the sink twice", r.ID)
	}
	s.outcomes[r.ID] = r.Outcome
	s.records[r.ID] = r.RecordID
	if r.Outcome == reconcile.Succeeded {
		s.outputs[r.ID] = string(r.ModelOutput)
		if r.ModelInput != nil || r.Error != nil {
			s.t.Errorf("success %s carries input or error", r.ID)
		}
	} else {
		s.inputs[r.ID] = string(r.ModelInput)
		if r.ModelOutput != nil {
			s.t.Errorf("non-success %s carries output", r.ID)
		}
		if (r.Error == nil) != (r.Outcome == reconcile.Missing) {
			s.t.Errorf("record %s: outcome %s with error %v", r.ID, r.Outcome, r.Error)
		}
		if r.Error != nil {
			s.errs[r.ID] = *r.Error
		}
	}
	return nil
}

func (s *seen) byOutcome() map[reconcile.Outcome][]string {
	out := map[reconcile.Outcome][]string{}
	for _, id := range slices.Sorted(maps.Keys(s.outcomes)) {
		out[s.outcomes[id]] = append(out[s.outcomes[id]], id)
	}
	return out
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("r%d", i+1)
	}
	return out
}

func TestReconcile(t *testing.T) {
	const manifest = `{"totalRecordCount":6,"processedRecordCount":6,"successRecordCount":4,"errorRecordCount":2,"inputTokenCount":999,"outputTokenCount":111}`
	cases := []struct {
		name   string
		status string
		family model.Family
		files  map[string]string // key under outPrefix -> body
		noJob  bool
		want   map[reconcile.Outcome][]string
		check  func(t *testing.T, sum reconcile.Summary, got *seen)
	}{
		{
			name: "completed, out of order, one output file", status: reconcile.StatusCompleted, family: model.Claude,
			files: map[string]string{
				"input.jsonl.out": strings.Join([]string{success("r3", 10, 1), success("r1", 20, 2), success("r6", 30, 3),
					success("r2", 40, 4), success("r5", 50, 5), success("r4", 60, 6)}, "\n") + "\n",
				"manifest.json.out": manifest,
			},
			want: map[reconcile.Outcome][]string{reconcile.Succeeded: ids(6)},
			check: func(t *testing.T, sum reconcile.Summary, got *seen) {
				if sum.Tokens != (model.Usage{InputTokens: 210, OutputTokens: 21}) || sum.TokenSource != reconcile.TokensFromRecords {
					t.Errorf("tokens %+v from %s, want 210/21 from records", sum.Tokens, sum.TokenSource)
				}
				if sum.Manifest == nil || sum.Manifest.SuccessRecordCount != 4 {
					t.Errorf("manifest = %+v", sum.Manifest)
				}
				if !slices.Equal(sum.OutputFiles, []string{outPrefix + "input.jsonl.out"}) {
					t.Errorf("output files = %q", sum.OutputFiles)
				}
				if got.records["r4"] != "user-r4" || !strings.Contains(got.outputs["r4"], "answer r4") {
					t.Errorf("r4 joined to %q with output %s", got.records["r4"], got.outputs["r4"])
				}
			},
		},
		{
			name: "errors, duplicates, unexpected, blank and malformed lines", status: reconcile.StatusCompleted, family: model.Claude,
			files: map[string]string{
				"a.jsonl.out": strings.Join([]string{
					failure("r1", "400", "Malformed input request: #: required key [messages] not found"),
					failure("r2", `"429"`, "Too many requests"),
					"",
					failure("r3", `"ThrottlingException"`, "slow down"),
					success("r3", 5, 5), // a success replaces an earlier error
					success("r4", 7, 1),
					failure("r4", "500", "late error after success"), // first success wins
					success("r4", 100, 100),                          // duplicate success ignored
					"   \t",
					`{"recordId":"r5","modelOutput":{"content":[`, // malformed: r5 stays missing
					success("zz9", 1, 1),                          // never sent
					`not json at all`,
				}, "\r\n") + "\r\n",
				"b.jsonl.out": failure("r6", `"ModelTimeoutException"`, "") + "\n" + failure("r6", "400", "second error ignored") + "\n",
				"readme.txt":  "ignored: not an .out file",
			},
			want: map[reconcile.Outcome][]string{
				reconcile.Succeeded:       {"r3", "r4"},
				reconcile.FailedPermanent: {"r1"},
				reconcile.FailedRetryable: {"r2", "r6"},
				reconcile.Missing:         {"r5"},
			},
			check: func(t *testing.T, sum reconcile.Summary, got *seen) {
				if sum.Duplicates != 4 || sum.Unexpected != 1 || sum.Malformed != 2 || sum.Blank != 2 {
					t.Errorf("duplicates %d unexpected %d malformed %d blank %d, want 4 1 2 2", sum.Duplicates, sum.Unexpected, sum.Malformed, sum.Blank)
				}
				if sum.Tokens != (model.Usage{InputTokens: 12, OutputTokens: 6}) {
					t.Errorf("tokens = %+v, want first successes only (12/6)", sum.Tokens)
				}
				if e := got.errs["r1"]; e.Code != "400" || !strings.HasPrefix(e.Message, "Malformed") {
					t.Errorf("r1 error = %+v", e)
				}
				if e := got.errs["r6"]; e.Code != "ModelTimeoutException" {
					t.Errorf("r6 error = %+v, want the first error", e)
				}
				if !strings.Contains(got.inputs["r5"], `"question 5"`) {
					t.Errorf("missing r5 carries input %s", got.inputs["r5"])
				}
				if len(sum.Problems) != 3 || !strings.Contains(sum.Problems[0], "a.jsonl.out line 10") {
					t.Errorf("problems = %q", sum.Problems)
				}
				for _, p := range sum.Problems {
					if strings.Contains(p, "not json at all") {
						t.Errorf("problem quotes the line: %q", p)
					}
				}
			},
		},
		{
			name: "failed job with no outputs", status: reconcile.StatusFailed, family: model.Claude,
			files: map[string]string{},
			want:  map[reconcile.Outcome][]string{reconcile.Missing: ids(6)},
			check: func(t *testing.T, sum reconcile.Summary, got *seen) {
				if sum.Retry() != 6 || len(sum.OutputFiles) != 0 || sum.Manifest != nil {
					t.Errorf("summary = %+v", sum)
				}
			},
		},
		{
			name: "no job ran", status: reconcile.StatusFailed, family: model.Nova, noJob: true,
			want: map[reconcile.Outcome][]string{reconcile.Missing: ids(6)},
		},
		{
			name: "stopped job with some outputs", status: reconcile.StatusStopped, family: model.Claude,
			files: map[string]string{"input.jsonl.out": success("r2", 1, 1) + "\n" + success("r5", 1, 1)},
			want: map[reconcile.Outcome][]string{
				reconcile.Succeeded: {"r2", "r5"},
				reconcile.Missing:   {"r1", "r3", "r4", "r6"},
			},
		},
		{
			name: "expired job", status: reconcile.StatusExpired, family: model.Claude,
			want: map[reconcile.Outcome][]string{reconcile.Missing: ids(6)},
		},
		{
			name: "partially completed across nested files", status: reconcile.StatusPartiallyCompleted, family: model.Claude,
			files: map[string]string{
				"part1.jsonl.out":        success("r1", 1, 1) + "\n" + success("r2", 1, 1),
				"nested/part2.jsonl.out": success("r3", 1, 1),
				"manifest.json.out":      manifest,
			},
			want: map[reconcile.Outcome][]string{
				reconcile.Succeeded: {"r1", "r2", "r3"},
				reconcile.Missing:   {"r4", "r5", "r6"},
			},
			check: func(t *testing.T, sum reconcile.Summary, got *seen) {
				if len(sum.OutputFiles) != 2 {
					t.Errorf("output files = %q", sum.OutputFiles)
				}
			},
		},
		{
			name: "mistral uses manifest totals", status: reconcile.StatusCompleted, family: model.Mistral,
			files: map[string]string{
				"input.jsonl.out":   `{"recordId":"r1","modelOutput":{"outputs":[{"text":"x","stop_reason":"stop"}]}}`,
				"manifest.json.out": manifest,
			},
			want: map[reconcile.Outcome][]string{reconcile.Succeeded: {"r1"}, reconcile.Missing: {"r2", "r3", "r4", "r5", "r6"}},
			check: func(t *testing.T, sum reconcile.Summary, got *seen) {
				if sum.Tokens != (model.Usage{InputTokens: 999, OutputTokens: 111}) || sum.TokenSource != reconcile.TokensFromManifest {
					t.Errorf("tokens %+v from %s, want manifest totals", sum.Tokens, sum.TokenSource)
				}
			},
		},
		{
			name: "cohere without manifest", status: reconcile.StatusCompleted, family: model.CohereEmbed,
			files: map[string]string{"input.jsonl.out": `{"recordId":"r1","modelOutput":{"embeddings":[[0.1]]}}`},
			want:  map[reconcile.Outcome][]string{reconcile.Succeeded: {"r1"}, reconcile.Missing: {"r2", "r3", "r4", "r5", "r6"}},
			check: func(t *testing.T, sum reconcile.Summary, got *seen) {
				if sum.TokenSource != reconcile.TokensPartial || sum.WithoutUsage != 1 {
					t.Errorf("token source %s, without usage %d", sum.TokenSource, sum.WithoutUsage)
				}
			},
		},
		{
			name: "broken manifest is a problem, not a crash", status: reconcile.StatusCompleted, family: model.Claude,
			files: map[string]string{"manifest.json.out": `{"totalRecordCount":`},
			want:  map[reconcile.Outcome][]string{reconcile.Missing: ids(6)},
			check: func(t *testing.T, sum reconcile.Summary, got *seen) {
				if sum.Manifest != nil || len(sum.Problems) != 1 {
					t.Errorf("manifest %+v problems %q", sum.Manifest, sum.Problems)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := dirstore.New(t.TempDir())
			writeChunk(t, store, ids(6))
			for k, body := range c.files {
				put(t, store, outPrefix+k, body)
			}
			job := reconcile.Job{ChunkPrefix: chunkPrefix, OutputPrefix: outPrefix, Status: c.status, Family: c.family}
			if c.noJob {
				job.OutputPrefix = ""
			}
			got := newSeen(t)
			sum, err := reconcile.Reconcile(context.Background(), store, job, got.sink)
			if err != nil {
				t.Fatal(err)
			}
			if o := got.byOutcome(); !maps.EqualFunc(o, c.want, slices.Equal) {
				t.Errorf("outcomes = %v, want %v", o, c.want)
			}
			if sum.Records != 6 || sum.Succeeded+sum.FailedRetryable+sum.FailedPermanent+sum.Missing != 6 {
				t.Errorf("counts do not add up: %+v", sum)
			}
			for o, want := range map[reconcile.Outcome]int{reconcile.Succeeded: sum.Succeeded, reconcile.FailedRetryable: sum.FailedRetryable,
				reconcile.FailedPermanent: sum.FailedPermanent, reconcile.Missing: sum.Missing} {
				if len(c.want[o]) != want {
					t.Errorf("summary counts %d %s, want %d", want, o, len(c.want[o]))
				}
			}
			if c.check != nil {
				c.check(t, sum, got)
			}
		})
	}
}

func TestReconcileErrors(t *testing.T) {
	sinkErr := errors.New("disk full")
	cases := []struct {
		name   string
		setup  func(s *dirstore.Store)
		status string
		family model.Family
		sink   reconcile.Sink
		want   error
	}{
		{"running job", func(s *dirstore.Store) {}, "InProgress", model.Claude, nil, reconcile.ErrNotTerminal},
		{"unknown family", func(s *dirstore.Store) {}, reconcile.StatusCompleted, "gpt", nil, model.ErrUnknownModel},
		{"no sidecar", func(s *dirstore.Store) {}, reconcile.StatusCompleted, model.Claude, nil, reconcile.ErrCorruptChunk},
		{"sidecar not json", func(s *dirstore.Store) {
			writeChunk(t, s, ids(2))
			put(t, s, chunkPrefix+reconcile.RecordsFile, "{\"id\":\"r1\"}\nnope\n")
		}, reconcile.StatusCompleted, model.Claude, nil, reconcile.ErrCorruptChunk},
		{"sidecar duplicate id", func(s *dirstore.Store) {
			writeChunk(t, s, ids(2))
			put(t, s, chunkPrefix+reconcile.RecordsFile, "{\"id\":\"r1\"}\n{\"id\":\"r1\"}\n")
		}, reconcile.StatusCompleted, model.Claude, nil, reconcile.ErrCorruptChunk},
		{"input out of step with sidecar", func(s *dirstore.Store) {
			writeChunk(t, s, ids(2))
			put(t, s, chunkPrefix+reconcile.InputFile, `{"recordId":"r2","modelInput":{}}`+"\n"+`{"recordId":"r1","modelInput":{}}`+"\n")
		}, reconcile.StatusFailed, model.Claude, nil, reconcile.ErrCorruptChunk},
		{"input shorter than sidecar", func(s *dirstore.Store) {
			writeChunk(t, s, ids(2))
			put(t, s, chunkPrefix+reconcile.InputFile, `{"recordId":"r1","modelInput":{}}`+"\n")
		}, reconcile.StatusFailed, model.Claude, nil, reconcile.ErrCorruptChunk},
		{"input longer than sidecar", func(s *dirstore.Store) {
			writeChunk(t, s, ids(1))
			put(t, s, chunkPrefix+reconcile.InputFile, `{"recordId":"r1","modelInput":{}}`+"\n"+`{"recordId":"r2","modelInput":{}}`+"\n")
		}, reconcile.StatusFailed, model.Claude, nil, reconcile.ErrCorruptChunk},
		{"sink error on success", func(s *dirstore.Store) {
			writeChunk(t, s, ids(2))
			put(t, s, outPrefix+"x.jsonl.out", success("r1", 1, 1))
		}, reconcile.StatusCompleted, model.Claude, func(*reconcile.Record) error { return sinkErr }, sinkErr},
		{"sink error on missing", func(s *dirstore.Store) { writeChunk(t, s, ids(2)) },
			reconcile.StatusExpired, model.Claude, func(*reconcile.Record) error { return sinkErr }, sinkErr},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := dirstore.New(t.TempDir())
			c.setup(store)
			sink := c.sink
			if sink == nil {
				sink = func(*reconcile.Record) error { return nil }
			}
			_, err := reconcile.Reconcile(context.Background(), store,
				reconcile.Job{ChunkPrefix: chunkPrefix, OutputPrefix: outPrefix, Status: c.status, Family: c.family}, sink)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestOutcome(t *testing.T) {
	cases := []struct {
		o     reconcile.Outcome
		name  string
		retry bool
	}{
		{reconcile.Succeeded, "succeeded", false},
		{reconcile.FailedRetryable, "failed-retryable", true},
		{reconcile.FailedPermanent, "failed-permanent", false},
		{reconcile.Missing, "missing", true},
	}
	for _, c := range cases {
		if c.o.String() != c.name || c.o.Retry() != c.retry {
			t.Errorf("%d: %s retry %v, want %s %v", c.o, c.o, c.o.Retry(), c.name, c.retry)
		}
	}
}

func TestReconcileTokensPerFamily(t *testing.T) {
	cases := []struct {
		family model.Family
		output string
		want   model.Usage
	}{
		{model.Claude, `{"content":[{"type":"text","text":"x"}],"usage":{"input_tokens":11,"output_tokens":2}}`, model.Usage{InputTokens: 11, OutputTokens: 2}},
		{model.Nova, `{"output":{"message":{"role":"assistant","content":[{"text":"x"}]}},"stopReason":"end_turn","usage":{"inputTokens":5,"outputTokens":3,"totalTokens":8}}`, model.Usage{InputTokens: 5, OutputTokens: 3}},
		{model.Converse, `{"output":{"message":{"role":"assistant","content":[{"text":"x"}]}},"usage":{"inputTokens":6,"outputTokens":4,"totalTokens":10},"metrics":{"latencyMs":120}}`, model.Usage{InputTokens: 6, OutputTokens: 4}},
		{model.TitanEmbed, `{"embedding":[0.1,0.2,0.3],"embeddingsByType":{"float":[0.1,0.2,0.3]},"inputTextTokenCount":9}`, model.Usage{InputTokens: 9}},
		{model.TitanText, `{"inputTextTokenCount":4,"results":[{"tokenCount":7,"outputText":"y","completionReason":"FINISH"}]}`, model.Usage{InputTokens: 4, OutputTokens: 7}},
		{model.Llama, `{"generation":"y","prompt_token_count":8,"generation_token_count":5,"stop_reason":"stop"}`, model.Usage{InputTokens: 8, OutputTokens: 5}},
		{model.Auto, `{"content":[{"type":"text","text":"x"}],"usage":{"input_tokens":12,"output_tokens":1}}`, model.Usage{InputTokens: 12, OutputTokens: 1}},
	}
	for _, c := range cases {
		t.Run(string(c.family), func(t *testing.T) {
			store := dirstore.New(t.TempDir())
			writeChunk(t, store, ids(2))
			put(t, store, outPrefix+"input.jsonl.out", fmt.Sprintf(`{"recordId":"r1","modelOutput":%s}`+"\n"+`{"recordId":"r2","modelOutput":%s}`+"\n", c.output, c.output))
			var perRecord []model.Usage
			sum, err := reconcile.Reconcile(context.Background(), store,
				reconcile.Job{ChunkPrefix: chunkPrefix, OutputPrefix: outPrefix, Status: reconcile.StatusCompleted, Family: c.family},
				func(r *reconcile.Record) error {
					if !r.HasUsage {
						t.Errorf("record %s has no usage", r.ID)
					}
					perRecord = append(perRecord, r.Usage)
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Tokens != c.want.Add(c.want) || sum.TokenSource != reconcile.TokensFromRecords || sum.WithoutUsage != 0 {
				t.Fatalf("tokens %+v from %s (%d without usage), want twice %+v from records", sum.Tokens, sum.TokenSource, sum.WithoutUsage, c.want)
			}
			if len(perRecord) != 2 || perRecord[0] != c.want {
				t.Fatalf("per-record usage = %+v", perRecord)
			}
		})
	}
}

func TestReconcilePrefixesWithoutSlash(t *testing.T) {
	store := dirstore.New(t.TempDir())
	writeChunk(t, store, ids(2))
	put(t, store, outPrefix+"input.jsonl.out", success("r1", 1, 1)+"\n")
	// A sibling job folder whose name extends this one's must not be read.
	put(t, store, strings.TrimSuffix(outPrefix, "/")+"x/input.jsonl.out", success("r2", 1, 1)+"\n")
	got := newSeen(t)
	sum, err := reconcile.Reconcile(context.Background(), store, reconcile.Job{ChunkPrefix: strings.TrimSuffix(chunkPrefix, "/"),
		OutputPrefix: strings.TrimSuffix(outPrefix, "/"), Status: reconcile.StatusCompleted, Family: model.Claude}, got.sink)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Succeeded != 1 || sum.Missing != 1 || len(sum.OutputFiles) != 1 {
		t.Fatalf("summary = %+v", sum)
	}
}

func TestReconcileCancelled(t *testing.T) {
	store := dirstore.New(t.TempDir())
	writeChunk(t, store, ids(3000))
	var lines []string
	for _, id := range ids(3000) {
		lines = append(lines, success(id, 1, 1))
	}
	put(t, store, outPrefix+"input.jsonl.out", strings.Join(lines, "\n"))
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := reconcile.Reconcile(ctx, store, reconcile.Job{ChunkPrefix: chunkPrefix, OutputPrefix: outPrefix,
		Status: reconcile.StatusCompleted, Family: model.Claude}, func(*reconcile.Record) error {
		if n++; n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n >= 3000 {
		t.Fatalf("err = %v after %d records, want context.Canceled before the end", err, n)
	}
}
