package expr

import "fmt"

// Error names this package reports. They are the Step Functions error names a Retry or Catch
// matches with ErrorEquals.
const (
	// ErrRuntime is States.Runtime: a path that selects nothing, a template that is malformed at
	// run time. Step Functions does not retry it by default; States.ALL catches it.
	ErrRuntime = "States.Runtime"
	// ErrIntrinsicFailure is States.IntrinsicFailure: an intrinsic function call with the wrong
	// number or types of arguments, or arguments its documented limits reject.
	ErrIntrinsicFailure = "States.IntrinsicFailure"
	// ErrResultPathMatchFailure is States.ResultPathMatchFailure: ResultPath cannot be applied to
	// the state's input (it walks into a value that is not an object, or past an array's end).
	ErrResultPathMatchFailure = "States.ResultPathMatchFailure"
)

// Error is a Step Functions error raised while evaluating a path, a payload template or an
// intrinsic function. Name is the error name a Retry or Catch matches (one of the Err constants);
// Cause is the human-readable reason, never the whole document being evaluated.
type Error struct {
	Name  string
	Cause string
}

// Error returns "Name: Cause".
func (e *Error) Error() string { return e.Name + ": " + e.Cause }

func errorf(name, format string, args ...any) *Error {
	return &Error{Name: name, Cause: fmt.Sprintf(format, args...)}
}
