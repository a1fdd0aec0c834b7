// Package chunk plans how a dataset's records split into Bedrock batch jobs and writes each
// job's folder through a blob store.
//
// A chunk is a folder (in the bucket runs/<runId>/r<round>/c<NNNNN>/, 0-based; locally any
// folder) with input.jsonl, the exact Bedrock input lines {"recordId":"<pipeline id>",
// "modelInput":<the user's bytes>}, and records.jsonl, a sidecar in the same order mapping each
// pipeline id to the user's recordId, line and source. Beside the folders Write puts
// rejected.jsonl and, last, plan.json.
//
// Planning needs every record's input-line size and the total count before the first chunk
// is written, so Write reads the source twice (dataset.Scan, then dataset.Replay): no spool
// file, memory bounded by about 11 bytes per record. Sizes come from the scan's per-record
// modelInput length, so byte limits hold exactly, not by estimate.
//
// Limits default to Bedrock's quotas (reference §5): 100 to 50,000 records per job, 1 GB per
// input file, 5 GB per job; one file per job, so a chunk's bytes stay under both. Chunks are
// balanced (sizes differ by at most one record unless a byte limit cuts one short) and the
// fewest that fit. The split is greedy per chunk count: with very uneven record sizes it can
// use more chunks than an exhaustive search would, or report ErrNoPlan where one exists.
// A dataset with records but fewer than the minimum gives an on-demand plan: no chunks, its
// records in the ondemand/ folder in the same two-file format.
//
// This package must not import AWS SDKs: stores are injected through Store.
package chunk
