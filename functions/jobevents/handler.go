// Package jobevents is the jobevents Lambda's handler: it receives Bedrock "Batch Inference Job State Change"
// events and wakes the Step Functions task waiting on the job (DESIGN.md §4, step 2).
package jobevents

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/bedrock-batch/bedrock-batch/internal/eventrule"
	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

// BatchJobStateChangeDetail is the detail of a Bedrock "Batch Inference Job State Change" event
// (reference §4).
type BatchJobStateChangeDetail struct {
	Version        string `json:"version"`
	AccountID      string `json:"accountId"`
	BatchJobName   string `json:"batchJobName"`
	BatchJobARN    string `json:"batchJobArn"`
	BatchModelID   string `json:"batchModelId"`
	Status         string `json:"status"`
	FailureMessage string `json:"failureMessage"`
	CreationTime   string `json:"creationTime"` // human-readable, not parsed
}

// Waker is the side of the waiting protocol that answers task tokens (submit.Protocol).
type Waker interface {
	OnJobStateChange(ctx context.Context, jobName, jobARN string) error
}

// Handler wakes waiting tasks.
type Handler struct {
	Waker Waker
}

// Handle passes a job-state event to the protocol. Events of other kinds are ignored. The event's
// status is not trusted: the protocol reads the job, since events may come late, twice or out of
// order.
func (h *Handler) Handle(ctx context.Context, ev events.CloudWatchEvent) error {
	if ev.Source != eventrule.SourceBedrock || ev.DetailType != eventrule.DetailTypeBatchJobStateChange {
		return nil
	}
	var d BatchJobStateChangeDetail
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return taskerr.Invalid(fmt.Errorf("decode job state change detail: %w", err))
	}
	if d.BatchJobName == "" || d.BatchJobARN == "" {
		return taskerr.Invalid(fmt.Errorf("job state change event %s lacks batchJobName or batchJobArn", ev.ID))
	}
	return h.Waker.OnJobStateChange(ctx, d.BatchJobName, d.BatchJobARN)
}
