package round

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/bedrockjobs"
	"github.com/bedrock-batch/bedrock-batch/internal/chunk"
	"github.com/bedrock-batch/bedrock-batch/internal/dataset"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/ledger"
	"github.com/bedrock-batch/bedrock-batch/internal/model"
	"github.com/bedrock-batch/bedrock-batch/internal/ondemand"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/reconcile"
	"github.com/bedrock-batch/bedrock-batch/internal/run"
	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

// Jobs reads, finds and stops Bedrock jobs.
type Jobs interface {
	Get(ctx context.Context, jobARN string) (bedrockjobs.Job, error)
	ListByName(ctx context.Context, part string) ([]bedrockjobs.Job, error)
	Stop(ctx context.Context, jobARN string) error
}

// Tail answers records on-demand (ondemand.Runner).
type Tail interface {
	Run(ctx context.Context, reqs []ondemand.Request, emit func(ondemand.Outcome) error) error
}

// Rounds holds the dependencies of every round step.
type Rounds struct {
	Store   Store
	Ledger  *ledger.Ledger
	Jobs    Jobs
	Profile func(name string) (profile.Profile, bool)
	// NewTail returns the on-demand runner for a profile.
	NewTail func(p profile.Profile) Tail
	Now     func() time.Time
	Log     *slog.Logger
}

// ChunkSummary is a chunk's summary.json: what its job did and where its records went.
type ChunkSummary struct {
	Round       int         `json:"round"`
	Chunk       int         `json:"chunk"`
	Prefix      string      `json:"prefix"`
	JobName     string      `json:"jobName,omitempty"`
	JobARN      string      `json:"jobArn,omitempty"`
	Attempts    int         `json:"attempts"` // jobs created for this chunk
	Status      string      `json:"status"`   // the job's terminal status, or NoJob
	Message     string      `json:"message,omitempty"`
	SubmittedAt time.Time   `json:"submittedAt,omitzero"`
	EndedAt     time.Time   `json:"endedAt,omitzero"`
	Records     int         `json:"records"`
	Succeeded   int         `json:"succeeded"`
	Pending     int         `json:"pending"`
	Failed      int         `json:"failed"`
	Tokens      model.Usage `json:"tokens"`
	TokenSource string      `json:"tokenSource"`
	Unexpected  int         `json:"unexpected"`
	Duplicates  int         `json:"duplicates"`
	Malformed   int         `json:"malformed"`
	Problems    []string    `json:"problems,omitempty"`
}

// NoJob is the status of a chunk for which no job could be created.
const NoJob = "NoJob"

func (r *Rounds) profile(name string) (profile.Profile, error) {
	p, ok := r.Profile(name)
	if !ok {
		return profile.Profile{}, &taskerr.InvalidInputError{Err: fmt.Errorf("profile %q is not configured", name)}
	}
	return p, nil
}

