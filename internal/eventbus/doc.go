// Package eventbus is a local Amazon EventBridge event bus: Put takes full EventBridge event
// envelopes (JSON) and delivers each to the targets of every rule whose event pattern matches,
// with EventBridge content-filtering semantics (exact values, prefix, suffix, equals-ignore-case,
// wildcard, anything-but, exists, numeric, cidr, nested fields, $or). Targets are in-process
// functions or HTTP webhooks.
//
// It injects the event faults of internal/faults at delivery, deterministically by seed and event
// id, optionally only for some sources: event-drop (never delivered), event-dup (delivered twice)
// and event-delay (each copy waits a random time up to the bound, so events reorder). The fate is
// the event's, not the rule's: every matching rule sees the same drop, duplicate and delays, as
// when the source itself loses or repeats an event. Delivery is asynchronous, like
// EventBridge's; Drain waits for every delivery in flight. Unlike EventBridge it does not retry a
// target that fails: the error goes to Config.OnError.
//
// It must not import pipeline code (dataset, chunk, reconcile, model, pricing, stores).
//
// Implements against:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html.
package eventbus
