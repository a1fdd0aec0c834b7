package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrock-batch/bedrock-batch/internal/asl"
	"github.com/bedrock-batch/bedrock-batch/internal/emulate"
	"github.com/bedrock-batch/bedrock-batch/internal/faults"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/report"
	"github.com/bedrock-batch/bedrock-batch/internal/round"
	runreq "github.com/bedrock-batch/bedrock-batch/internal/run"
)

const testModel = "anthropic.claude-3-5-haiku-20241022-v1:0"

// dataset writes n Claude records plus some lines the chunker must reject and a blank line, and
// returns the path and the numbers of the non-blank lines.
func dataset(t *testing.T, n int, seed uint64) (string, map[int64]bool) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	path := filepath.Join(t.TempDir(), "tickets.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	lines := map[int64]bool{}
	line := int64(0)
	emit := func(s string) {
		line++
		if strings.TrimSpace(s) != "" {
			lines[line] = true
		}
		fmt.Fprintln(w, s)
	}
	for i := range n {
		emit(fmt.Sprintf(`{"recordId":"ticket-%d","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":%d,"messages":[{"role":"user","content":"Classify ticket %d: my order %d arrived late"}]}}`, i, 16+r.IntN(64), i, r.IntN(100000)))
		switch i {
		case 3:
			emit(`{"recordId":"bad-1","modelInput":"not an object"}`)
		case 7:
			emit("")
		case 11:
			emit(`{"recordId":"ticket-5","modelInput":{}}`) // duplicate recordId
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return path, lines
}

func start(t *testing.T, spec faults.Spec, p profile.Profile) *Pipeline {
	t.Helper()
	p = p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	pl, err := Start(Config{
		Emulate:   emulate.Config{Faults: spec},
		Profiles:  profile.Set{p.Name: p},
		Clock:     asl.NewScaledClock(200),
		TailDelay: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pl.Close)
	return pl
}

// run drops the file and waits for the run's report.
func run(t *testing.T, pl *Pipeline, profileName, path string) (string, report.Report) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	runID, _, err := pl.Client().Drop(ctx, profileName, path)
	if err != nil {
		t.Fatal(err)
	}
	x, err := pl.Client().Wait(ctx, runID, 20*time.Millisecond, nil)
	if err != nil {
		t.Fatalf("run %s did not finish: %v", runID, err)
	}
	rep, err := pl.Client().Report(ctx, runID)
	if err != nil {
		t.Fatalf("run %s (%s %s %s) has no report: %v", runID, x.Status, x.Error, x.Cause, err)
	}
	return runID, rep
}

// checkConservation asserts that every non-blank input line is in exactly one of the answers,
// failed.jsonl or rejected.jsonl, exactly once, and that the report's numbers match the files.
func checkConservation(t *testing.T, pl *Pipeline, runID string, lines map[int64]bool, rep report.Report) {
	t.Helper()
	ctx := context.Background()
	seen := map[int64]string{}
	count := func(kind, key string) int64 {
		rc, err := pl.Store.Get(ctx, key)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		defer rc.Close()
		sc := bufio.NewScanner(rc)
		sc.Buffer(nil, 1<<20)
		var n int64
		for sc.Scan() {
			var rec struct {
				Line   int64 `json:"line"`
				Source int   `json:"source"`
			}
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if prev, dup := seen[rec.Line]; dup {
				t.Errorf("line %d is in %s and in %s", rec.Line, prev, kind)
			}
			if !lines[rec.Line] {
				t.Errorf("%s holds line %d, which is not a non-blank input line", kind, rec.Line)
			}
			seen[rec.Line] = kind
			n++
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var answered int64
	for _, part := range rep.Results.Parts {
		answered += count("answers", part)
	}
	failed := count("failed", layout.FailedKey(runID))
	rejected := count("rejected", layout.ResultRejectedKey(runID))
	for line := range lines {
		if _, ok := seen[line]; !ok {
			t.Errorf("line %d was lost: in no answer, failure or reject", line)
		}
	}
	r := rep.Records
	if r.Answered != answered || r.Failed != failed || r.Rejected != rejected || r.In != int64(len(lines)) || !r.Conserved {
		t.Errorf("report says %+v; files hold %d answered, %d failed, %d rejected of %d lines", r, answered, failed, rejected, len(lines))
	}
}

// checkOneJobPerAttempt asserts no chunk attempt ever got two Bedrock jobs.
func checkOneJobPerAttempt(t *testing.T, pl *Pipeline, runID string) {
	t.Helper()
	jobs, err := pl.Jobs.ListByName(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, j := range jobs {
		ref, ok := layout.ParseJobName(j.Name)
		if !ok {
			t.Errorf("job %s is not named by the pipeline", j.Name)
			continue
		}
		key := fmt.Sprintf("r%d-c%d-a%d", ref.Round, ref.Chunk, ref.Attempt)
		if seen[key] {
			t.Errorf("chunk attempt %s has two jobs", key)
		}
		seen[key] = true
	}
}

// testProfile polls a job every 60 state-machine seconds: 300 ms on the tests' 200x clock, well
// above a submitter invocation under -race, as 900 s is above one in AWS.
func testProfile() profile.Profile {
	return profile.Profile{Name: "claude", ModelID: testModel, MaxRecords: 200, PollSeconds: 60, MaxRounds: 3, MaxAttempts: 4}
}

func TestHappyPath(t *testing.T) {
	pl := start(t, faults.Spec{}, testProfile())
	completed := make(chan []byte, 1)
	pattern := []byte(`{"source":["bedrock-batch"],"detail-type":["Batch Run Completed"]}`)
	if err := pl.Emu.Bus.AddRule("RunCompleted", pattern, func(_ context.Context, ev []byte) error { completed <- ev; return nil }); err != nil {
		t.Fatal(err)
	}
	path, lines := dataset(t, 450, 1)
	runID, rep := run(t, pl, "claude", path)
	select {
	case ev := <-completed:
		var e struct {
			Detail struct {
				RunID     string `json:"runId"`
				ReportKey string `json:"reportKey"`
				Records   struct {
					Answered int64 `json:"answered"`
				} `json:"records"`
			} `json:"detail"`
		}
		if err := json.Unmarshal(ev, &e); err != nil || e.Detail.RunID != runID || e.Detail.ReportKey != layout.ReportJSONKey(runID) || e.Detail.Records.Answered != 450 {
			t.Fatalf("Batch Run Completed event %s (%v)", ev, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no Batch Run Completed event")
	}
	if rep.Status != "Succeeded" || rep.Records.Answered != 450 || rep.Records.Rejected != 2 || rep.Records.Failed != 0 {
		t.Fatalf("report %+v", rep.Records)
	}
	if len(rep.Jobs) != 3 || rep.Records.ByBatch != 450 {
		t.Fatalf("%d jobs, %d by batch; want 3 jobs answering everything\n%s", len(rep.Jobs), rep.Records.ByBatch, report.Markdown(rep))
	}
	if rep.Tokens.Batch.InputTokens == 0 || rep.Cost == nil || rep.Cost.Batch >= rep.Cost.OnDemand {
		t.Fatalf("tokens %+v cost %+v", rep.Tokens, rep.Cost)
	}
	checkConservation(t, pl, runID, lines, rep)
	checkOneJobPerAttempt(t, pl, runID)
	if testing.Verbose() {
		t.Log(report.Markdown(rep))
	}
}

func TestEachFaultAlone(t *testing.T) {
	tests := []struct {
		name string
		spec faults.Spec
	}{
		{"record-retryable", faults.Spec{RecordRetryable: 0.3}},
		{"record-permanent", faults.Spec{RecordPermanent: 0.1}},
		{"job-fail", faults.Spec{JobFail: 0.6}},
		{"job-partial", faults.Spec{JobPartial: 0.7}},
		{"job-expire", faults.Spec{JobExpire: 0.5}},
		{"create-throttle", faults.Spec{CreateThrottle: 0.5}},
		{"create-quota", faults.Spec{CreateQuota: 0.5}},
		{"event-drop all", faults.Spec{EventDrop: 1}},
		{"event-dup", faults.Spec{EventDup: 1}},
		{"event-delay", faults.Spec{EventDelay: 30 * time.Millisecond}},
		{"s3-5xx", faults.Spec{S3Error: 0.05}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.spec.Seed = int64(i + 1)
			pl := start(t, tt.spec, testProfile())
			path, lines := dataset(t, 450, uint64(i))
			runID, rep := run(t, pl, "claude", path)
			checkConservation(t, pl, runID, lines, rep)
			checkOneJobPerAttempt(t, pl, runID)
			if rep.Status != "Succeeded" {
				t.Errorf("status %s: %+v", rep.Status, rep.Error)
			}
			if tt.spec.RecordPermanent == 0 && rep.Records.Failed != 0 {
				t.Errorf("%d records failed with only retryable faults", rep.Records.Failed)
			}
			if tt.spec.RecordPermanent > 0 && rep.Records.Failed == 0 {
				t.Errorf("no record failed with permanent record errors injected")
			}
		})
	}
}

func TestRandomFaultCombinations(t *testing.T) {
	seeds := 6
	if testing.Short() {
		seeds = 2
	}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(uint64(seed), 99))
			f := func(max float64) float64 { return float64(int(r.Float64()*max*100)) / 100 }
			spec := faults.Spec{
				RecordRetryable: f(0.3), RecordPermanent: f(0.05), JobFail: f(0.3), JobPartial: f(0.3), JobExpire: f(0.2),
				CreateThrottle: f(0.3), CreateQuota: f(0.3), EventDrop: f(1), EventDup: f(0.5),
				EventDelay: time.Duration(r.IntN(30)) * time.Millisecond, S3Error: f(0.03), Seed: int64(seed),
			}
			t.Logf("faults: %s", spec)
			pl := start(t, spec, testProfile())
			path, lines := dataset(t, 300+r.IntN(300), uint64(seed))
			runID, rep := run(t, pl, "claude", path)
			checkConservation(t, pl, runID, lines, rep)
			checkOneJobPerAttempt(t, pl, runID)
		})
	}
}

func TestSmallDatasetRunsOnDemand(t *testing.T) {
	pl := start(t, faults.Spec{}, testProfile())
	path, lines := dataset(t, 40, 3)
	runID, rep := run(t, pl, "claude", path)
	checkConservation(t, pl, runID, lines, rep)
	if rep.Records.ByOnDemand != 40 || len(rep.Jobs) != 0 || rep.Tail == nil {
		t.Fatalf("records %+v, %d jobs; want all 40 answered on-demand", rep.Records, len(rep.Jobs))
	}
}

func TestDuplicatedDropStartsOneRun(t *testing.T) {
	pl := start(t, faults.Spec{EventDup: 1}, testProfile())
	path, _ := dataset(t, 150, 4)
	ctx := context.Background()
	first, _, err := pl.Client().Drop(ctx, "claude", path)
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := pl.Client().Drop(ctx, "claude", path) // the same content uploaded again
	if err != nil || second != first {
		t.Fatalf("re-upload gave run %s (%v), want %s", second, err, first)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if _, err := pl.Client().Wait(ctx, first, 20*time.Millisecond, nil); err != nil {
		t.Fatal(err)
	}
	out, err := pl.SFNClient.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &pl.StateMachineARN})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.Executions); n != 1 {
		t.Fatalf("%d executions, want 1", n)
	}
}

