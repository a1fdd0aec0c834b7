package asl

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one execution history event, named and numbered as in Step Functions'
// GetExecutionHistory. Which detail fields are set depends on Type (see Details in sfnlocal).
type Event struct {
	ID              int64
	PreviousEventID int64
	Timestamp       time.Time
	Type            string

	StateName string // *StateEntered, *StateExited, MapIteration*: the state name
	Input     string // JSON: ExecutionStarted, *StateEntered
	Output    string // JSON: ExecutionSucceeded, *StateExited, TaskSucceeded, TaskSubmitted, LambdaFunctionSucceeded

	ResourceType     string // Task*: e.g. "lambda"
	Resource         string // Task*: e.g. "invoke.waitForTaskToken"; Lambda*: the function ARN
	Parameters       string // TaskScheduled: JSON
	TimeoutSeconds   int64  // TaskScheduled, LambdaFunctionScheduled
	HeartbeatSeconds int64  // TaskScheduled

	Error string // *Failed, *TimedOut, ExecutionAborted
	Cause string

	Index     int    // MapIteration*: the item index
	Length    int    // MapStateStarted: the number of items
	MapRunARN string // MapRunStarted
	RoleARN   string // ExecutionStarted
}

// String renders the event as one readable line:
// "  12 +3.500s TaskScheduled       [Submit] lambda:invoke.waitForTaskToken".
func (e Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%4d %-28s", e.ID, e.Type)
	if e.StateName != "" {
		fmt.Fprintf(&b, " [%s]", e.StateName)
	}
	if e.Type == "MapIterationStarted" || e.Type == "MapIterationSucceeded" || e.Type == "MapIterationFailed" || e.Type == "MapIterationAborted" {
		fmt.Fprintf(&b, " #%d", e.Index)
	}
	if e.Resource != "" {
		if e.ResourceType != "" {
			fmt.Fprintf(&b, " %s:%s", e.ResourceType, e.Resource)
		} else {
			fmt.Fprintf(&b, " %s", e.Resource)
		}
	}
	if e.MapRunARN != "" {
		fmt.Fprintf(&b, " %s", e.MapRunARN)
	}
	if e.Type == "MapStateStarted" {
		fmt.Fprintf(&b, " items=%d", e.Length)
	}
	if e.Error != "" || e.Cause != "" {
		fmt.Fprintf(&b, " error=%s cause=%s", e.Error, clip(e.Cause, 160))
	}
	switch {
	case e.Output != "":
		fmt.Fprintf(&b, " output=%s", clip(e.Output, 160))
	case e.Input != "":
		fmt.Fprintf(&b, " input=%s", clip(e.Input, 160))
	}
	return strings.TrimRight(b.String(), " ")
}

// clip shortens s to at most n bytes without splitting a UTF-8 sequence.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// WriteTrace prints events one per line with the time elapsed since the first event.
func WriteTrace(w io.Writer, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	start := events[0].Timestamp
	for _, e := range events {
		if _, err := fmt.Fprintf(w, "%10s %s\n", e.Timestamp.Sub(start).Round(time.Millisecond), e); err != nil {
			return fmt.Errorf("write trace: %w", err)
		}
	}
	return nil
}
