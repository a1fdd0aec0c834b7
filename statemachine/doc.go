// Package statemachine embeds the pipeline's Amazon States Language definition, the one file both
// the deployed Step Functions state machine (infra/ inlines it with its definition substitutions)
// and the local interpreter (bbatch run) execute.
package statemachine