// ReconcileChunk joins the chunk's latest job's outputs to its records and writes the chunk's
// answers.jsonl, pending.jsonl, failed.jsonl and, last, summary.json. A job still running (its
// task gave up waiting) is stopped first and reconciled as Stopped; a chunk without a job has
// every record pending. Re-running it rewrites the same files.
func (r *Rounds) ReconcileChunk(ctx context.Context, req run.Request) (ChunkSummary, error) {
	if req.Chunk == nil {
		return ChunkSummary{}, &taskerr.InvalidInputError{Err: errors.New("reconcileChunk needs a chunk")}
	}
	p, err := r.profile(req.Profile)
	if err != nil {
		return ChunkSummary{}, err
	}
	family, err := model.Detect(p.ModelID, p.InvocationType)
	if err != nil {
		return ChunkSummary{}, &taskerr.InvalidInputError{Err: err}
	}
	c := *req.Chunk
	sum := ChunkSummary{Round: req.Round, Chunk: c.Index, Prefix: c.Prefix, Status: NoJob}
	job := reconcile.Job{ChunkPrefix: c.Prefix, Status: reconcile.StatusFailed, Family: family}
	attempts, err := r.Ledger.Attempts(ctx, req.RunID, req.Round, c.Index)
	if err != nil {
		return sum, taskerr.Transient(err)
	}
	sum.Attempts = len(attempts)
	var e ledger.Entry
	if n := len(attempts); n > 0 {
		e = attempts[n-1]
	}
	if e.JobName != "" && e.JobARN == "" {
		// The submitter asked for the job but stopped before writing down its ARN (a Lambda
		// timeout, or its retries ran out), and the task then stopped waiting: the job may exist
		// all the same. Its name is unique (it is also the clientRequestToken), so find it by
		// name, as the submitter's next attempt would, rather than answer its records again.
		if e.JobARN, err = r.findJob(ctx, e.JobName); err != nil {
			return sum, err
		}
	}
	if e.JobARN != "" {
		j, err := r.Jobs.Get(ctx, e.JobARN)
		if err != nil {
			return sum, err
		}
		if !bedrockjobs.Terminal(j.Status) {
			if err := r.Jobs.Stop(ctx, e.JobARN); err != nil {
				return sum, err
			}
			r.Log.WarnContext(ctx, "job stopped: its task stopped waiting", "jobName", e.JobName, "status", j.Status)
			j.Status = reconcile.StatusStopped
		}
		sum.JobName, sum.JobARN, sum.Status, sum.Message = e.JobName, e.JobARN, j.Status, j.Message
		sum.SubmittedAt, sum.EndedAt = e.SubmittedAt, j.Ended
		job.Status = j.Status
		job.OutputPrefix = c.Prefix + layout.ChunkOutputDir + bedrockjobs.ID(e.JobARN) + "/"
	}

	answers := NewLineWriter(ctx, r.Store, c.Prefix+layout.ChunkAnswersFile)
	pending := NewLineWriter(ctx, r.Store, c.Prefix+layout.ChunkPendingFile)
	failed := NewLineWriter(ctx, r.Store, c.Prefix+layout.ChunkFailedFile)
	writers := []*LineWriter{answers, pending, failed}
	res, err := reconcile.Reconcile(ctx, r.Store, job, func(rec *reconcile.Record) error {
		switch {
		case rec.Outcome == reconcile.Succeeded:
			a := Answer{RecordID: rec.RecordID, ModelOutput: rec.ModelOutput, AnsweredBy: ByBatch, Round: req.Round, JobName: sum.JobName, Line: rec.Line, Source: rec.Source}
			if rec.HasUsage {
				u := rec.Usage
				a.Usage = &u
			}
			return answers.Write(a)
		case rec.Outcome.Retry():
			pd := Pending{ID: rec.ID, RecordID: rec.RecordID, Line: rec.Line, Source: rec.Source, ModelInput: rec.ModelInput}
			switch {
			case rec.Error != nil:
				pd.LastError = &ErrorInfo{Code: rec.Error.Code, Message: rec.Error.Message}
			case sum.Status != reconcile.StatusCompleted:
				pd.LastError = jobError(sum)
			}
			return pending.Write(pd)
		default:
			e := ErrorInfo{Code: "Unknown", Message: "permanent error without details"}
			if rec.Error != nil {
				e = ErrorInfo{Code: rec.Error.Code, Message: rec.Error.Message}
			}
			return failed.Write(Failure{RecordID: rec.RecordID, Line: rec.Line, Source: rec.Source, Error: e, Attempts: req.Round, ModelInput: rec.ModelInput})
		}
	})
	if err != nil {
		for _, w := range writers {
			w.Abort(err)
		}
		if errors.Is(err, reconcile.ErrCorruptChunk) {
			return sum, &taskerr.InvalidInputError{Err: err}
		}
		return sum, taskerr.Transient(fmt.Errorf("reconcile %s: %w", c.Prefix, err))
	}
	for _, w := range writers {
		if err := w.Close(); err != nil {
			return sum, taskerr.Transient(err)
		}
	}
	sum.Records, sum.Succeeded, sum.Pending, sum.Failed = res.Records, res.Succeeded, res.Retry(), res.FailedPermanent
	sum.Tokens, sum.TokenSource = res.Tokens, res.TokenSource
	sum.Unexpected, sum.Duplicates, sum.Malformed, sum.Problems = res.Unexpected, res.Duplicates, res.Malformed, res.Problems
	if err := WriteJSON(ctx, r.Store, c.Prefix+layout.ChunkSummaryFile, sum); err != nil {
		return sum, taskerr.Transient(err)
	}
	r.Log.InfoContext(ctx, "chunk reconciled", "runId", req.RunID, "round", req.Round, "chunk", c.Index,
		"status", sum.Status, "records", sum.Records, "succeeded", sum.Succeeded, "pending", sum.Pending, "failed", sum.Failed)
	return sum, nil
}

