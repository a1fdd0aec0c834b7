// Package profile defines a pipeline profile: which model a dataset runs on, how it is split into
// Bedrock jobs, and how hard the pipeline tries before it gives a record up. Profiles come from CDK
// context in a deployment and from flags or examples/ locally; both go through Parse and Validate
// here, so a bad profile is caught with the same message everywhere. No I/O, no AWS.
package profile
