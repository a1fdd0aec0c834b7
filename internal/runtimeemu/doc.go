// Package runtimeemu emulates the Amazon Bedrock runtime (bedrock-runtime) for local runs and
// tests: an http.Handler serving InvokeModel (POST /model/{modelId}/invoke, the model's raw JSON
// body in and out) and Converse (POST /model/{modelId}/converse, the restJson Converse shapes)
// with the deterministic fake models of internal/fakemodel, so the real aws-sdk-go-v2
// bedrockruntime client can talk to it through BaseEndpoint.
//
// Wire behaviour follows the project reference (shared/reference/bedrock-batch-api.md §1.5, §1.6)
// and the SDK's bedrockruntime v1.63.13 snapshots:
//   - The {modelId} label arrives percent-encoded ("%3A", "%2F"): base ids, cross-region profile
//     ids and foundation-model / inference-profile / application-inference-profile ARNs all work.
//     An id fakemodel does not know answers 404 ResourceNotFoundException.
//   - Success: 200, Content-Type application/json, and the headers Bedrock adds that the SDK does
//     not model: X-Amzn-Bedrock-Input-Token-Count, X-Amzn-Bedrock-Output-Token-Count (from
//     fakemodel's token rule) and X-Amzn-Bedrock-Invocation-Latency (measured milliseconds).
//   - Errors: the status, X-Amzn-ErrorType, x-amzn-RequestId and {"__type", "message"}.
//     Schema breaks are 400 ValidationException with fakemodel's message. Injected faults:
//     ThrottlingException 429, ModelTimeoutException 408, InternalServerException 500,
//     ServiceUnavailableException 503, ValidationException 400 (see Config and FromFaults).
//   - InvokeModel accepts Content-Type application/json, application/octet-stream or none; other
//     types answer 400. The Accept header is not checked.
//
// Not emulated: streaming operations, guardrails, async invoke, CountTokens, bearer-token auth
// checks (any credentials are accepted, signatures are not verified).
//
// The package must not import the pipeline code it is used to check (internal/dataset, chunk,
// reconcile, model, pricing, s3store, dirstore); it may import internal/faults.
package runtimeemu