func TestUnreadableDatasetStillGetsAReport(t *testing.T) {
	pl := start(t, faults.Spec{}, testProfile())
	path := filepath.Join(t.TempDir(), "broken.jsonl.gz")
	if err := os.WriteFile(path, []byte("\x1f\x8b\x08\x00garbage that is not deflate"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	runID, _, err := pl.Client().Drop(ctx, "claude", path)
	if err != nil {
		t.Fatal(err)
	}
	x, err := pl.Client().Wait(ctx, runID, 20*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	if x.Status != "FAILED" {
		t.Fatalf("execution %s, want FAILED so alarms see it", x.Status)
	}
	rep, err := pl.Client().Report(ctx, runID)
	if err != nil {
		t.Fatalf("no report after a failed run: %v", err)
	}
	if rep.Status != "Failed" || rep.Error == nil || !strings.Contains(rep.Error.Cause, "broken.jsonl.gz") {
		t.Fatalf("report status %s, error %+v", rep.Status, rep.Error)
	}
}

func TestEveryJobExpiringFailsRecordsWithTheirReason(t *testing.T) {
	p := testProfile()
	p.MaxRounds = 2
	pl := start(t, faults.Spec{JobExpire: 1, Seed: 5}, p)
	path, lines := dataset(t, 300, 6)
	runID, rep := run(t, pl, "claude", path)
	checkConservation(t, pl, runID, lines, rep)
	checkOneJobPerAttempt(t, pl, runID)
	if rep.Status != "Succeeded" || rep.Records.Answered != 0 || rep.Records.Failed != 300 || len(rep.Rounds) != 2 {
		t.Fatalf("status %s, records %+v, %d rounds; want 300 failed after 2 rounds", rep.Status, rep.Records, len(rep.Rounds))
	}
	for _, j := range rep.Jobs {
		if j.Attempts < 2 || j.Status != "Expired" {
			t.Errorf("job row %s: %d attempts, %s; want each chunk retried as new jobs and Expired", j.JobName, j.Attempts, j.Status)
		}
	}
	rc, err := pl.Store.Get(context.Background(), layout.FailedKey(runID))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var f struct {
			Error      struct{ Code, Message string } `json:"error"`
			Attempts   int                            `json:"attempts"`
			ModelInput json.RawMessage                `json:"modelInput"`
		}
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil || f.Error.Code != "JobExpired" || f.Error.Message == "" || f.Attempts != 2 || len(f.ModelInput) == 0 {
			t.Fatalf("failed line %s: %v", sc.Bytes(), err)
		}
	}
}

// TestWaitEndsWithTheRun checks that waiting on a local run returns when its execution ends, not
// at the next poll: bbatch run would otherwise finish up to a refresh interval late.
func TestWaitEndsWithTheRun(t *testing.T) {
	pl := start(t, faults.Spec{}, testProfile())
	path, _ := dataset(t, 150, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := pl.Client()
	runID, _, err := c.Drop(ctx, "claude", path)
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, found, err := c.Describe(ctx, runID); err != nil {
			t.Fatal(err)
		} else if found {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The run takes about a second; the first poll after this one would come in an hour.
	waitCtx, cancelWait := context.WithTimeout(ctx, 30*time.Second)
	defer cancelWait()
	x, err := c.Wait(waitCtx, runID, time.Hour, nil)
	if err != nil {
		t.Fatalf("wait with an hour between polls: %v", err)
	}
	if x.Status != "SUCCEEDED" {
		t.Fatalf("execution %s", x.Status)
	}
}

// TestReconcileFindsAJobTheLedgerHasNoARNFor: when the submitter stopped between creating a job
// and writing its ARN into the ledger, and the task then stopped waiting, ReconcileChunk finds
// the job by its name and joins its outputs instead of sending every record to another round.
func TestReconcileFindsAJobTheLedgerHasNoARNFor(t *testing.T) {
	p := testProfile()
	pl := start(t, faults.Spec{}, p)
	path, _ := dataset(t, 150, 5)
	runID, rep := run(t, pl, p.Name, path)
	if len(rep.Jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(rep.Jobs))
	}
	ctx := context.Background()
	e, found, err := pl.Ledger.Latest(ctx, runID, 1, 0)
	if err != nil || !found || e.JobARN == "" {
		t.Fatalf("ledger entry of round 1 chunk 0: %+v, found %v, %v", e, found, err)
	}
	arn := e.JobARN
	e.JobARN = ""
	if err := pl.Ledger.Put(ctx, e); err != nil {
		t.Fatal(err)
	}
	p = p.Normalize()
	rounds := &round.Rounds{Store: pl.Store, Ledger: pl.Ledger, Jobs: pl.Jobs,
		Profile: func(string) (profile.Profile, bool) { return p, true }, Now: time.Now, Log: slog.New(slog.DiscardHandler)}
	chunks, found, err := round.Manifest(ctx, pl.Store, runID, 1)
	if err != nil || !found || len(chunks) != 1 {
		t.Fatalf("round 1's chunks: %+v (found %v): %v", chunks, found, err)
	}
	sum, err := rounds.ReconcileChunk(ctx, runreq.Request{RunID: runID, Profile: p.Name, Round: 1, Chunk: &chunks[0]})
	if err != nil {
		t.Fatal(err)
	}
	if sum.JobARN != arn || sum.Status != "Completed" || sum.Succeeded != sum.Records || sum.Pending != 0 {
		t.Fatalf("reconciled without the ARN: job %q status %s, %d of %d succeeded, %d pending; want job %q, all succeeded",
			sum.JobARN, sum.Status, sum.Succeeded, sum.Records, sum.Pending, arn)
	}
}
