// Package asl is a strict, in-process interpreter for Amazon States Language state machines
// (the JSONPath query language), built so the real definition of a Step Functions workflow can
// run in `go test` and on a laptop with its Lambda tasks bound to in-process Go handlers.
//
// It owns loading and validating definitions, running executions, Retry/Catch, task tokens,
// execution history and time (through an injectable Clock). Paths, payload templates and
// intrinsic functions are evaluated by package expr. It must not know about any particular
// workflow or AWS service beyond Lambda and S3: every other integration is a Binding the
// caller registers. The Step Functions HTTP API over this engine lives in package sfnlocal.
//
// Implemented against the Step Functions Developer Guide: "Amazon States Language",
// "State types", "Processing input and output" (InputPath, Parameters, ResultSelector,
// ResultPath, OutputPath), "Context object", "Handling errors", "Choice workflow state",
// "Map state in Distributed mode", "ItemReader", "ResultWriter", "Wait for a Callback with Task
// Token", "Invoke Lambda with Step Functions", and the Step Functions API Reference.
//
// # What is supported, exactly
//
// Loading (Parse, Engine.AddMachine):
//   - Definition substitutions: every ${Name} is replaced textually before parsing, like
//     CloudFormation DefinitionSubstitutions; an unresolved ${...} is an error.
//   - Top level: StartAt, States, Comment, TimeoutSeconds, Version "1.0", QueryLanguage "JSONPath".
//     QueryLanguage "JSONata" (top level or per state) is rejected.
//   - Every unknown field is an error naming the state and field. Valid ASL that is not
//     implemented is an error too: Assign (variables), Arguments/Output/Items (JSONata),
//     Credentials, ItemBatcher, activities, ".sync" integrations, ReaderConfig InputType CSV and
//     MANIFEST, ItemReader resources other than s3:getObject, ResultWriter WriterConfig.
//   - Structure: Next/End on every non-terminal state (not both), existing targets for Next,
//     Default, Choices[].Next and Catch[].Next, no unreachable state, unique state names across
//     the whole definition, non-empty Choices with Next on top-level rules only, States.ALL alone
//     and last in Retry and Catch, exactly one Wait duration field, HeartbeatSeconds smaller than
//     TimeoutSeconds, paths and templates validated by expr.
//   - Binding (AddMachine only): every Lambda function named by a static FunctionName or a
//     function ARN Resource must be registered; every other resource must have a Binding;
//     ItemReader/ResultWriter need an ObjectStore.
//
// States: Pass (Result, Parameters, ResultPath), Task, Choice (all String*, Numeric*, Boolean*,
// Timestamp* comparisons and their ...Path forms, StringMatches with * and \ escapes, IsNull,
// IsPresent, IsNumeric, IsString, IsBoolean, IsTimestamp, And, Or, Not, Default), Wait (Seconds,
// SecondsPath, Timestamp, TimestampPath), Succeed, Fail (Error, Cause, ErrorPath, CausePath),
// Parallel, Map inline (ItemsPath, ItemSelector, legacy Parameters and Iterator, MaxConcurrency,
// MaxConcurrencyPath) and Map distributed (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED,
// ItemReader s3:getObject with InputType JSON or JSONL and MaxItems, ItemsPath, ItemSelector,
// MaxConcurrency(Path) (0 or absent: 10,000), ToleratedFailurePercentage(Path),
// ToleratedFailureCount(Path) (Distributed mode only, as in Step Functions; default 0), Label,
// ResultWriter s3:putObject with Bucket and Prefix). Each distributed item runs as a child
// Execution with its own history and ARN (…:execution:<machine>/<label>:<id>).
//
// Data flow: InputPath, Parameters, ResultSelector, ResultPath (absent, "$", nested, null),
// OutputPath (null gives {}), and the context object $$: Execution.Id/Name/Input/StartTime/
// RoleArn/RedriveCount, State.Name/EnteredTime/RetryCount, StateMachine.Id/Name, Task.Token (on
// .waitForTaskToken tasks), Map.Item.Index/Value (in ItemSelector).
//
// Errors: Retry (ErrorEquals, IntervalSeconds default 1, MaxAttempts default 3 where 0 never
// retries, BackoffRate default 2.0, MaxDelaySeconds, JitterStrategy FULL/NONE) with the first
// matching retrier deciding; Catch (ErrorEquals, Next, ResultPath) with the {"Error","Cause"}
// output applied to the state's raw input. Matching: exact names; States.ALL matches everything
// except the terminal States.DataLimitExceeded and States.Runtime; States.TaskFailed matches
// everything States.ALL does except States.Timeout and States.HeartbeatTimeout; States.Timeout
// also matches States.HeartbeatTimeout. TimeoutSeconds(Path) raises States.Timeout,
// HeartbeatSeconds(Path) raises States.HeartbeatTimeout. State outputs, task results and
// effective inputs above 256 KiB raise States.DataLimitExceeded. Execution TimeoutSeconds ends
// the execution TIMED_OUT.
//
// Tasks:
//   - arn:aws:states:::lambda:invoke: Parameters FunctionName (name, name:qualifier, partial or
//     full ARN; static or ".$"), Payload, Qualifier, InvocationType RequestResponse. The result is
//     {"ExecutedVersion":"$LATEST","Payload":<response>,"SdkHttpMetadata":{…,"HttpStatusCode":200},
//     "SdkResponseMetadata":{"RequestId":…},"StatusCode":200}.
//   - arn:aws:states:::lambda:invoke.waitForTaskToken: the handler is invoked (its error fails the
//     task, its response is recorded as TaskSubmitted) and the task completes on
//     SendTaskSuccess/SendTaskFailure; SendTaskHeartbeat restarts the HeartbeatSeconds timer. A
//     token is single-use; a retry issues a new one.
//   - A handler runs to completion even when a task token completes its task first; its context
//     is canceled only when the task times out or the execution is stopped (there is no Lambda
//     function timeout).
//   - arn:aws:lambda:<region>:<account>:function:<name>: the payload is the effective input and
//     the result is the response itself (LambdaFunction* history events).
//   - Any other arn:aws:states:::<service>:<action>[.waitForTaskToken], including aws-sdk:*, runs
//     the Binding registered for the ARN without the suffix.
//   - A handler's error becomes a function error whose name follows aws-lambda-go (ErrorTypeName)
//     and whose cause is the {"errorMessage","errorType"} payload; a panic likewise. Typed adapts a
//     func(ctx, In) (Out, error) handler; Definition.ErrorNames lists the non-States error names
//     a definition's Retry and Catch use.
//
// S3: ItemReader and ResultWriter go through the ObjectStore interface; S3Store implements it
// over an aws-sdk-go-v2 S3 client.
//
// Time: the Clock interface. FakeClock with auto advance jumps to the next timer whenever every
// interpreter goroutine is waiting, so hours of waits, retries and heartbeats run in
// milliseconds; ScaledClock runs the wall clock faster.
//
// History: Events with Step Functions' type names (ExecutionStarted/Succeeded/Failed/Aborted/
// TimedOut, <Type>StateEntered/Exited, TaskScheduled/Started/Submitted/Succeeded/Failed/TimedOut,
// LambdaFunctionScheduled/Started/Succeeded/Failed/TimedOut, ParallelStateStarted/Succeeded/
// Failed/Aborted, MapStateStarted/Succeeded/Failed/Aborted, MapIterationStarted/Succeeded/Failed/
// Aborted, MapRunStarted/Succeeded/Failed/Aborted), sequential ids and previousEventId following
// each branch's own chain; WriteTrace prints one line per event.
//
// JSON values are decoded with json.Number (exact numbers); objects are re-encoded with sorted
// keys, so key order in outputs and history can differ from Step Functions (values do not).
//
// Not supported: JSONata, variables, activities, .sync integrations, ItemBatcher, CSV and
// manifest item readers, s3:listObjectsV2 readers, WriterConfig, redrive, express workflows'
// at-most-once semantics (executions always behave as STANDARD).
package asl
