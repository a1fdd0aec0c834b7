// Package expr evaluates the expression layer of Amazon States Language (JSONPath query
// language): paths, ResultPath, payload templates and intrinsic functions, with Step Functions'
// semantics. It owns no state machine logic; internal/asl calls it for every InputPath,
// Parameters/ItemSelector/ResultSelector, ResultPath, OutputPath and ...Path field. It must not
// know about states, executions, clocks or I/O, and it never modifies the values it is given.
//
// Values are what encoding/json produces with UseNumber: map[string]any, []any, string,
// json.Number, bool and nil. Other Go numeric types are accepted as numbers; numbers this
// package creates are json.Number.
//
// Implemented against:
//   - https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
//   - https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
//   - https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
//   - https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
//   - Jayway JsonPath, the library Step Functions evaluates paths with.
//
// # Paths
//
// A path starts with "$" (the input) or, through Resolve, "$$" (the context object). Supported
// steps:
//
//	.name  ['name']  ["name"]   member (dot names stop at . [ ] ( ) ' " , = ! < > & | * ? @ $ and space)
//	[n]  [-n]                    array element, negative counts from the end
//	[n,m,...]                    several elements
//	[start:end]  [:end]  [start:] slice (no step), negative bounds count from the end
//	.*  [*]                      every member or element
//	..name  ..*  ..[...]         deep scan: the step applied to the value and all its descendants
//	[?(expr)]                    filter: elements of an array (or an object itself) matching expr
//
// Filter expressions: operands @.path / @['x'][0] (relative, definite), $.path (from the root),
// numbers, 'strings', "strings", true, false, null; operators == != < <= > >= (numbers by value,
// strings lexicographically, other type pairs never match), =~ /regex/ (Go RE2 syntax, whole
// string, optional i flag), && || ! and parentheses; a bare path tests existence.
// Not supported (a parse error, never a silent difference): multi-member ['a','b'], slice steps
// [a:b:c], filter functions such as length() or min(), the in/nin/subsetof/size/empty operators.
//
// Results follow Jayway: a definite path (only member and single-index steps) yields its value or,
// if it selects nothing, States.Runtime; an indefinite path yields a []any, possibly empty.
// Within the definite prefix of an indefinite path, a missing intermediate member or a value of
// the wrong type is States.Runtime too. Object members are enumerated in key order, because Go
// maps do not keep the input order Step Functions preserves.
//
// A reference path (ResultPath) is a definite path without deep scan; Set applies it.
//
// # Intrinsic functions
//
// All eighteen: States.Format, StringToJson, JsonToString, Array, ArrayPartition, ArrayContains,
// ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique, Base64Encode, Base64Decode, Hash, JsonMerge,
// MathRandom, MathAdd, StringSplit, UUID. Arguments are 'string' literals (escapes \' \{ \} \\
// only; any other backslash is an error), JSON numbers, true, false, null, paths ($... and $$...,
// including brackets and filters) and nested calls, at most 10 deep. Arity, names, escapes and
// path syntax are checked by Validate; argument types and limits when evaluated.
//
// Choices where the documentation is silent:
//   - States.Format: in a literal template \{ and \} are literal braces and an unescaped lone
//     brace is an error; a template taken from a path is data in which only {} is special.
//     Values render as Step Functions' Java service does: strings bare, null as null, arrays as
//     [a, b], objects as {k=v, k2=v2}.
//   - Braces need no escaping in the literals of functions other than States.Format.
//   - States.JsonToString's argument must be written as a path, as documented; output is compact
//     JSON without HTML escaping, object members in key order.
//   - States.MathAdd and States.MathRandom round non-integers half up (Java Math.round), as
//     documented; ArrayRange, ArrayPartition and ArrayGetItem reject non-integers.
//   - States.MathRandom returns an integer in [start, end], both inclusive; with a seed the
//     result is deterministic (math/rand/v2 PCG seeded with it), which is what tests use.
//   - States.ArrayRange with a step pointing away from end returns []; more than 1000 items is
//     an error.
//   - States.StringSplit splits on each character of the delimiter and drops empty pieces.
//   - States.Base64Decode accepts missing padding and rejects output that is not UTF-8.
//   - States.Hash takes a string of at most 10,000 characters; the algorithm name is exact.
//     Character limits count UTF-16 code units, as Java's String.length does.
//   - States.ArrayContains and States.ArrayUnique compare numbers by value (1 equals 1.0).
//   - States.JsonMerge with true (deep merge) is an error: Step Functions supports only shallow.
package expr
