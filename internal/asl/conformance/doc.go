// Package conformance holds a test, and nothing else, that runs small Amazon States Language
// definitions (testdata/*.asl.json, with inputs in testdata/*.inputs.json) through both the Go
// interpreter in package asl and the npm package aws-local-stepfunctions, and requires the same
// outcome: the same output for a successful execution, the same error name (and cause, unless
// the input says ignoreCause) for a failed one.
//
// The npm package is pinned in package.json/package-lock.json and installed by .ci/run with
// `npm ci --prefix internal/asl/conformance`. testdata/run.mjs drives it (with a
// Promise.withResolvers polyfill for Node.js 20). Without node_modules the test skips locally
// and fails when CI=true: CI never skips it.
//
// Task states call mock Lambda functions implemented identically in Go (conformance_test.go)
// and JavaScript (run.mjs): echo, add, fail and flaky. Wait states and retry intervals run
// instantly on both sides (a fake clock in Go, overrides in JavaScript).
//
// The cases stay inside what both implementations do the way Step Functions documents. Where
// aws-local-stepfunctions is known to differ from Step Functions, package expr's own table tests
// cover the documented behaviour instead, and the cases avoid the difference:
//   - ResultPath "$": the npm package writes the result under a member named "$" instead of
//     replacing the input.
//   - Negative array indexes ($.a[-1]): the npm package's JSONPath library finds nothing.
//   - An indefinite path that selects nothing: Jayway, and so Step Functions and package expr,
//     gives []; the npm package fails with States.Runtime.
//   - "IsPresent": false never matches in the npm package; cases write Not/IsPresent true.
//   - A Pass state's Result of false, 0 or "": the npm package outputs the input instead.
//   - States.Base64Encode of non-Latin-1 text: the npm package fails (it uses btoa).
//   - States.StringSplit: the npm package splits on the whole delimiter string and keeps empty
//     pieces; Step Functions splits on each delimiter character.
//   - States.MathAdd with non-integers: the npm package adds them as they are; Step Functions
//     rounds each to the nearest integer first.
//   - States.Format: the npm package accepts only string, number, boolean and null values.
//   - States.JsonToString and object key order: Go maps sort keys, JavaScript keeps input order,
//     so the cases write objects with keys already sorted.
//   - Lambda tasks use function ARNs: the npm package does not build the lambda:invoke result
//     shape ({"Payload": ..., "StatusCode": 200, ...}).
//   - The context object: the npm package fills in only what run.mjs passes (Execution and
//     StateMachine), so no case reads $$.State.
//   - Task and execution TimeoutSeconds: the npm package waits on the real clock.
package conformance
