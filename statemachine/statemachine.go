package statemachine

import _ "embed"

// Definition is statemachine/pipeline.asl.json, with ${...} placeholders for the substitutions
// named in Substitutions.
//
//go:embed pipeline.asl.json
var Definition []byte

// Definition substitution names: the Lambda function ARNs the state machine invokes.
const (
	ChunkerFunctionArn    = "ChunkerFunctionArn"
	SubmitterFunctionArn  = "SubmitterFunctionArn"
	ReconcilerFunctionArn = "ReconcilerFunctionArn"
)

// Substitutions lists every ${Name} the definition uses.
var Substitutions = []string{ChunkerFunctionArn, SubmitterFunctionArn, ReconcilerFunctionArn}
