// Package sfnlocal serves the Step Functions API over an asl.Engine on the real wire protocol
// (awsJson1.0: POST /, X-Amz-Target: AWSStepFunctions.<Operation>, Content-Type
// application/x-amz-json-1.0, errors as HTTP 400 with {"__type","message"} and an
// X-Amzn-ErrorType header), so the unmodified aws-sdk-go-v2 sfn client works against it with only
// BaseEndpoint changed.
//
// It owns the HTTP translation only: request decoding, paging tokens, timestamps as epoch
// seconds, HistoryEvent detail objects and the mapping of asl errors to API error codes. It must
// not run states itself; all behaviour lives in package asl.
//
// Operations: CreateStateMachine (STANDARD only; definition substitutions given to New are
// applied), DescribeStateMachine, StartExecution (idempotent for the same name and input while
// the execution runs, otherwise ExecutionAlreadyExists), DescribeExecution, StopExecution,
// ListExecutions (stateMachineArn or mapRunArn, statusFilter, maxResults, nextToken),
// GetExecutionHistory (maxResults, nextToken, reverseOrder, includeExecutionData),
// SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat (InvalidToken for a malformed token,
// TaskDoesNotExist for one never issued, TaskTimedOut for one whose task already ended, timed out
// or was retried, InvalidOutput for output that is not JSON). Anything else is
// UnknownOperationException.
//
// Implemented against the AWS Step Functions API Reference (StartExecution, SendTaskSuccess,
// GetExecutionHistory, HistoryEvent, Common Errors).
package sfnlocal
