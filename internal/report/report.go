package report

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/chunk"
	"github.com/bedrock-batch/bedrock-batch/internal/dataset"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/ledger"
	"github.com/bedrock-batch/bedrock-batch/internal/model"
	"github.com/bedrock-batch/bedrock-batch/internal/pricing"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/round"
	"github.com/bedrock-batch/bedrock-batch/internal/run"
	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

// Publisher sends the "Batch Run Completed" event.
type Publisher interface {
	Publish(ctx context.Context, detailType string, detail any) error
}

// DetailTypeRunCompleted is the detail-type of the event Finalize publishes.
const DetailTypeRunCompleted = "Batch Run Completed"

// Report is report.json.
type Report struct {
	RunID      string             `json:"runId"`
	Profile    string             `json:"profile"`
	ModelID    string             `json:"modelId"`
	Status     string             `json:"status"` // Succeeded or Failed
	Error      *run.StateError    `json:"error,omitempty"`
	StartedAt  time.Time          `json:"startedAt"`
	FinishedAt time.Time          `json:"finishedAt"`
	Duration   string             `json:"duration"`
	Sources    []SourceRow        `json:"sources"`
	Records    Records            `json:"records"`
	Tokens     Tokens             `json:"tokens"`
	Cost       *pricing.Cost      `json:"cost,omitempty"` // nil when the model has no price
	Price      *pricing.Price     `json:"price,omitempty"`
	PriceNote  string             `json:"priceNote,omitempty"`
	Rounds     []RoundRow         `json:"rounds"`
	Tail       *round.TailSummary `json:"tail,omitempty"`
	Jobs       []JobRow           `json:"jobs"`
	Results    Results            `json:"results"`
	Problems   []string           `json:"problems,omitempty"`
}

// SourceRow counts one input object's lines.
type SourceRow struct {
	Key   string        `json:"key"`
	Stats dataset.Stats `json:"stats"`
}

// Records is the conservation account: every non-blank input line is answered, failed or
// rejected, exactly once.
type Records struct {
	In         int64 `json:"in"` // non-blank input lines
	Answered   int64 `json:"answered"`
	ByBatch    int64 `json:"answeredByBatch"`
	ByOnDemand int64 `json:"answeredOnDemand"`
	Failed     int64 `json:"failed"`
	Rejected   int64 `json:"rejected"`
	Blank      int64 `json:"blank"`
	Conserved  bool  `json:"conserved"` // In == Answered + Failed + Rejected
}

// Tokens are the run's tokens by how they were bought.
type Tokens struct {
	Batch    model.Usage `json:"batch"`
	OnDemand model.Usage `json:"onDemand"`
	Total    model.Usage `json:"total"`
}

// RoundRow sums one round's chunks.
type RoundRow struct {
	Round     int   `json:"round"`
	Chunks    int   `json:"chunks"`
	Records   int64 `json:"records"`
	Succeeded int64 `json:"succeeded"`
	Retried   int64 `json:"retried"`
	Failed    int64 `json:"failed"`
}

// JobRow is one chunk's job.
type JobRow struct {
	JobName     string      `json:"jobName"`
	JobARN      string      `json:"jobArn,omitempty"`
	Round       int         `json:"round"`
	Chunk       int         `json:"chunk"`
	Attempts    int         `json:"attempts"`
	Status      string      `json:"status"`
	Records     int         `json:"records"`
	Succeeded   int         `json:"succeeded"`
	Retried     int         `json:"retried"`
	Failed      int         `json:"failed"`
	Tokens      model.Usage `json:"tokens"`
	TokenSource string      `json:"tokenSource"`
	SubmittedAt time.Time   `json:"submittedAt,omitzero"`
	EndedAt     time.Time   `json:"endedAt,omitzero"`
}

// Results names the result files.
type Results struct {
	Parts    []string `json:"parts"`
	Failed   string   `json:"failed"`
	Rejected string   `json:"rejected"`
	Report   string   `json:"report"`
	Markdown string   `json:"markdown"`
}

// Finalizer writes results and reports.
type Finalizer struct {
	Store     Store
	Rounds    *round.Rounds
	Ledger    *ledger.Ledger
	Prices    *pricing.Table
	Profile   func(name string) (profile.Profile, bool)
	Publisher Publisher
	Now       func() time.Time
	Log       *slog.Logger
}

// Output is what Finalize returns to the state machine.
type Output struct {
	ReportKey string `json:"reportKey"`
}

