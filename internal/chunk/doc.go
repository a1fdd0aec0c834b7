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
// WriteDir (bbatch chunk) writes a plain local file into a local folder with one read: it
// counts the file's lines (a fast newline count), plans by lines as NewPlan would plan that many
// records of no size (blank lines that end the file are left out of the count, the last range
// taking them), then validates and writes in one parallel pass (dataset.Stream), each
// accepted record into the chunk its line range belongs to, in a hidden temporary folder under
// the output folder, keeping every record's size (about 2 bytes a record). It keeps those chunks
// when they meet the rules below, with the records as counted at the end; otherwise it makes
// the exact plan from the sizes and streams the file once more into that plan's chunks. The
// first read stops writing (and deletes what it wrote, before it reaches the disk) as soon as
// the line chunks certainly break a rule: a range ends below MinRecords, a chunk passes a byte
// limit, or so many lines are not records that the rest fit fewer chunks by count. The chunks
// are renamed into place, plan.json last. Gzip and other sources, and line counts no
// count-only split fits, are written the two-pass way. So:
//   - A source whose lines are all records gets exactly Write's output, byte for byte, and so
//     does every source whose line chunks break a rule.
//   - With blank, rejected or duplicate lines, a chunk holds the records among its lines: a
//     chunk's size is its share of the balanced line split minus those lines in its range, so
//     sizes differ by at most one plus the lines that are not records, and the chunks can
//     differ from Write's. They are kept only if still the fewest possible (as many as
//     max(ceil(records/MaxRecords), ceil(bytes/maxBytes), 1)), each within MinRecords,
//     MaxRecords and the byte limits, and none of the early stops above happened; the records,
//     their order and rejected.jsonl are Write's.
//   - Below MinRecords lines the one pass writes the on-demand folder, as Write would.
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
