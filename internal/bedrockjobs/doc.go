// Package bedrockjobs is the pipeline's adapter to the Bedrock batch control plane
// (CreateModelInvocationJob, GetModelInvocationJob, StopModelInvocationJob,
// ListModelInvocationJobs; reference §1). It holds the aws-sdk-go-v2 client behind an interface of
// exactly those methods and translates the SDK's errors into internal/taskerr types, which is how
// the state machine decides to back off, wait for a slot, or give up.
//
// Create always sends the job name as clientRequestToken, so calling it again for the same job
// name returns the same job instead of creating a second one.
package bedrockjobs
