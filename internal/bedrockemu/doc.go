// Package bedrockemu emulates the Amazon Bedrock batch inference control plane so the real
// aws-sdk-go-v2 bedrock client can run batch jobs with no AWS account.
//
// It owns the four restJson1 operations CreateModelInvocationJob, GetModelInvocationJob,
// ListModelInvocationJobs and StopModelInvocationJob (an http.Handler; point the client's
// BaseEndpoint at it), the job lifecycle Submitted → Validating → Scheduled → InProgress →
// Completed / PartiallyCompleted / Failed / Expired (Stop: Stopping → Stopped), reading job input
// and writing job output through the S3 API, the per-model job quota, the batch faults of a
// faults.Spec, and the "Batch Inference Job State Change" events. Records are answered by
// internal/fakemodel.
//
// It implements the project's Bedrock batch reference (bedrock-batch-api.md: §1 wire shapes and
// errors, §2 input and output layout, §3 manifest, §4 events, §5 quotas, §6 statuses; section
// numbers below point there), which follows the AWS API reference https://docs.aws.amazon.com/bedrock/latest/APIReference/ and the batch inference user
// guide https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference.html.
// It must not import the pipeline code it is used to check (dataset, chunk, reconcile, model,
// pricing, s3store, dirstore).
//
// # Pacing
//
// Config.JobDuration is spread over the phases: 5% Submitted, 15% Validating, 15% Scheduled,
// 65% InProgress in ten equal steps (the progress counters move once per step); Stop takes 5%.
// Config.Clock paces it: WallClock by default, FakeClock in tests (Advance, then Wait). Wait
// blocks until no job can move before the clock does and every event has been delivered; with
// JobDuration 0 every job is then terminal. A job whose timeoutDurationInHours passes on the clock
// ends Expired if it had not started and PartiallyCompleted (records processed so far) if it had.
//
// # Concurrency and memory
//
// Each due job is stepped by its own goroutine, so independent jobs advance at the same time;
// one job's transitions are never concurrent, so its events stay in order. A step answers its
// slice of records on its own goroutine plus one helper per CPU (GOMAXPROCS) not busy with
// another step; the output does not depend on how the work was split. Validating streams each
// input object through a 1 MiB buffer (a longer line is gathered whole) and appends each record's
// recordId and compact modelInput to the job's spill, an unlinked temporary file that is then
// mapped read-only, so a job never holds its input in Go memory: the records are slices of the
// mapping, kept in the kernel's page cache. InProgress keeps only each record's model output; the
// output objects are built line by line as the upload reads them, sent with UNSIGNED-PAYLOAD so
// the SDK computes only their CRC32 and no SHA-256. A job's spill and results are released when it
// ends, or when the emulator is closed.
//
// # Choices where the reference is silent (its §9)
//
//   - Create replay (§9.6): a repeated clientRequestToken with the same parameters answers 200
//     with the original jobArn and creates nothing, whatever the job's status. The same token with
//     any parameter different answers ConflictException. Tokens never expire. A Create without a
//     token (the Go SDK always sends one) is not idempotent.
//   - Duplicate jobName (§9.7): a jobName used by any earlier job, in any status, answers
//     ValidationException ("The job name ... is already in use ..."), since jobs cannot be deleted.
//   - Stop (§9.7): on Submitted, Validating, Scheduled or InProgress it moves to Stopping at once
//     and Stopped shortly after; on a Stopping job it is a no-op 200; on a terminal job it answers
//     ConflictException.
//   - Unknown model id: ValidationException "The provided model identifier is invalid." (the
//     runtime's wording). A modelId that fails no pattern but names no served model is the same.
//   - Defaults (§9.8): timeoutDurationInHours 168 when omitted (Get always reports it, and
//     jobExpirationTime = submitTime + timeout); modelInvocationType InvokeModel; s3InputFormat
//     reported as JSONL. List: sortBy CreationTime, sortOrder Descending (newest first),
//     maxResults 100; nameContains is a case-sensitive substring match; submitTimeAfter and
//     submitTimeBefore are strict bounds. nextToken is opaque (the position of the last job
//     returned), so pages stay consistent while jobs are created.
//   - Quota accounting (§9.9): the per-model cap (Limits.MaxActiveJobs, default 20) counts every
//     non-terminal job (Submitted, Validating, Scheduled, InProgress, Stopping) of the same base
//     model; a profile id, a profile ARN and a foundation-model ARN count with their base model.
//     Exceeding it answers ServiceQuotaExceededException on Create. Minimum and maximum record
//     counts, file and job sizes are checked during Validating and fail the job with a message
//     naming the file, the count and the limit. Unless Config.Limits sets them, the minimum is 50
//     records for Llama 4 Scout and 100 otherwise, the job size 100 GB for Nova Pro and 5 GB
//     otherwise (reference §5).
//   - Quota values (§9.11) are the mid-2025 table's, overridable through Config.Limits; there is
//     no cap on the number of input files. Control-plane rates (§9.13) are not limited; only the
//     create-throttle fault answers ThrottlingException.
//   - Validation reads every object under the input s3Uri whose key ends in ".jsonl" (a key ending
//     in ".jsonl" that exists is read alone), sub-folders included; other objects are ignored; no
//     .jsonl object fails the job. Blank lines are skipped. A line that is not a JSON object, or
//     has no modelInput object, fails the job with the file and line number (never the content).
//     modelInput is not checked against the model (records fail individually later, reference §2.1).
//   - Output layout (§9.1): <output s3Uri>/<jobId>/<path of the input file relative to the input
//     prefix>.out, so same-named files in different sub-folders do not collide, plus
//     <output s3Uri>/<jobId>/manifest.json.out. Lines are in a shuffled order, deterministic by
//     seed and job (§9.14). Model output and echoed modelInput are compacted JSON.
//   - Unprocessed records (§9.2): records not processed in a PartiallyCompleted, Stopped or
//     mid-run Failed job are absent from the output files; their manifest and counters count only
//     what was written. A job that never reached InProgress writes nothing, no manifest either.
//   - Missing recordId (§2.1): an 11-character [a-z0-9] id derived from the seed, the input key
//     and the line number. A non-string recordId is echoed as given.
//   - Error lines (§9.3): errorCode is always a JSON number; errorMessage is the model error's
//     message (fakemodel's Bedrock wording) or the fault's message.
//   - Manifest tokens (§9.4, §9.5): inputTokenCount and outputTokenCount are always present,
//     summed from each output's usage fields (Claude usage.input_tokens/output_tokens, Nova and
//     Converse usage.inputTokens/outputTokens, Titan inputTextTokenCount and results[].tokenCount,
//     Llama prompt_token_count/generation_token_count); bodies without usage (Mistral, Cohere)
//     count zero. The manifest is written once, when the job ends.
//   - Get/List counters: totalRecordCount is 0 until validation has counted the records; all four
//     counters are always present.
//   - modelId on Get/List (§9.12): a cross-region profile id is returned as the full
//     inference-profile ARN (reference §1.2); every other form is returned as submitted.
//   - Events (§9.10): one event per status change, Submitted included, delivered in order through
//     Config.OnEvent. batchModelId is the foundation-model ARN of the base model (a profile id or
//     profile ARN is resolved to its base model; custom-model and application-profile ARNs are
//     passed through). creationTime is the submit time in UTC in the console format
//     "May 4, 2026, 7:02:11 AM"; the envelope has a UUID id and RFC 3339 time; no progress
//     counters in detail. failureMessage is the job's message ("" unless Failed or Expired).
//   - Requests are not authenticated; any credentials work. Every response carries a fresh
//     x-amzn-RequestId; errors carry X-Amzn-ErrorType and {"__type","message"}.
//
// # Faults (faults.Spec, each decision keyed by the job name and, for records, the recordId)
//
//   - create-throttle: a Create answers ThrottlingException (429); keyed by jobName and how many
//     Creates that name has seen, so a retry can pass.
//   - create-quota: a Create answers ServiceQuotaExceededException; keyed the same way.
//   - job-fail: the job fails, half of them at validation (an S3 permission message, no output),
//     half mid-run after half the records (partial output and manifest written).
//   - job-partial: the job ends PartiallyCompleted with about a quarter of its records (at least
//     one) missing from the output.
//   - job-expire: the job goes Scheduled → Expired and never starts.
//   - record-retryable: the record's line is an error with errorCode 429, 500 or 408.
//   - record-permanent: the record's line is an error with errorCode 400.
//
// Event faults (drop, dup, delay) are the event bus's business, not this package's.
package bedrockemu
