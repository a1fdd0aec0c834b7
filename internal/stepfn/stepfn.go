package stepfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

// API is the part of the sfn client the adapter calls.
type API interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	StopExecution(ctx context.Context, in *sfn.StopExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StopExecutionOutput, error)
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
	SendTaskHeartbeat(ctx context.Context, in *sfn.SendTaskHeartbeatInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskHeartbeatOutput, error)
}

var _ API = (*sfn.Client)(nil)

// ErrTokenClosed means the task token no longer waits: its task succeeded, failed, timed out or
// was replaced by a newer attempt. The caller has nothing left to do for that token.
var ErrTokenClosed = errors.New("task token is closed")

// ErrAlreadyStarted means an execution with this name already exists and Step Functions will not
// start it again: it has finished, or it runs with another input. Run names are derived from the
// input objects' content, so for intake this means the run was already started: nothing to do.
var ErrAlreadyStarted = errors.New("execution already started")

// Client talks to Step Functions.
type Client struct {
	API API
}

// Start starts an execution named name and returns its ARN. Starting the same name with the same
// input while it runs returns the running execution (Step Functions' own idempotency); once it has
// finished, or with another input, the answer is ErrAlreadyStarted.
func (c *Client) Start(ctx context.Context, stateMachineARN, name string, input any) (string, error) {
	body, err := json.Marshal(input)
	if err != nil {
		return "", fmt.Errorf("encode input of execution %s: %w", name, err)
	}
	out, err := c.API.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(stateMachineARN), Name: aws.String(name), Input: aws.String(string(body)),
	})
	var exists *types.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		return "", fmt.Errorf("start execution %s: %w", name, ErrAlreadyStarted)
	}
	if err != nil {
		return "", taskerr.Transient(fmt.Errorf("start execution %s: %w", name, err))
	}
	return aws.ToString(out.ExecutionArn), nil
}

// Succeed completes the task waiting on token with output. ErrTokenClosed when nothing waits.
func (c *Client) Succeed(ctx context.Context, token string, output any) error {
	body, err := json.Marshal(output)
	if err != nil {
		return fmt.Errorf("encode task output: %w", err)
	}
	_, err = c.API.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(string(body))})
	return tokenErr("send task success", err)
}

// Fail fails the task waiting on token with an error name the state machine matches on.
// ErrTokenClosed when nothing waits.
func (c *Client) Fail(ctx context.Context, token, errorName, cause string) error {
	_, err := c.API.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String(errorName), Cause: aws.String(truncate(cause, 32768))})
	return tokenErr("send task failure", err)
}

// Heartbeat tells the task waiting on token that its job is still going. ErrTokenClosed when
// nothing waits.
func (c *Client) Heartbeat(ctx context.Context, token string) error {
	_, err := c.API.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)})
	return tokenErr("send task heartbeat", err)
}

// Execution is what the CLI shows of an execution.
type Execution struct {
	ARN     string
	Name    string
	Status  string // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
	Started time.Time
	Stopped time.Time
	Input   string
	Output  string
	Error   string
	Cause   string
}

// Describe returns an execution's state.
func (c *Client) Describe(ctx context.Context, executionARN string) (Execution, error) {
	out, err := c.API.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN)})
	if err != nil {
		return Execution{}, fmt.Errorf("describe execution %s: %w", executionARN, err)
	}
	return Execution{
		ARN: aws.ToString(out.ExecutionArn), Name: aws.ToString(out.Name), Status: string(out.Status),
		Started: aws.ToTime(out.StartDate), Stopped: aws.ToTime(out.StopDate),
		Input: aws.ToString(out.Input), Output: aws.ToString(out.Output),
		Error: aws.ToString(out.Error), Cause: aws.ToString(out.Cause),
	}, nil
}

// Stop aborts an execution. Stopping one that already ended is not an error.
func (c *Client) Stop(ctx context.Context, executionARN, cause string) error {
	_, err := c.API.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(executionARN), Cause: aws.String(cause)})
	if err != nil {
		return fmt.Errorf("stop execution %s: %w", executionARN, err)
	}
	return nil
}

func tokenErr(doing string, err error) error {
	var (
		timedOut *types.TaskTimedOut
		gone     *types.TaskDoesNotExist
		invalid  *types.InvalidToken
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &timedOut), errors.As(err, &gone), errors.As(err, &invalid):
		return fmt.Errorf("%s: %w", doing, ErrTokenClosed)
	}
	return taskerr.Transient(fmt.Errorf("%s: %w", doing, err))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
