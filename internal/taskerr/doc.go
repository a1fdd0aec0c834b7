// Package taskerr holds the errors the pipeline's Lambda handlers return to Step Functions.
//
// Step Functions matches Retry and Catch rules on the error name, and for a Go Lambda that name is
// the Go type name of the returned error (aws-lambda-go reports reflect.TypeOf(err).Elem().Name();
// an error made by fmt.Errorf arrives as "wrapError"). So every error a handler returns is one of
// these types, and each type name appears in statemachine/pipeline.asl.json; a test checks both
// directions. Each type documents what the state machine does on seeing it.
package taskerr
