package submit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"

	"github.com/bedrock-batch/bedrock-batch/internal/bedrockemu"
	"github.com/bedrock-batch/bedrock-batch/internal/bedrockjobs"
	"github.com/bedrock-batch/bedrock-batch/internal/emulate"
	"github.com/bedrock-batch/bedrock-batch/internal/faults"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/ledger"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/run"
	"github.com/bedrock-batch/bedrock-batch/internal/s3store"
	"github.com/bedrock-batch/bedrock-batch/internal/stepfn"
	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

const (
	bucket = "pipeline"
	runID  = "tickets-0123456789ab"
	model  = "anthropic.claude-3-5-haiku-20241022-v1:0"
)

// tasks records the answers sent on task tokens, honouring Step Functions' contract that a token
// is answered once: a second answer is ErrTokenClosed.
type tasks struct {
	mu      sync.Mutex
	answers map[string]string // token -> "success:<status>" | "failure:<name>" | "heartbeat"
	closed  map[string]bool
}

func (f *tasks) answer(token, what string, closes bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed[token] {
		return fmt.Errorf("answer %s: %w", token, stepfn.ErrTokenClosed)
	}
	f.answers[token] = what
	if closes {
		f.closed[token] = true
	}
	return nil
}

func (f *tasks) Succeed(_ context.Context, token string, out any) error {
	return f.answer(token, "success:"+out.(Result).Status, true)
}
func (f *tasks) Fail(_ context.Context, token, name, _ string) error {
	return f.answer(token, "failure:"+name, true)
}
func (f *tasks) Heartbeat(_ context.Context, token string) error {
	return f.answer(token, "heartbeat", false)
}
func (f *tasks) get(token string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.answers[token]
}

type fixture struct {
	p     *Protocol
	emu   *bedrockemu.Emulator
	brc   *bedrock.Client
	tasks *tasks
	store *s3store.Store
}

func newFixture(t *testing.T, spec faults.Spec) *fixture {
	t.Helper()
	em, err := emulate.Start(emulate.Config{Bucket: bucket, Faults: spec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Close)
	brc := em.BedrockClient(func(o *bedrock.Options) {
		o.Retryer = retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 1; o.RateLimiter = ratelimit.None })
	})
	store := s3store.New(em.S3Client(), bucket)
	f := &fixture{emu: em.Bedrock, brc: brc, store: store, tasks: &tasks{answers: map[string]string{}, closed: map[string]bool{}}}
	f.p = &Protocol{
		Ledger:   &ledger.Ledger{Store: store},
		Jobs:     &bedrockjobs.Client{API: brc},
		Tasks:    f.tasks,
		Profiles: profile.Set{"claude": profile.Profile{Name: "claude", ModelID: model}.Normalize()},
		RoleARN:  "arn:aws:iam::123456789012:role/BedrockBatch",
		Now:      time.Now,
		Log:      slog.New(slog.DiscardHandler),
	}
	return f
}

