// Package pipeline hosts the whole pipeline in one process (DESIGN.md §5): the local S3, Bedrock
// batch control plane, Bedrock runtime and event bus of package emulate; the Step Functions
// interpreter (package asl) executing statemachine/pipeline.asl.json behind the Step Functions API
// (package sfnlocal); and the five Lambda handlers bound to them exactly as in AWS — the state
// machine invokes chunker, submitter and reconciler; the bus delivers S3 and Bedrock events to
// intake and jobevents. Every handler talks to every service through the real aws-sdk-go-v2
// clients over loopback HTTP, so the code path is the deployed one with only endpoints changed.
//
// A run starts the way a user starts one: an object put under inbox/<profile>/ emits an S3
// "Object Created" event, which the bus routes to intake.
package pipeline
