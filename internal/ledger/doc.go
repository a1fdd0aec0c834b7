// Package ledger keeps the job ledger of DESIGN.md §4: one small JSON document per Bedrock job at
// runs/<runId>/jobs/<jobName>.json, holding the job's ARN, its attempt and the latest Step
// Functions task token waiting on it. The ledger is what makes submission idempotent (the entry
// is written before the job is created, and the job name is the idempotency token) and what lets
// an EventBridge event find the task to wake. It lives in the bucket like every other state.
package ledger
