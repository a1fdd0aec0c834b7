// Package report finalizes a run: it gathers every round's answers, failures and the rejected
// lines into results/<runId>/ (answer parts, failed.jsonl, rejected.jsonl) and writes the run
// report (report.json for programs, report.md for people): records in, answered, failed and
// rejected with the conservation check, tokens, cost at the batch price against the on-demand
// price, one row per Bedrock job, rounds and durations.
//
// It runs on every path of the state machine, including after a failure: records the run did not
// get to are reported as failed with the run's error, so the conservation check still holds.
// Each job's answers file (and the tail's) becomes one results part by a server-side copy, so a
// run of tens of millions of answers never streams them through the finalizing Lambda; the counts
// come from the reconciled summaries. Re-running it writes the same results.
package report