// putChunk writes a chunk input of n Claude records.
func (f *fixture) putChunk(t *testing.T, round, chunk, n int) {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"recordId":"r%d","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":32,"messages":[{"role":"user","content":"ticket %d"}]}}`+"\n", i, i)
	}
	if err := f.store.Put(context.Background(), layout.ChunkPrefix(runID, round, chunk)+layout.ChunkInputFile, strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) jobs(t *testing.T) []bedrockjobs.Job {
	t.Helper()
	jobs, err := (&bedrockjobs.Client{API: f.brc}).ListByName(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

func (f *fixture) wait(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.emu.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}

func request(token string, round, chunk int) Request {
	return Request{TaskToken: token, RunID: runID, Bucket: bucket, Profile: "claude", Round: round, Chunk: run.ChunkRef{Index: chunk, Prefix: layout.ChunkPrefix(runID, round, chunk), Records: 150}}
}

func TestSubmitThenEventWakesTask(t *testing.T) {
	f := newFixture(t, faults.Spec{})
	ctx := context.Background()
	f.putChunk(t, 1, 1, 150)
	if err := f.p.Submit(ctx, request("tok1", 1, 1)); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	f.wait(t)
	name := layout.JobName(runID, 1, 1, 1)
	jobs := f.jobs(t)
	if len(jobs) != 1 || jobs[0].Name != name {
		t.Fatalf("jobs = %+v, want one named %s", jobs, name)
	}
	if err := f.p.OnJobStateChange(ctx, name, jobs[0].ARN); err != nil {
		t.Fatalf("OnJobStateChange: %v", err)
	}
	if got := f.tasks.get("tok1"); got != "success:Completed" {
		t.Fatalf("token answer = %q, want success:Completed", got)
	}
	// A duplicated event finds the token closed: not an error.
	if err := f.p.OnJobStateChange(ctx, name, jobs[0].ARN); err != nil {
		t.Fatalf("duplicate event: %v", err)
	}
}

func TestResubmitIsThePoll(t *testing.T) {
	f := newFixture(t, faults.Spec{})
	ctx := context.Background()
	f.putChunk(t, 1, 2, 150)
	if err := f.p.Submit(ctx, request("tok1", 1, 2)); err != nil {
		t.Fatal(err)
	}
	f.wait(t)
	// Every event was lost; the heartbeat timeout re-invokes the submitter with a new token.
	if err := f.p.Submit(ctx, request("tok2", 1, 2)); err != nil {
		t.Fatal(err)
	}
	if got := f.tasks.get("tok2"); got != "success:Completed" {
		t.Fatalf("poll answer = %q, want success:Completed", got)
	}
	if n := len(f.jobs(t)); n != 1 {
		t.Fatalf("%d jobs after a re-invocation, want 1", n)
	}
	e, ok, err := f.p.Ledger.Latest(ctx, runID, 1, 2)
	if err != nil || !ok || e.TaskToken != "tok2" || e.Status != "Completed" || e.EndedAt.IsZero() {
		t.Fatalf("ledger = %+v, %v, %v", e, ok, err)
	}
}

func TestHalfCreatedJobIsNotDuplicated(t *testing.T) {
	f := newFixture(t, faults.Spec{})
	ctx := context.Background()
	f.putChunk(t, 1, 3, 150)
	if err := f.p.Submit(ctx, request("tok1", 1, 3)); err != nil {
		t.Fatal(err)
	}
	// Simulate a crash after CreateModelInvocationJob but before the ARN reached the ledger.
	e, _, _ := f.p.Ledger.Latest(ctx, runID, 1, 3)
	e.JobARN = ""
	if err := f.p.Ledger.Put(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := f.p.Submit(ctx, request("tok2", 1, 3)); err != nil {
		t.Fatal(err)
	}
	f.wait(t)
	if n := len(f.jobs(t)); n != 1 {
		t.Fatalf("%d jobs, want 1: the job name is the idempotency token", n)
	}
}

func TestFailedJobIsRetriedAsNextAttemptThenGivenUp(t *testing.T) {
	f := newFixture(t, faults.Spec{})
	ctx := context.Background()
	f.putChunk(t, 1, 4, 20) // below Bedrock's minimum: every attempt fails validation
	for attempt := 1; attempt <= MaxJobAttempts; attempt++ {
		token := fmt.Sprintf("tok%d", attempt)
		// The job may already have failed when Submit checks it right after creating it; Submit
		// then fails its own invocation with JobFailedError, which the state machine retries.
		var failed *taskerr.JobFailedError
		if err := f.p.Submit(ctx, request(token, 1, 4)); err != nil && !(errors.As(err, &failed) && attempt < MaxJobAttempts) {
			t.Fatalf("attempt %d: Submit: %v", attempt, err)
		}
		f.wait(t)
		name := layout.JobName(runID, 1, 4, attempt)
		e, err := f.p.Ledger.Get(ctx, runID, name)
		if err != nil {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
		if err := f.p.OnJobStateChange(ctx, name, e.JobARN); err != nil {
			t.Fatal(err)
		}
		want := "failure:JobFailedError" // the state machine re-invokes the submitter
		if attempt == MaxJobAttempts {
			want = "success:Failed" // attempts spent: the chunk is reconciled as missing
		}
		if got := f.tasks.get(token); got != want {
			t.Fatalf("attempt %d: token answer %q, want %q", attempt, got, want)
		}
	}
	// A poll after the last attempt creates nothing new and answers the same.
	if err := f.p.Submit(ctx, request("poll", 1, 4)); err != nil {
		t.Fatal(err)
	}
	if got := f.tasks.get("poll"); got != "success:Failed" {
		t.Fatalf("poll answer %q", got)
	}
	jobs := f.jobs(t)
	if len(jobs) != MaxJobAttempts {
		t.Fatalf("%d jobs, want %d attempts", len(jobs), MaxJobAttempts)
	}
	for _, j := range jobs {
		if j.Status != "Failed" {
			t.Errorf("job %s is %s, want Failed", j.Name, j.Status)
		}
	}
}

func TestCreateErrorsAreClassified(t *testing.T) {
	tests := []struct {
		name  string
		spec  faults.Spec
		check func(error) bool
	}{
		{"throttle", faults.Spec{CreateThrottle: 1}, func(err error) bool { var e *taskerr.ThrottledError; return errors.As(err, &e) }},
		{"quota", faults.Spec{CreateQuota: 1}, func(err error) bool { var e *taskerr.QuotaExceededError; return errors.As(err, &e) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.spec)
			f.putChunk(t, 1, 1, 150)
			err := f.p.Submit(context.Background(), request("tok", 1, 1))
			if !tt.check(err) || !taskerr.Classified(err) {
				t.Fatalf("Submit = %T %v", err, err)
			}
		})
	}
}

func TestEventsForOtherJobsAreIgnored(t *testing.T) {
	f := newFixture(t, faults.Spec{})
	for _, name := range []string{"someone-elses-job", layout.JobName(runID, 1, 9, 1)} {
		if err := f.p.OnJobStateChange(context.Background(), name, "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
