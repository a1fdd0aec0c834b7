package bedrockemu

import (
	"encoding/json"
	"time"
)

// Event detail-type and source of the job state change event (reference §4).
const (
	EventSource     = "aws.bedrock"
	EventDetailType = "Batch Inference Job State Change"
)

// BatchJobStateChangeEvent is the EventBridge envelope of a "Batch Inference Job State Change"
// event, fields in EventBridge's order.
type BatchJobStateChangeEvent struct {
	Version    string                    `json:"version"`
	ID         string                    `json:"id"`
	DetailType string                    `json:"detail-type"`
	Source     string                    `json:"source"`
	Account    string                    `json:"account"`
	Time       string                    `json:"time"`
	Region     string                    `json:"region"`
	Resources  []string                  `json:"resources"`
	Detail     BatchJobStateChangeDetail `json:"detail"`
}

// BatchJobStateChangeDetail is the detail of a BatchJobStateChangeEvent, as in the AWS sample.
// BatchModelID is the foundation-model ARN of the job's model; FailureMessage is "" unless the
// job failed; CreationTime is the submit time in the console's format ("May 4, 2026, 7:02:11 AM", UTC).
type BatchJobStateChangeDetail struct {
	Version        string `json:"version"`
	AccountID      string `json:"accountId"`
	BatchJobName   string `json:"batchJobName"`
	BatchJobARN    string `json:"batchJobArn"`
	BatchModelID   string `json:"batchModelId"`
	Status         string `json:"status"`
	FailureMessage string `json:"failureMessage"`
	CreationTime   string `json:"creationTime"`
}

// creationTimeLayout is the human-readable creationTime of the event detail.
const creationTimeLayout = "Jan 2, 2006, 3:04:05 PM"

func (e *Emulator) stateChangeEvent(j *job, now time.Time) []byte {
	ev := BatchJobStateChangeEvent{
		Version:    "0",
		ID:         newUUID(),
		DetailType: EventDetailType,
		Source:     EventSource,
		Account:    e.cfg.AccountID,
		Time:       now.UTC().Format(time.RFC3339),
		Region:     e.cfg.Region,
		Resources:  []string{j.arn},
		Detail: BatchJobStateChangeDetail{
			Version:        "0.0",
			AccountID:      e.cfg.AccountID,
			BatchJobName:   j.spec.Name,
			BatchJobARN:    j.arn,
			BatchModelID:   j.modelARN,
			Status:         j.status,
			FailureMessage: j.message,
			CreationTime:   j.submit.UTC().Format(creationTimeLayout),
		},
	}
	b, _ := json.Marshal(ev)
	return b
}
