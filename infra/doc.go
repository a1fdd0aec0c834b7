// Command infra is the bedrock-batch CDK app: `npx cdk synth|diff|deploy` runs it through cdk.json
// (`go run ./infra`). It owns the deployed shape of the pipeline: the bucket, the EventBridge
// rules, the five Lambdas (built from this repository during synth, without Docker), the state
// machine inlined from statemachine/pipeline.asl.json, the Bedrock service role, least-privilege
// grants, alarms and the stack outputs the CLI reads.
//
// It must not hold pipeline logic or restate values defined elsewhere: environment variable names
// come from internal/settings, rule patterns from internal/eventrule, bucket prefixes from
// internal/layout, profiles are parsed and validated by internal/profile, and the definition and
// its substitution names come from statemachine.
//
// Implements against:
// https://docs.aws.amazon.com/bedrock/latest/userguide/batch-iam-sr.html,
// https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-permissions.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html and
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html.
package main