// jobError describes why a record of an unfinished job has no answer.
func jobError(sum ChunkSummary) *ErrorInfo {
	if sum.Status == NoJob {
		return &ErrorInfo{Code: NoJob, Message: "no batch job could be created for the record's chunk"}
	}
	msg := sum.Message
	if msg == "" {
		msg = fmt.Sprintf("job %s ended %s before answering the record", sum.JobName, sum.Status)
	}
	return &ErrorInfo{Code: "Job" + sum.Status, Message: msg}
}

// Manifest reads a round's chunk list; found is false when the round was never planned.
func Manifest(ctx context.Context, store Store, runID string, round int) (chunks []run.ChunkRef, found bool, err error) {
	found, err = ReadJSON(ctx, store, layout.RoundManifestKey(runID, round), &chunks)
	return chunks, found, err
}

// Carry is round 1's list of records that no chunk took: the on-demand folders of source
// objects too small for a job of their own (runs/<runId>/r1/carry.json).
type Carry struct {
	Prefixes []string `json:"prefixes"` // folders holding input.jsonl and records.jsonl
	Records  int64    `json:"records"`
}

// CarryKey is where round 1's Carry is kept.
func CarryKey(runID string) string { return layout.RoundPrefix(runID, 1) + "carry.json" }

// EachPending calls fn with every record req.Round leaves to try again: every chunk's
// pending.jsonl, and for round 1 the carried folders. A chunk without a summary is reconciled
// first, so no record is skipped.
func (r *Rounds) EachPending(ctx context.Context, req run.Request, fn func(Pending) error) error {
	chunks, _, err := Manifest(ctx, r.Store, req.RunID, req.Round)
	if err != nil {
		return err
	}
	for i := range chunks {
		c := chunks[i]
		var sum ChunkSummary
		found, err := ReadJSON(ctx, r.Store, c.Prefix+layout.ChunkSummaryFile, &sum)
		if err != nil {
			return err
		}
		if !found {
			if _, err := r.ReconcileChunk(ctx, run.Request{RunID: req.RunID, Bucket: req.Bucket, Profile: req.Profile, Round: req.Round, Chunk: &c}); err != nil {
				return err
			}
		}
		err = EachLine(ctx, r.Store, c.Prefix+layout.ChunkPendingFile, false, func(line []byte) error {
			var p Pending
			if err := json.Unmarshal(line, &p); err != nil {
				return err
			}
			return fn(p)
		})
		if err != nil {
			return err
		}
	}
	if req.Round != 1 {
		return nil
	}
	var carry Carry
	if _, err := ReadJSON(ctx, r.Store, CarryKey(req.RunID), &carry); err != nil {
		return err
	}
	for _, prefix := range carry.Prefixes {
		if err := eachFolderRecord(ctx, r.Store, prefix, fn); err != nil {
			return err
		}
	}
	return nil
}

