// Package stepfn is the pipeline's adapter to the Step Functions API: starting a run's execution
// (intake), answering the task tokens parked by the submitter (submitter, jobevents), and reading
// or stopping executions (the CLI). The aws-sdk-go-v2 sfn client sits behind an interface of
// exactly the methods used; its errors become the sentinels below, each saying what the caller
// does next.
package stepfn
