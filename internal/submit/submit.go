package submit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/bedrockjobs"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/ledger"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/run"
	"github.com/bedrock-batch/bedrock-batch/internal/stepfn"
	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

// MaxJobAttempts bounds the jobs created for one chunk. A job that ends without processing any
// record (failed validation, expired) is retried as a new attempt up to this bound; after it the
// chunk's records are reconciled as missing and go to the next round or the tail.
const MaxJobAttempts = 3

// Jobs is the part of the Bedrock adapter the protocol uses.
type Jobs interface {
	Create(ctx context.Context, s bedrockjobs.Spec) (string, error)
	Get(ctx context.Context, jobARN string) (bedrockjobs.Job, error)
}

// Tasks answers Step Functions task tokens. Closed tokens are reported as stepfn.ErrTokenClosed.
type Tasks interface {
	Succeed(ctx context.Context, token string, output any) error
	Fail(ctx context.Context, token, errorName, cause string) error
	Heartbeat(ctx context.Context, token string) error
}

// Request is the submitter's task input.
type Request struct {
	TaskToken string       `json:"taskToken"`
	RunID     string       `json:"runId"`
	Bucket    string       `json:"bucket"`
	Profile   string       `json:"profile"`
	Round     int          `json:"round"`
	Chunk     run.ChunkRef `json:"chunk"`
}