// eachFolderRecord reads a chunk-shaped folder (input.jsonl beside records.jsonl, line for line)
// as pending records.
func eachFolderRecord(ctx context.Context, store Store, prefix string, fn func(Pending) error) error {
	type sidecar struct {
		ID       string `json:"id"`
		RecordID string `json:"recordId"`
		Line     int64  `json:"line"`
		Source   int    `json:"source"`
	}
	var ids []sidecar
	err := EachLine(ctx, store, prefix+layout.ChunkRecordsFile, false, func(line []byte) error {
		var s sidecar
		if err := json.Unmarshal(line, &s); err != nil {
			return err
		}
		ids = append(ids, s)
		return nil
	})
	if err != nil {
		return err
	}
	i := 0
	err = EachLine(ctx, store, prefix+layout.ChunkInputFile, false, func(line []byte) error {
		var in struct {
			RecordID   string          `json:"recordId"`
			ModelInput json.RawMessage `json:"modelInput"`
		}
		if err := json.Unmarshal(line, &in); err != nil {
			return err
		}
		if i >= len(ids) || ids[i].ID != in.RecordID {
			return fmt.Errorf("%s: input.jsonl and records.jsonl disagree at record %d", prefix, i+1)
		}
		s := ids[i]
		i++
		return fn(Pending{ID: s.ID, RecordID: s.RecordID, Line: s.Line, Source: s.Source, ModelInput: in.ModelInput})
	})
	if err == nil && i != len(ids) {
		err = fmt.Errorf("%s: records.jsonl has %d records, input.jsonl %d", prefix, len(ids), i)
	}
	return err
}

// Collect gathers what round req.Round left to try again and decides what comes next: a new
// round of chunks while the records are at least the profile's minimum per job and rounds
// remain; the on-demand tail when fewer remain; failures (with each record's last error) when
// rounds are spent. It returns the plan the state machine routes on.
func (r *Rounds) Collect(ctx context.Context, req run.Request) (run.Plan, error) {
	p, err := r.profile(req.Profile)
	if err != nil {
		return run.Plan{}, err
	}
	type sized struct{ line, size int64 }
	var sizes []sized
	err = r.EachPending(ctx, req, func(pd Pending) error {
		sizes = append(sizes, sized{pd.Line, inputLineSize(pd)})
		return nil
	})
	if err != nil {
		return run.Plan{}, taskerr.Transient(err)
	}
	n := int64(len(sizes))
	plan := run.Plan{Round: req.Round}
	switch {
	case n == 0:
		return plan, nil
	case n < int64(p.MinRecords):
		return r.writeTail(ctx, req, n)
	case req.Round >= p.MaxRounds:
		return plan, r.giveUp(ctx, req)
	}
	limits := chunk.Limits{MinRecords: p.MinRecords, MaxRecords: p.MaxRecords, MaxFileBytes: p.MaxFileBytes, MaxJobBytes: p.MaxJobBytes}
	cp, err := chunk.NewPlan(func() chunk.RecordSizes {
		i := 0
		return sizeIter(func() (int64, int64, bool) {
			if i == len(sizes) {
				return 0, 0, false
			}
			i++
			return sizes[i-1].line, sizes[i-1].size, true
		})
	}, dataset.Stats{Records: n}, limits)
	if errors.Is(err, chunk.ErrNoPlan) {
		return r.writeTail(ctx, req, n)
	}
	if err != nil {
		return run.Plan{}, &taskerr.InvalidInputError{Err: err}
	}
	return r.writeRound(ctx, req, cp)
}

type sizeIter func() (int64, int64, bool)

func (f sizeIter) Next() (line, size int64, ok bool) { return f() }

// inputLineSize is the size of the record's Bedrock input line, newline included.
func inputLineSize(p Pending) int64 {
	b, _ := json.Marshal(inputLine{RecordID: p.ID, ModelInput: p.ModelInput})
	return int64(len(b)) + 1
}

type inputLine struct {
	RecordID   string          `json:"recordId"`
	ModelInput json.RawMessage `json:"modelInput"`
}

type sidecarLine struct {
	ID       string `json:"id"`
	RecordID string `json:"recordId"`
	Line     int64  `json:"line"`
	Source   int    `json:"source"`
}

