package taskerr

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// lambdaErrorType is how aws-lambda-go names a returned error (lambda/errors.go getErrorType).
func lambdaErrorType(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Ptr {
		return t.Elem().Name()
	}
	return t.Name()
}

func TestNamesMatchLambdaErrorTypes(t *testing.T) {
	errs := []error{&TransientError{Err: errors.New("x")}, &ThrottledError{Err: errors.New("x")}, &QuotaExceededError{Err: errors.New("x")}, &JobFailedError{}, &InvalidInputError{Err: errors.New("x")}}
	if len(errs) != len(Names) {
		t.Fatalf("%d error types, %d names", len(errs), len(Names))
	}
	for i, err := range errs {
		if got := lambdaErrorType(err); got != Names[i] {
			t.Errorf("error %d reports type %q to Step Functions, Names says %q", i, got, Names[i])
		}
		if !Classified(err) {
			t.Errorf("%s not classified", Names[i])
		}
	}
}

func TestWrapKeepsClassification(t *testing.T) {
	q := &QuotaExceededError{Err: errors.New("full")}
	if Transient(q) != q || Invalid(q) != q {
		t.Fatal("wrapping replaced an already classified error")
	}
	plain := fmt.Errorf("get object: %w", errors.New("timeout"))
	if lambdaErrorType(Transient(plain)) != "TransientError" {
		t.Fatal("a plain error did not become TransientError")
	}
	if Transient(nil) != nil {
		t.Fatal("nil became an error")
	}
	wrapped := fmt.Errorf("submit: %w", q)
	if got, ok := As(wrapped); !ok || got != q {
		t.Fatal("As did not find the classified error in the chain")
	}
}
