// Package run defines the documents that carry a run through the state machine: the execution's
// input (Input), what the chunker and the collector hand to the next state (Plan), and the run's
// record in the bucket (Record, at runs/<runId>/run.json). They hold ids and keys only, never
// record bodies, since Step Functions state is limited to 256 KB.
package run
