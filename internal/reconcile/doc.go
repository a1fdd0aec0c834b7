// Package reconcile joins a Bedrock batch job's output files back to the chunk it was given and
// classifies every input record exactly once: succeeded, failed-retryable, failed-permanent, or
// missing (retried like a retryable failure).
//
// Inputs: the chunk folder (input.jsonl, the exact Bedrock input lines, and records.jsonl, the
// sidecar mapping each pipeline id to the user's recordId, line and source — contracts.md), the
// job's terminal status, and whatever the job wrote under <output>/<jobId>/: every ".out" file
// but manifest.json.out, read as output lines, and manifest.json.out, read for its counts and
// token totals. Output lines may come in any order, repeat a record (the first success wins and a
// success replaces an earlier error), carry recordIds the chunk never sent (counted as
// unexpected), hold errorCode as a number or a string, be blank, or be malformed (counted and
// described by file and line, never fatal). Retryable is the single rule for retryable versus
// permanent errors.
//
// Results stream to a Sink, so memory holds the chunk's ids and the failed records' errors but
// never the outputs: joining a 50,000-record job takes about a third of a second of CPU and under
// 20 MB of heap (BenchmarkReconcile50k).
//
// Tokens come from each record's modelOutput (internal/model) when the family carries per-record
// usage, otherwise from the manifest's totals.
//
// This is a logic package: it reads through the small Store interface (internal/dirstore and
// internal/s3store satisfy it) and imports no AWS SDK. AWS docs: "View the results of a batch
// inference job" and "Format and upload your batch inference data" in the Bedrock user guide;
// bedrock-batch-api.md §2.3 and §3.
package reconcile
