// Package submit implements the waiting protocol of DESIGN.md §4: how a chunk's Bedrock job is
// created exactly once, how the Step Functions task waiting on it is woken, and how a lost event
// is made harmless.
//
// The submitter (Submit) reads the job ledger, writes the entry before it creates the job (the job
// name is the idempotency token), stores each new task token, and then checks the job itself: a job
// that already ended wakes the task at once. That makes every re-invocation safe — a Lambda retry,
// a replay, or the heartbeat timeout the state machine uses as its poll. The event handler
// (OnJobStateChange) only reads the ledger and answers the token it finds; it never writes, so it
// cannot overwrite a newer token. Correctness never depends on an event arriving.
package submit
