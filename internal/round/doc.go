// Package round moves a run's records from one round to the next (DESIGN.md §4): it reconciles
// each chunk's job into answers, records to try again and failures; collects a round's retries
// into the next round's chunks while they are enough for a batch job; and answers a smaller
// remainder on-demand. Every record of a chunk lands in exactly one of the chunk's answers.jsonl,
// pending.jsonl or failed.jsonl; every pending record lands in exactly one chunk of the next
// round, the tail, or the failures — which is how the pipeline conserves records.
//
// All state stays in the bucket (internal/layout names the keys); every step can be re-run after
// a crash and writes the same files. Record bodies stream between store objects and are never
// held whole in memory.
package round
