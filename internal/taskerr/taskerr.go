package taskerr

import (
	"errors"
	"fmt"
)

// TransientError is a failure that is likely to pass on retry: a throttled or unavailable AWS
// call, a network error. The state machine retries the task with backoff.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return "transient: " + e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// ThrottledError means Bedrock refused to create a job for now (ThrottlingException). The state
// machine retries the submission with a long backoff; nothing was created.
type ThrottledError struct{ Err error }

func (e *ThrottledError) Error() string { return "throttled: " + e.Err.Error() }
func (e *ThrottledError) Unwrap() error { return e.Err }

// QuotaExceededError means the model's concurrent-job quota is full
// (ServiceQuotaExceededException). The state machine waits for a slot with a long backoff.
type QuotaExceededError struct{ Err error }

func (e *QuotaExceededError) Error() string { return "job quota exceeded: " + e.Err.Error() }
func (e *QuotaExceededError) Unwrap() error { return e.Err }

// JobFailedError means a chunk's Bedrock job ended without processing any record (Failed at
// validation, or Expired). The state machine re-invokes the submitter, which starts the next
// attempt; once attempts are spent, the chunk's records are reconciled as missing.
type JobFailedError struct {
	JobName string
	Status  string
	Message string
}

func (e *JobFailedError) Error() string {
	return fmt.Sprintf("job %s ended %s: %s", e.JobName, e.Status, e.Message)
}

// InvalidInputError means the task's input or the run's data cannot be processed as given (an
// unknown profile, a malformed event, a dataset that cannot be read). Retrying will not help; the
// state machine goes to Finalize, which reports it.
type InvalidInputError struct{ Err error }

func (e *InvalidInputError) Error() string { return "invalid input: " + e.Err.Error() }
func (e *InvalidInputError) Unwrap() error { return e.Err }

// Names lists the Go type names of every error above: the names the state machine may match.
var Names = []string{"TransientError", "ThrottledError", "QuotaExceededError", "JobFailedError", "InvalidInputError"}

// Transient wraps err as a TransientError, keeping an error that is already one of this
// package's types as it is.
func Transient(err error) error {
	if err == nil || Classified(err) {
		return err
	}
	return &TransientError{Err: err}
}

// Invalid wraps err as an InvalidInputError, keeping an already classified error as it is.
func Invalid(err error) error {
	if err == nil || Classified(err) {
		return err
	}
	return &InvalidInputError{Err: err}
}

// Classified reports whether err itself (not something it wraps) is one of this package's types,
// which is what Step Functions will see as the error name.
func Classified(err error) bool {
	switch err.(type) {
	case *TransientError, *ThrottledError, *QuotaExceededError, *JobFailedError, *InvalidInputError:
		return true
	}
	return false
}

// As is errors.As for callers that only need to know a classified error is somewhere in the chain.
func As(err error) (error, bool) {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if Classified(e) {
			return e, true
		}
	}
	return nil, false
}