// Finalize writes results/<runId>/ and the report, then publishes "Batch Run Completed".
// req.Error is the failure a Catch recorded, if any.
func (f *Finalizer) Finalize(ctx context.Context, req run.Request) (Output, Report, error) {
	p, ok := f.Profile(req.Profile)
	if !ok {
		p = profile.Profile{Name: req.Profile}
	}
	rep := Report{RunID: req.RunID, Profile: req.Profile, ModelID: p.ModelID, Status: "Succeeded", Error: req.Error,
		FinishedAt: f.Now().UTC(), Jobs: []JobRow{}, Rounds: []RoundRow{}, Sources: []SourceRow{}}
	if req.Error != nil {
		rep.Status = "Failed"
	}
	var rec run.Record
	if _, err := round.ReadJSON(ctx, f.Store, layout.RunKey(req.RunID), &rec); err != nil {
		return Output{}, rep, taskerr.Transient(err)
	}
	rep.StartedAt = rec.StartedAt
	if !rep.StartedAt.IsZero() {
		rep.Duration = rep.FinishedAt.Sub(rep.StartedAt).Round(time.Second).String()
	}
	w := newResultWriter(ctx, f.Store, req.RunID)
	if err := f.gather(ctx, req, rec, &rep, w); err != nil {
		w.abort(err)
		return Output{}, rep, taskerr.Transient(err)
	}
	if err := w.close(); err != nil {
		return Output{}, rep, taskerr.Transient(err)
	}
	rep.Records.Answered, rep.Records.Failed, rep.Records.Rejected = w.answered, w.failed, w.rejected
	rep.Records.ByBatch, rep.Records.ByOnDemand = w.byBatch, w.byOnDemand
	rep.Records.Conserved = rep.Records.In == rep.Records.Answered+rep.Records.Failed+rep.Records.Rejected
	if !rep.Records.Conserved {
		rep.Problems = append(rep.Problems, fmt.Sprintf("conservation check failed: %d lines in, %d answered + %d failed + %d rejected",
			rep.Records.In, rep.Records.Answered, rep.Records.Failed, rep.Records.Rejected))
	}
	rep.Tokens.Total = rep.Tokens.Batch.Add(rep.Tokens.OnDemand)
	if f.Prices != nil && p.ModelID != "" {
		if price, err := f.Prices.Lookup(p.ModelID); err == nil {
			c := price.RunCost(rep.Tokens.Batch, rep.Tokens.OnDemand)
			rep.Cost, rep.Price = &c, &price
		} else {
			rep.PriceNote = err.Error()
		}
	}
	rep.Results = Results{Parts: w.parts, Failed: layout.FailedKey(req.RunID), Rejected: layout.ResultRejectedKey(req.RunID),
		Report: layout.ReportJSONKey(req.RunID), Markdown: layout.ReportMarkdownKey(req.RunID)}
	if err := f.Store.Put(ctx, layout.ReportMarkdownKey(req.RunID), strings.NewReader(Markdown(rep))); err != nil {
		return Output{}, rep, taskerr.Transient(fmt.Errorf("write %s: %w", layout.ReportMarkdownKey(req.RunID), err))
	}
	if err := round.WriteJSON(ctx, f.Store, layout.ReportJSONKey(req.RunID), rep); err != nil {
		return Output{}, rep, taskerr.Transient(err)
	}
	if f.Publisher != nil {
		detail := map[string]any{"runId": rep.RunID, "profile": rep.Profile, "status": rep.Status, "records": rep.Records,
			"reportKey": rep.Results.Report, "resultsPrefix": layout.ResultPrefix(req.RunID)}
		if err := f.Publisher.Publish(ctx, DetailTypeRunCompleted, detail); err != nil {
			return Output{}, rep, taskerr.Transient(fmt.Errorf("publish %s: %w", DetailTypeRunCompleted, err))
		}
	}
	f.Log.InfoContext(ctx, "run finalized", "runId", req.RunID, "status", rep.Status, "answered", rep.Records.Answered,
		"failed", rep.Records.Failed, "rejected", rep.Records.Rejected, "conserved", rep.Records.Conserved)
	return Output{ReportKey: layout.ReportJSONKey(req.RunID)}, rep, nil
}

