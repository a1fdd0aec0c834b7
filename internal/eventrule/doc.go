// Package eventrule defines, once, the EventBridge rule patterns the pipeline is triggered by:
// S3 "Object Created" under the inbox prefix of the bucket (to intake), Bedrock "Batch Inference
// Job State Change" (to jobevents) and scheduled events (to intake). The local event bus routes
// with these values and the CDK app builds its rules from the very same values, so the two cannot
// drift.
//
// It holds values only: no matching (that is internal/eventbus), no AWS SDK.
//
// Implements against:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html and
// https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-eventbridge-how-it-works.html.
package eventrule
