package asl

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/bedrock-batch/bedrock-batch/internal/asl/expr"
)

// Step Functions error names this interpreter raises or matches.
const (
	ErrAll                   = "States.ALL"
	ErrTaskFailed            = "States.TaskFailed"
	ErrTimeout               = "States.Timeout"
	ErrHeartbeatTimeout      = "States.HeartbeatTimeout"
	ErrPermissions           = "States.Permissions"
	ErrRuntime               = "States.Runtime"
	ErrDataLimitExceeded     = "States.DataLimitExceeded"
	ErrNoChoiceMatched       = "States.NoChoiceMatched"
	ErrBranchFailed          = "States.BranchFailed"
	ErrItemReaderFailed      = "States.ItemReaderFailed"
	ErrResultWriterFailed    = "States.ResultWriterFailed"
	ErrExceedToleratedFailed = "States.ExceedToleratedFailureThreshold"
	ErrAborted               = "States.Aborted"
)

// Failure is a Step Functions error: the name Retry and Catch match with ErrorEquals and a
// human-readable cause. A binding returns a *Failure to choose the error name the state
// machine sees.
type Failure struct {
	Error string
	Cause string
}

// Err returns the failure as an error value.
func (f *Failure) Err() error { return failureError{f} }

type failureError struct{ f *Failure }

func (e failureError) Error() string { return e.f.Error + ": " + e.f.Cause }

// AsFailure converts err into a Failure: a *Failure (or an error wrapping one, from Err) as is,
// an *expr.Error with its name, anything else as States.TaskFailed with err's text as cause.
func AsFailure(err error) *Failure {
	var fe failureError
	if errors.As(err, &fe) {
		return fe.f
	}
	var ee *expr.Error
	if errors.As(err, &ee) {
		return &Failure{Error: ee.Name, Cause: ee.Cause}
	}
	return &Failure{Error: ErrTaskFailed, Cause: err.Error()}
}

// terminal reports whether no Retry or Catch may handle the error: Step Functions documents
// States.DataLimitExceeded and States.Runtime as terminal, not matched even by States.ALL.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
func terminal(name string) bool {
	return name == ErrDataLimitExceeded || name == ErrRuntime || name == ErrAborted
}

// matches reports whether ErrorEquals names match the error name: exact names, States.ALL for
// any non-terminal error, States.TaskFailed for any non-terminal error except timeouts, and
// States.Timeout also for a heartbeat timeout.
func matches(names []string, errName string) bool {
	if terminal(errName) {
		return false
	}
	if slices.Contains(names, errName) || slices.Contains(names, ErrAll) {
		return true
	}
	isTimeout := errName == ErrTimeout || errName == ErrHeartbeatTimeout
	if slices.Contains(names, ErrTimeout) && isTimeout {
		return true
	}
	return slices.Contains(names, ErrTaskFailed) && !isTimeout
}

// ErrorTypeName returns the error name AWS Lambda reports for an error returned by a Go handler,
// following aws-lambda-go: a messages.InvokeResponse_Error keeps its Type; otherwise the Go type
// name without package, one pointer level stripped (errors.New gives "errorString", fmt.Errorf
// with %w gives "wrapError", a *MyErr gives "MyErr").
func ErrorTypeName(err error) string {
	if ive, ok := err.(messages.InvokeResponse_Error); ok {
		return ive.Type
	}
	return panicTypeName(err)
}

func panicTypeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return ""
	}
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

// lambdaFailure turns a handler error into the failure a Lambda function error produces in Step
// Functions: Error is the errorType, Cause the function's error payload as JSON.
func lambdaFailure(err error) *Failure {
	resp := messages.InvokeResponse_Error{Message: err.Error(), Type: ErrorTypeName(err)}
	if ive, ok := err.(messages.InvokeResponse_Error); ok {
		resp = ive
	}
	return lambdaPayloadFailure(resp)
}

func lambdaPayloadFailure(resp messages.InvokeResponse_Error) *Failure {
	cause, mErr := json.Marshal(resp)
	if mErr != nil {
		cause = []byte(fmt.Sprintf("%q", resp.Message))
	}
	return &Failure{Error: resp.Type, Cause: string(cause)}
}
