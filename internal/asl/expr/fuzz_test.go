package expr

import (
	"errors"
	"testing"
)

const fuzzInput = `{"a": {"b": [1, "two", {"c": null}]}, "s": "x,y", "n": 3, "o": {"k": true}}`

// FuzzIntrinsic checks the intrinsic parser never panics, that Eval fails exactly when
// Validate does, and that every failure is an *Error. Seed corpus: testdata/fuzz/FuzzIntrinsic.
func FuzzIntrinsic(f *testing.F) {
	f.Add(`States.Format('{} {}', $.a.b[0], $$.Execution.Id)`)
	f.Add(`States.ArrayGetItem(States.StringSplit($.s, ','), 1)`)
	input := decode(f, fuzzInput)
	ctx := decode(f, `{"Execution": {"Id": "e"}}`)
	f.Fuzz(func(t *testing.T, s string) {
		verr := Validate(s)
		_, err := Eval(s, input, ctx)
		if verr != nil && err == nil {
			t.Fatalf("Validate rejected %q (%v) but Eval accepted it", s, verr)
		}
		for _, e := range []error{verr, err} {
			var typed *Error
			if e != nil && !errors.As(e, &typed) {
				t.Fatalf("error %v for %q is %T, not *Error", e, s, e)
			}
		}
	})
}

// FuzzPath checks the path parser and evaluator never panic and report only *Error.
// Seed corpus: testdata/fuzz/FuzzPath.
func FuzzPath(f *testing.F) {
	f.Add(`$.a.b[?(@.c == null)]`)
	f.Add(`$..b[-1:]`)
	input := decode(f, fuzzInput)
	f.Fuzz(func(t *testing.T, s string) {
		_, err := Get(input, s)
		var typed *Error
		if err != nil && !errors.As(err, &typed) {
			t.Fatalf("error %v for %q is %T, not *Error", err, s, err)
		}
		if ValidatePath(s) == nil && ValidateReferencePath(s) == nil {
			if _, err := Set(input, s, "v"); err != nil && !errors.As(err, &typed) {
				t.Fatalf("Set error %v for %q is %T, not *Error", err, s, err)
			}
		}
	})
}
