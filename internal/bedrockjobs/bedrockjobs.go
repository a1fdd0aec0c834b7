package bedrockjobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/smithy-go"

	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

// API is the part of the Bedrock client the adapter calls.
type API interface {
	CreateModelInvocationJob(ctx context.Context, in *bedrock.CreateModelInvocationJobInput, optFns ...func(*bedrock.Options)) (*bedrock.CreateModelInvocationJobOutput, error)
	GetModelInvocationJob(ctx context.Context, in *bedrock.GetModelInvocationJobInput, optFns ...func(*bedrock.Options)) (*bedrock.GetModelInvocationJobOutput, error)
	StopModelInvocationJob(ctx context.Context, in *bedrock.StopModelInvocationJobInput, optFns ...func(*bedrock.Options)) (*bedrock.StopModelInvocationJobOutput, error)
	ListModelInvocationJobs(ctx context.Context, in *bedrock.ListModelInvocationJobsInput, optFns ...func(*bedrock.Options)) (*bedrock.ListModelInvocationJobsOutput, error)
}

var _ API = (*bedrock.Client)(nil)

// Client submits and inspects jobs.
type Client struct {
	API API
}

// Spec is what a job is created from.
type Spec struct {
	JobName        string // also the clientRequestToken
	ModelID        string
	InvocationType string // InvokeModel or Converse
	RoleARN        string
	InputURI       string // s3:// of the input file
	OutputURI      string // s3:// folder Bedrock writes <jobId>/ under
	TimeoutHours   int
	KMSKeyID       string // optional
	Tags           map[string]string
}

// Job is what the pipeline needs to know of a job.
type Job struct {
	ARN       string
	Name      string
	Status    string
	Message   string
	Submitted time.Time
	Ended     time.Time
	Total     int64
	Processed int64
	Succeeded int64
	Errored   int64
}

// Terminal statuses (reference §6).
var terminal = map[string]bool{"Completed": true, "PartiallyCompleted": true, "Failed": true, "Stopped": true, "Expired": true}

// Terminal reports whether a job in this status will never change again.
func Terminal(status string) bool { return terminal[status] }

// ID returns the 12-character job id, the last segment of a job ARN: the folder Bedrock writes
// the job's outputs to under the output location.
func ID(jobARN string) string { return jobARN[strings.LastIndexByte(jobARN, '/')+1:] }

// Create submits the job and returns its ARN. Replays with the same job name return the first
// job. Errors: *taskerr.ThrottledError (try again later), *taskerr.QuotaExceededError (wait for a
// slot), *taskerr.InvalidInputError (the request itself is wrong), *taskerr.TransientError.
func (c *Client) Create(ctx context.Context, s Spec) (string, error) {
	in := &bedrock.CreateModelInvocationJobInput{
		JobName:            aws.String(s.JobName),
		ClientRequestToken: aws.String(s.JobName),
		ModelId:            aws.String(s.ModelID),
		RoleArn:            aws.String(s.RoleARN),
		InputDataConfig: &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{Value: types.ModelInvocationJobS3InputDataConfig{
			S3Uri: aws.String(s.InputURI), S3InputFormat: types.S3InputFormatJsonl,
		}},
		OutputDataConfig: &types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{Value: types.ModelInvocationJobS3OutputDataConfig{
			S3Uri: aws.String(s.OutputURI), S3EncryptionKeyId: nilIfEmpty(s.KMSKeyID),
		}},
	}
	if s.InvocationType != "" {
		in.ModelInvocationType = types.ModelInvocationType(s.InvocationType)
	}
	if s.TimeoutHours > 0 {
		in.TimeoutDurationInHours = aws.Int32(int32(s.TimeoutHours))
	}
	for k, v := range s.Tags {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	out, err := c.API.CreateModelInvocationJob(ctx, in)
	if err != nil {
		return "", classify(fmt.Errorf("create job %s: %w", s.JobName, err))
	}
	return aws.ToString(out.JobArn), nil
}

// Get returns the job's current state. A job that does not exist is *taskerr.InvalidInputError.
func (c *Client) Get(ctx context.Context, jobARN string) (Job, error) {
	out, err := c.API.GetModelInvocationJob(ctx, &bedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(jobARN)})
	if err != nil {
		return Job{}, classify(fmt.Errorf("get job %s: %w", jobARN, err))
	}
	return Job{
		ARN: aws.ToString(out.JobArn), Name: aws.ToString(out.JobName), Status: string(out.Status),
		Message: aws.ToString(out.Message), Submitted: aws.ToTime(out.SubmitTime), Ended: aws.ToTime(out.EndTime),
		Total: aws.ToInt64(out.TotalRecordCount), Processed: aws.ToInt64(out.ProcessedRecordCount),
		Succeeded: aws.ToInt64(out.SuccessRecordCount), Errored: aws.ToInt64(out.ErrorRecordCount),
	}, nil
}

// Stop asks Bedrock to stop the job. Stopping a job that already ended is not an error.
func (c *Client) Stop(ctx context.Context, jobARN string) error {
	_, err := c.API.StopModelInvocationJob(ctx, &bedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(jobARN)})
	var conflict *types.ConflictException
	if errors.As(err, &conflict) {
		return nil
	}
	if err != nil {
		return classify(fmt.Errorf("stop job %s: %w", jobARN, err))
	}
	return nil
}

// ListByName returns every job whose name contains part, following all pages.
func (c *Client) ListByName(ctx context.Context, part string) ([]Job, error) {
	var jobs []Job
	p := bedrock.NewListModelInvocationJobsPaginator(c.API, &bedrock.ListModelInvocationJobsInput{NameContains: aws.String(part)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, classify(fmt.Errorf("list jobs named like %s: %w", part, err))
		}
		for _, s := range page.InvocationJobSummaries {
			jobs = append(jobs, Job{
				ARN: aws.ToString(s.JobArn), Name: aws.ToString(s.JobName), Status: string(s.Status),
				Message: aws.ToString(s.Message), Submitted: aws.ToTime(s.SubmitTime), Ended: aws.ToTime(s.EndTime),
				Total: aws.ToInt64(s.TotalRecordCount), Processed: aws.ToInt64(s.ProcessedRecordCount),
				Succeeded: aws.ToInt64(s.SuccessRecordCount), Errored: aws.ToInt64(s.ErrorRecordCount),
			})
		}
	}
	return jobs, nil
}

// classify maps SDK errors to the pipeline's task errors.
func classify(err error) error {
	var (
		throttle *types.ThrottlingException
		quota    *types.ServiceQuotaExceededException
		invalid  *types.ValidationException
		notFound *types.ResourceNotFoundException
		denied   *types.AccessDeniedException
		conflict *types.ConflictException
		api      smithy.APIError
	)
	switch {
	case errors.As(err, &throttle):
		return &taskerr.ThrottledError{Err: err}
	case errors.As(err, &quota):
		return &taskerr.QuotaExceededError{Err: err}
	case errors.As(err, &invalid), errors.As(err, &notFound), errors.As(err, &denied), errors.As(err, &conflict):
		return &taskerr.InvalidInputError{Err: err}
	case errors.As(err, &api) && api.ErrorFault() == smithy.FaultClient:
		return &taskerr.InvalidInputError{Err: err}
	}
	return &taskerr.TransientError{Err: err}
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