// Result is what the waiting task receives when its job has ended; the state machine keeps it
// at $.job.
type Result struct {
	JobName string `json:"jobName"`
	JobARN  string `json:"jobArn"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// Protocol holds the dependencies of both sides of the protocol.
type Protocol struct {
	Ledger   *ledger.Ledger
	Jobs     Jobs
	Tasks    Tasks
	Profiles profile.Set
	RoleARN  string
	KMSKeyID string
	Now      func() time.Time
	Log      *slog.Logger
}

// Submit makes sure the chunk has a job, parks the task token in the ledger, and wakes the task
// itself if the job has already ended. It returns nil while the job runs (the task keeps waiting),
// and *taskerr.JobFailedError when the job ended without processing anything and another attempt
// is due (the state machine re-invokes Submit, which creates it). Other errors are taskerr types.
func (p *Protocol) Submit(ctx context.Context, req Request) error {
	prof, ok := p.Profiles[req.Profile]
	if !ok {
		return &taskerr.InvalidInputError{Err: fmt.Errorf("profile %q is not configured", req.Profile)}
	}
	if req.TaskToken == "" || req.RunID == "" || req.Round < 1 || req.Chunk.Index < 0 || !strings.HasSuffix(req.Chunk.Prefix, "/") {
		return &taskerr.InvalidInputError{Err: fmt.Errorf("submit request needs taskToken, runId, round, chunk.index and chunk.prefix: %+v", req)}
	}
	entry, found, err := p.Ledger.Latest(ctx, req.RunID, req.Round, req.Chunk.Index)
	if err != nil {
		return taskerr.Transient(err)
	}
	if found && entry.JobARN != "" {
		job, err := p.Jobs.Get(ctx, entry.JobARN)
		if err != nil {
			return err
		}
		if !retryDue(job) || entry.Attempt >= MaxJobAttempts {
			entry.TaskToken = req.TaskToken
			if err := p.record(ctx, &entry, job); err != nil {
				return err
			}
			return p.settle(ctx, entry, job, true)
		}
		if err := p.record(ctx, &entry, job); err != nil {
			return err
		}
		entry = p.newEntry(req, entry.Attempt+1)
	} else if !found {
		entry = p.newEntry(req, 1)
	}
	// A found entry without an ARN is a creation that crashed half-way: the same job name makes
	// Create return the job if it had been created after all.
	entry.TaskToken = req.TaskToken
	if err := p.Ledger.Put(ctx, entry); err != nil {
		return taskerr.Transient(err)
	}
	arn, err := p.Jobs.Create(ctx, bedrockjobs.Spec{
		JobName:        entry.JobName,
		ModelID:        prof.ModelID,
		InvocationType: prof.InvocationType,
		RoleARN:        p.RoleARN,
		InputURI:       layout.S3URI(req.Bucket, req.Chunk.Prefix+layout.ChunkInputFile),
		OutputURI:      layout.S3URI(req.Bucket, req.Chunk.Prefix+layout.ChunkOutputDir),
		TimeoutHours:   prof.TimeoutHours,
		KMSKeyID:       p.KMSKeyID,
		Tags:           map[string]string{"bbatch:run": req.RunID},
	})
	if err != nil {
		return err
	}
	entry.JobARN = arn
	job, err := p.Jobs.Get(ctx, arn)
	if err != nil {
		return err
	}
	if err := p.record(ctx, &entry, job); err != nil {
		return err
	}
	p.Log.InfoContext(ctx, "job submitted", "runId", req.RunID, "jobName", entry.JobName, "jobArn", arn, "status", job.Status)
	return p.settle(ctx, entry, job, true)
}

// OnJobStateChange handles a "Batch Inference Job State Change" event: it finds the waiting task
// in the ledger and wakes it when the job has ended, or sends a heartbeat while it runs. Events for
// jobs the pipeline did not make, or already answered tokens, are ignored. The job's state is read
// from Bedrock, not trusted from the event, since events can arrive late, twice or out of order.
func (p *Protocol) OnJobStateChange(ctx context.Context, jobName, jobARN string) error {
	ref, ok := layout.ParseJobName(jobName)
	if !ok {
		p.Log.InfoContext(ctx, "event ignored: not a pipeline job", "jobName", jobName)
		return nil
	}
	entry, err := p.Ledger.Get(ctx, ref.RunID, jobName)
	if errors.Is(err, fs.ErrNotExist) {
		p.Log.InfoContext(ctx, "event ignored: job not in the ledger", "jobName", jobName)
		return nil
	}
	if err != nil {
		return taskerr.Transient(err)
	}
	if entry.JobARN == "" {
		entry.JobARN = jobARN
	}
	job, err := p.Jobs.Get(ctx, entry.JobARN)
	if err != nil {
		return err
	}
	return p.settle(ctx, entry, job, false)
}

// settle answers the entry's task token from the job's state. direct is true in the submitter,
// which fails its own invocation instead of sending a task failure.
func (p *Protocol) settle(ctx context.Context, entry ledger.Entry, job bedrockjobs.Job, direct bool) error {
	var err error
	switch {
	case !bedrockjobs.Terminal(job.Status):
		if direct {
			return nil
		}
		err = p.Tasks.Heartbeat(ctx, entry.TaskToken)
	case retryDue(job) && entry.Attempt < MaxJobAttempts:
		failed := &taskerr.JobFailedError{JobName: entry.JobName, Status: job.Status, Message: job.Message}
		if direct {
			return failed
		}
		err = p.Tasks.Fail(ctx, entry.TaskToken, "JobFailedError", failed.Error())
	default:
		err = p.Tasks.Succeed(ctx, entry.TaskToken, Result{JobName: entry.JobName, JobARN: entry.JobARN, Status: job.Status, Message: job.Message})
	}
	if errors.Is(err, stepfn.ErrTokenClosed) {
		p.Log.InfoContext(ctx, "task token already closed", "jobName", entry.JobName, "status", job.Status)
		return nil
	}
	return err
}

// record writes what was learnt of the job into the entry and the ledger.
func (p *Protocol) record(ctx context.Context, e *ledger.Entry, job bedrockjobs.Job) error {
	e.Status, e.Message, e.Updated = job.Status, job.Message, p.Now()
	if bedrockjobs.Terminal(job.Status) && e.EndedAt.IsZero() {
		e.EndedAt = job.Ended
		if e.EndedAt.IsZero() {
			e.EndedAt = p.Now()
		}
	}
	if err := p.Ledger.Put(ctx, *e); err != nil {
		return taskerr.Transient(err)
	}
	return nil
}

func (p *Protocol) newEntry(req Request, attempt int) ledger.Entry {
	now := p.Now()
	return ledger.Entry{
		JobName: layout.JobName(req.RunID, req.Round, req.Chunk.Index, attempt),
		RunID:   req.RunID, Round: req.Round, Chunk: req.Chunk.Index, Attempt: attempt,
		Records: req.Chunk.Records, SubmittedAt: now, Updated: now,
	}
}

// retryDue reports whether a job ended without processing any record, so a new attempt at the
// same chunk is worth more than reconciling nothing.
func retryDue(job bedrockjobs.Job) bool {
	return (job.Status == "Failed" || job.Status == "Expired") && job.Processed == 0
}
