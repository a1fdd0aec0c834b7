package eventrule

import "encoding/json"

// Sources and detail-types of the events the pipeline reacts to, as AWS sends them.
const (
	SourceS3                      = "aws.s3"
	DetailTypeObjectCreated       = "Object Created"
	SourceBedrock                 = "aws.bedrock"
	DetailTypeBatchJobStateChange = "Batch Inference Job State Change"
	SourceSchedule                = "aws.events"
	DetailTypeScheduledEvent      = "Scheduled Event"
)

// InboxPrefix is the key prefix under which a dropped object starts a run.
const InboxPrefix = "inbox/"

// Names of the functions the rules deliver to.
const (
	TargetIntake    = "intake"
	TargetJobEvents = "jobevents"
)

// Pattern is an EventBridge event pattern. Its fields mirror the CDK's events.EventPattern
// (Source, DetailType, Detail), and it marshals to the pattern JSON EventBridge takes.
// Detail holds nested field patterns: a map for a nested object, a slice of matchers for a leaf.
type Pattern struct {
	Source     []string       `json:"source,omitempty"`
	DetailType []string       `json:"detail-type,omitempty"`
	Detail     map[string]any `json:"detail,omitempty"`
}

// JSON returns the pattern as EventBridge pattern JSON. It cannot fail for the patterns this
// package builds; a Detail holding a value JSON cannot encode panics, as that is a programming error.
func (p Pattern) JSON() []byte {
	b, err := json.Marshal(p)
	if err != nil {
		panic("eventrule: pattern does not marshal: " + err.Error())
	}
	return b
}

// Rule binds a pattern to the name of the function it triggers.
type Rule struct {
	Name    string  // rule name, unique within the bus
	Pattern Pattern // what the rule matches
	Target  string  // TargetIntake or TargetJobEvents
}

// InboxObjectCreated matches S3 "Object Created" events for objects in bucket under InboxPrefix.
func InboxObjectCreated(bucket string) Pattern {
	return Pattern{
		Source:     []string{SourceS3},
		DetailType: []string{DetailTypeObjectCreated},
		Detail: map[string]any{
			"bucket": map[string]any{"name": []string{bucket}},
			"object": map[string]any{"key": []any{map[string]string{"prefix": InboxPrefix}}},
		},
	}
}

// BatchJobStateChange matches every Bedrock batch inference job state change event. It does not
// filter on status: jobevents heartbeats on non-terminal statuses.
func BatchJobStateChange() Pattern {
	return Pattern{
		Source:     []string{SourceBedrock},
		DetailType: []string{DetailTypeBatchJobStateChange},
	}
}

// Scheduled matches EventBridge scheduled events. On AWS a schedule rule carries a schedule
// expression rather than a pattern; the local bus routes the scheduled events it is given with it.
func Scheduled() Pattern {
	return Pattern{
		Source:     []string{SourceSchedule},
		DetailType: []string{DetailTypeScheduledEvent},
	}
}

// Rules returns the pipeline's rules for bucket, in a fixed order.
func Rules(bucket string) []Rule {
	return []Rule{
		{Name: "InboxObjectCreated", Pattern: InboxObjectCreated(bucket), Target: TargetIntake},
		{Name: "BatchJobStateChange", Pattern: BatchJobStateChange(), Target: TargetJobEvents},
		{Name: "Scheduled", Pattern: Scheduled(), Target: TargetIntake},
	}
}