// gather walks the run's rounds in order and streams every record to w exactly once.
func (f *Finalizer) gather(ctx context.Context, req run.Request, rec run.Record, rep *Report, w *resultWriter) error {
	runErr := round.ErrorInfo{Code: "RunFailed", Message: "the run ended before this record was answered"}
	if req.Error != nil {
		runErr = round.ErrorInfo{Code: req.Error.Error, Message: req.Error.Cause}
	}
	for i, src := range rec.Sources {
		var plan struct {
			Stats dataset.Stats `json:"stats"`
		}
		found, err := round.ReadJSON(ctx, f.Store, layout.SourcePrefix(req.RunID, i)+chunk.PlanFile, &plan)
		if err != nil {
			return err
		}
		if !found {
			rep.Problems = append(rep.Problems, fmt.Sprintf("source %s was not chunked: its lines are not counted", src.Key))
		}
		rep.Sources = append(rep.Sources, SourceRow{Key: src.Key, Stats: plan.Stats})
		rep.Records.In += plan.Stats.Records + plan.Stats.Rejected
		rep.Records.Blank += plan.Stats.Blank
		if err := w.copyRejected(ctx, layout.SourcePrefix(req.RunID, i)+chunk.RejectedFile, src.Key); err != nil {
			return err
		}
	}
	jobsByName := map[string]ledger.Entry{}
	if entries, err := f.Ledger.All(ctx, req.RunID); err == nil {
		for _, e := range entries {
			jobsByName[e.JobName] = e
		}
	} else {
		return err
	}
	for r := 1; ; r++ {
		chunks, found, err := round.Manifest(ctx, f.Store, req.RunID, r)
		if err != nil {
			return err
		}
		if !found {
			return nil
		}
		_, nextFound, err := round.Manifest(ctx, f.Store, req.RunID, r+1)
		if err != nil {
			return err
		}
		row := RoundRow{Round: r, Chunks: len(chunks)}
		for i := range chunks {
			c := chunks[i]
			sum, err := f.chunkSummary(ctx, req, r, c)
			if err != nil {
				return err
			}
			row.Records += int64(sum.Records)
			row.Succeeded += int64(sum.Succeeded)
			row.Retried += int64(sum.Pending)
			row.Failed += int64(sum.Failed)
			rep.Tokens.Batch = rep.Tokens.Batch.Add(sum.Tokens)
			if sum.Status != round.NoJob || sum.Attempts > 0 {
				e := jobsByName[sum.JobName]
				rep.Jobs = append(rep.Jobs, JobRow{JobName: sum.JobName, JobARN: sum.JobARN, Round: r, Chunk: c.Index, Attempts: sum.Attempts,
					Status: sum.Status, Records: sum.Records, Succeeded: sum.Succeeded, Retried: sum.Pending, Failed: sum.Failed,
					Tokens: sum.Tokens, TokenSource: sum.TokenSource, SubmittedAt: e.SubmittedAt, EndedAt: firstNonZero(sum.EndedAt, e.EndedAt)})
			}
			if err := w.addAnswers(ctx, c.Prefix+layout.ChunkAnswersFile, int64(sum.Succeeded), round.ByBatch); err != nil {
				return err
			}
			if err := w.copyFailed(ctx, c.Prefix+layout.ChunkFailedFile); err != nil {
				return err
			}
		}
		rep.Rounds = append(rep.Rounds, row)
		if nextFound {
			continue
		}
		return f.finishRound(ctx, req, r, rep, w, runErr)
	}
}

// finishRound accounts for what the last round left to try again: a tail, records given up on,
// or — when the run stopped early — records the run never got to.
func (f *Finalizer) finishRound(ctx context.Context, req run.Request, r int, rep *Report, w *resultWriter, runErr round.ErrorInfo) error {
	exhausted, err := exists(ctx, f.Store, round.ExhaustedKey(req.RunID, r))
	if err != nil {
		return err
	}
	if exhausted {
		return w.copyFailed(ctx, round.ExhaustedKey(req.RunID, r))
	}
	var tail round.TailSummary
	tailDone, err := round.ReadJSON(ctx, f.Store, layout.TailResultKey(req.RunID, r), &tail)
	if err != nil {
		return err
	}
	if tailDone {
		rep.Tail = &tail
		rep.Tokens.OnDemand = rep.Tokens.OnDemand.Add(tail.Tokens)
		if err := w.addAnswers(ctx, round.TailAnswersKey(req.RunID, r), int64(tail.Succeeded), round.ByOnDemand); err != nil {
			return err
		}
		return w.copyFailed(ctx, round.TailFailedKey(req.RunID, r))
	}
	// Nothing took the round's pending records: the run failed before it could.
	return f.Rounds.EachPending(ctx, run.Request{RunID: req.RunID, Bucket: req.Bucket, Profile: req.Profile, Round: r}, func(pd round.Pending) error {
		return w.writeFailure(round.Failure{RecordID: pd.RecordID, Line: pd.Line, Source: pd.Source, Error: runErr, Attempts: r, ModelInput: pd.ModelInput})
	})
}

// chunkSummary reads a chunk's summary, reconciling the chunk first when the run failed before
// it was.
func (f *Finalizer) chunkSummary(ctx context.Context, req run.Request, r int, c run.ChunkRef) (round.ChunkSummary, error) {
	var sum round.ChunkSummary
	found, err := round.ReadJSON(ctx, f.Store, c.Prefix+layout.ChunkSummaryFile, &sum)
	if err != nil || found {
		return sum, err
	}
	return f.Rounds.ReconcileChunk(ctx, run.Request{RunID: req.RunID, Bucket: req.Bucket, Profile: req.Profile, Round: r, Chunk: &c})
}

func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
