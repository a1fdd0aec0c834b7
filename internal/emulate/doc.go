// Package emulate assembles the local AWS of bedrock-batch in one process: the local S3
// (internal/s3emu), the Bedrock batch control plane (internal/bedrockemu), the Bedrock runtime
// (internal/runtimeemu) and the local EventBridge bus (internal/eventbus), each on its own
// loopback HTTP port, with the S3 and Bedrock event callbacks wired to the bus. It hands out
// endpoints and an aws.Config so the real aws-sdk-go-v2 clients talk to it unchanged.
//
// It owns wiring only: no AWS behaviour lives here. It must not import pipeline code (dataset,
// chunk, reconcile, model, pricing, stores); the pipeline adds its rules to Bus itself, from
// internal/eventrule.
//
// Choices: the Bedrock emulator reads and writes S3 through a second, fault-free S3 endpoint over
// the same storage, because the s3-5xx fault models what the caller sees from S3, not failures
// inside Bedrock (those are job-fail). Its writes still emit Object Created events, as a bucket
// with EventBridge notifications does for Bedrock's output. The event stream (Config.Events) and
// the webhook are bus targets like any rule's, so they show what a consumer receives: after the
// event-drop, event-dup and event-delay faults. Those faults hit Bedrock "Batch Inference Job
// State Change" events only, the events issue #3 and the reference (§4, best-effort delivery) call
// lossy; S3 "Object Created" events are always delivered once, since nothing polls for them.
package emulate