// writeRound writes the next round's chunk folders from the pending records, in the order the
// plan counted them, then its chunk list.
func (r *Rounds) writeRound(ctx context.Context, req run.Request, cp chunk.Plan) (run.Plan, error) {
	next := req.Round + 1
	refs := make([]run.ChunkRef, len(cp.Chunks))
	for i, c := range cp.Chunks {
		refs[i] = run.ChunkRef{Index: i, Prefix: layout.ChunkPrefix(req.RunID, next, i), Records: c.Records, Bytes: c.Bytes}
	}
	ci := 0
	var in, ids *LineWriter
	var written int64
	open := func() {
		in = NewLineWriter(ctx, r.Store, refs[ci].Prefix+layout.ChunkInputFile)
		ids = NewLineWriter(ctx, r.Store, refs[ci].Prefix+layout.ChunkRecordsFile)
	}
	closeBoth := func() error {
		err1, err2 := in.Close(), ids.Close()
		return errors.Join(err1, err2)
	}
	open()
	err := r.EachPending(ctx, req, func(pd Pending) error {
		if written == refs[ci].Records {
			if err := closeBoth(); err != nil {
				return err
			}
			ci++
			written = 0
			if ci == len(refs) {
				return errors.New("more pending records than the plan counted")
			}
			open()
		}
		written++
		if err := in.Write(inputLine{RecordID: pd.ID, ModelInput: pd.ModelInput}); err != nil {
			return err
		}
		return ids.Write(sidecarLine{ID: pd.ID, RecordID: pd.RecordID, Line: pd.Line, Source: pd.Source})
	})
	if err != nil {
		in.Abort(err)
		ids.Abort(err)
		return run.Plan{}, taskerr.Transient(err)
	}
	if err := closeBoth(); err != nil {
		return run.Plan{}, taskerr.Transient(err)
	}
	if ci != len(refs)-1 || written != refs[ci].Records {
		return run.Plan{}, taskerr.Transient(errors.New("fewer pending records than the plan counted"))
	}
	key, err := WriteManifest(ctx, r.Store, req.RunID, next, refs)
	if err != nil {
		return run.Plan{}, taskerr.Transient(err)
	}
	r.Log.InfoContext(ctx, "round planned", "runId", req.RunID, "round", next, "chunks", len(refs), "records", cp.Stats.Records)
	return run.Plan{Round: next, Chunks: len(refs), ManifestKey: key}, nil
}

// writeTail puts the pending records of the round in its tail file for OnDemandTail.
func (r *Rounds) writeTail(ctx context.Context, req run.Request, n int64) (run.Plan, error) {
	w := NewLineWriter(ctx, r.Store, layout.TailKey(req.RunID, req.Round))
	if err := r.EachPending(ctx, req, func(p Pending) error { return w.Write(p) }); err != nil {
		w.Abort(err)
		return run.Plan{}, taskerr.Transient(err)
	}
	if err := w.Close(); err != nil {
		return run.Plan{}, taskerr.Transient(err)
	}
	return run.Plan{Round: req.Round, Tail: n}, nil
}

// ExhaustedKey holds the records a round gave up on because rounds were spent.
func ExhaustedKey(runID string, round int) string {
	return layout.RoundPrefix(runID, round) + "exhausted.jsonl"
}

// giveUp turns every pending record of the round into a failure with its last error.
func (r *Rounds) giveUp(ctx context.Context, req run.Request) error {
	w := NewLineWriter(ctx, r.Store, ExhaustedKey(req.RunID, req.Round))
	err := r.EachPending(ctx, req, func(p Pending) error {
		return w.Write(failureOf(p, req.Round, missingError(req.Round)))
	})
	if err != nil {
		w.Abort(err)
		return taskerr.Transient(err)
	}
	return taskerr.Transient(w.Close())
}

// TailSummary is a round's tail-summary.json.
type TailSummary struct {
	Records   int         `json:"records"`
	Succeeded int         `json:"succeeded"`
	Failed    int         `json:"failed"`
	Calls     int         `json:"calls"`
	Tokens    model.Usage `json:"tokens"`
	Started   time.Time   `json:"startedAt"`
	Ended     time.Time   `json:"endedAt"`
}

// TailAnswersKey and TailFailedKey hold what the tail of a round answered and gave up on.
func TailAnswersKey(runID string, round int) string {
	return layout.RoundPrefix(runID, round) + "tail-answers.jsonl"
}

// TailFailedKey holds the records the tail could not answer.
func TailFailedKey(runID string, round int) string {
	return layout.RoundPrefix(runID, round) + "tail-failed.jsonl"
}

