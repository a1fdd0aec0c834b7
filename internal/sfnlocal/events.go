package sfnlocal

import (
	"strings"

	"github.com/bedrock-batch/bedrock-batch/internal/asl"
)

// wireEvent renders a history event as GetExecutionHistory does: the common fields plus one
// "<type>EventDetails" object whose name and fields follow the HistoryEvent API shape.
func wireEvent(ev asl.Event, withData bool, region string) map[string]any {
	out := map[string]any{
		"id":        ev.ID,
		"timestamp": epoch(ev.Timestamp),
		"type":      ev.Type,
	}
	if ev.PreviousEventID > 0 {
		out["previousEventId"] = ev.PreviousEventID
	}
	data := func(m map[string]any, key, value string) {
		if withData {
			m[key] = value
		}
		m[key+"Details"] = map[string]bool{"truncated": false}
	}
	errCause := func() map[string]any {
		return map[string]any{"error": ev.Error, "cause": ev.Cause}
	}
	var key string
	var d map[string]any
	switch {
	case ev.Type == "ExecutionStarted":
		key, d = "executionStartedEventDetails", map[string]any{"roleArn": ev.RoleARN}
		data(d, "input", ev.Input)
	case ev.Type == "ExecutionSucceeded":
		key, d = "executionSucceededEventDetails", map[string]any{}
		data(d, "output", ev.Output)
	case ev.Type == "ExecutionFailed":
		key, d = "executionFailedEventDetails", errCause()
	case ev.Type == "ExecutionAborted":
		key, d = "executionAbortedEventDetails", errCause()
	case ev.Type == "ExecutionTimedOut":
		key, d = "executionTimedOutEventDetails", errCause()
	case strings.HasSuffix(ev.Type, "StateEntered"):
		key, d = "stateEnteredEventDetails", map[string]any{"name": ev.StateName}
		data(d, "input", ev.Input)
	case strings.HasSuffix(ev.Type, "StateExited"):
		key, d = "stateExitedEventDetails", map[string]any{"name": ev.StateName}
		data(d, "output", ev.Output)
	case ev.Type == "TaskScheduled":
		key, d = "taskScheduledEventDetails", map[string]any{"resourceType": ev.ResourceType, "resource": ev.Resource,
			"region": region, "parameters": ev.Parameters}
		if ev.TimeoutSeconds > 0 {
			d["timeoutInSeconds"] = ev.TimeoutSeconds
		}
		if ev.HeartbeatSeconds > 0 {
			d["heartbeatInSeconds"] = ev.HeartbeatSeconds
		}
	case ev.Type == "TaskStarted":
		key, d = "taskStartedEventDetails", map[string]any{"resourceType": ev.ResourceType, "resource": ev.Resource}
	case ev.Type == "TaskSubmitted":
		key, d = "taskSubmittedEventDetails", map[string]any{"resourceType": ev.ResourceType, "resource": ev.Resource}
		data(d, "output", ev.Output)
	case ev.Type == "TaskSucceeded":
		key, d = "taskSucceededEventDetails", map[string]any{"resourceType": ev.ResourceType, "resource": ev.Resource}
		data(d, "output", ev.Output)
	case ev.Type == "TaskFailed", ev.Type == "TaskTimedOut":
		key = "taskFailedEventDetails"
		if ev.Type == "TaskTimedOut" {
			key = "taskTimedOutEventDetails"
		}
		d = errCause()
		d["resourceType"], d["resource"] = ev.ResourceType, ev.Resource
	case ev.Type == "LambdaFunctionScheduled":
		key, d = "lambdaFunctionScheduledEventDetails", map[string]any{"resource": ev.Resource}
		if ev.TimeoutSeconds > 0 {
			d["timeoutInSeconds"] = ev.TimeoutSeconds
		}
		data(d, "input", ev.Input)
	case ev.Type == "LambdaFunctionSucceeded":
		key, d = "lambdaFunctionSucceededEventDetails", map[string]any{}
		data(d, "output", ev.Output)
	case ev.Type == "LambdaFunctionFailed":
		key, d = "lambdaFunctionFailedEventDetails", errCause()
	case ev.Type == "LambdaFunctionTimedOut":
		key, d = "lambdaFunctionTimedOutEventDetails", errCause()
	case ev.Type == "MapStateStarted":
		key, d = "mapStateStartedEventDetails", map[string]any{"length": ev.Length}
	case strings.HasPrefix(ev.Type, "MapIteration"):
		key = "mapIteration" + strings.TrimPrefix(ev.Type, "MapIteration") + "EventDetails"
		d = map[string]any{"name": ev.StateName, "index": ev.Index}
	case ev.Type == "MapRunStarted":
		key, d = "mapRunStartedEventDetails", map[string]any{"mapRunArn": ev.MapRunARN}
	case ev.Type == "MapRunFailed":
		key, d = "mapRunFailedEventDetails", errCause()
	}
	if key != "" {
		out[key] = d
	}
	return out
}