// RunTail answers the round's tail on-demand and writes its answers, failures and, last, its
// summary. Each record's attempts count the batch rounds it went through plus its calls.
func (r *Rounds) RunTail(ctx context.Context, req run.Request) (TailSummary, error) {
	p, err := r.profile(req.Profile)
	if err != nil {
		return TailSummary{}, err
	}
	family, err := model.Detect(p.ModelID, p.InvocationType)
	if err != nil {
		return TailSummary{}, &taskerr.InvalidInputError{Err: err}
	}
	var records []Pending
	err = EachLine(ctx, r.Store, layout.TailKey(req.RunID, req.Round), false, func(line []byte) error {
		var pd Pending
		if err := json.Unmarshal(line, &pd); err != nil {
			return err
		}
		records = append(records, pd)
		return nil
	})
	if err != nil {
		return TailSummary{}, taskerr.Transient(err)
	}
	sum := TailSummary{Records: len(records), Started: r.Now()}
	byID := make(map[string]Pending, len(records))
	reqs := make([]ondemand.Request, len(records))
	for i, pd := range records {
		byID[pd.ID] = pd
		reqs[i] = ondemand.Request{ID: pd.ID, Input: pd.ModelInput}
	}
	// Rounds that batched these records: none when the dataset was too small for any job.
	batchRounds := req.Round
	if chunks, _, err := Manifest(ctx, r.Store, req.RunID, 1); err == nil && len(chunks) == 0 {
		batchRounds = 0
	}
	answers := NewLineWriter(ctx, r.Store, TailAnswersKey(req.RunID, req.Round))
	failed := NewLineWriter(ctx, r.Store, TailFailedKey(req.RunID, req.Round))
	err = r.NewTail(p).Run(ctx, reqs, func(o ondemand.Outcome) error {
		pd := byID[o.ID]
		sum.Calls += o.Attempts
		if o.Err != nil {
			sum.Failed++
			return failed.Write(Failure{RecordID: pd.RecordID, Line: pd.Line, Source: pd.Source,
				Error: ErrorInfo{Code: o.Err.Code, Message: o.Err.Message}, Attempts: batchRounds + o.Attempts, ModelInput: pd.ModelInput})
		}
		sum.Succeeded++
		a := Answer{RecordID: pd.RecordID, ModelOutput: o.Output, AnsweredBy: ByOnDemand, Round: req.Round, Line: pd.Line, Source: pd.Source}
		if u, ok, err := family.Usage(o.Output); err == nil && ok {
			a.Usage = &u
			sum.Tokens = sum.Tokens.Add(u)
		}
		return answers.Write(a)
	})
	if err != nil {
		answers.Abort(err)
		failed.Abort(err)
		return sum, taskerr.Transient(fmt.Errorf("on-demand tail: %w", err))
	}
	if err := errors.Join(answers.Close(), failed.Close()); err != nil {
		return sum, taskerr.Transient(err)
	}
	sum.Ended = r.Now()
	if err := WriteJSON(ctx, r.Store, layout.TailResultKey(req.RunID, req.Round), sum); err != nil {
		return sum, taskerr.Transient(err)
	}
	r.Log.InfoContext(ctx, "tail answered", "runId", req.RunID, "records", sum.Records, "succeeded", sum.Succeeded, "failed", sum.Failed)
	return sum, nil
}

// WriteManifest writes a round's chunk list and returns its key.
func WriteManifest(ctx context.Context, store Store, runID string, round int, chunks []run.ChunkRef) (string, error) {
	key := layout.RoundManifestKey(runID, round)
	return key, WriteJSON(ctx, store, key, chunks)
}

// WriteCarry writes round 1's carried folders.
func WriteCarry(ctx context.Context, store Store, runID string, c Carry) error {
	return WriteJSON(ctx, store, CarryKey(runID), c)
}

// findJob returns the ARN of the job named name, or "" when there is none.
func (r *Rounds) findJob(ctx context.Context, name string) (string, error) {
	jobs, err := r.Jobs.ListByName(ctx, name)
	if err != nil {
		return "", err
	}
	for _, j := range jobs {
		if j.Name == name {
			r.Log.WarnContext(ctx, "job found by name: the ledger had no ARN for it", "jobName", name, "jobArn", j.ARN)
			return j.ARN, nil
		}
	}
	return "", nil
}
