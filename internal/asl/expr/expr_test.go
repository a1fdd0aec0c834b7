package expr

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// decode parses JSON the way the interpreter does (UseNumber).
func decode(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

// canon renders v as JSON for comparison (sorted keys, numbers as written).
func canon(t testing.TB, v any) string {
	t.Helper()
	s, err := marshalJSON(v)
	if err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	return s
}

// wantJSON compares got with the JSON text want, normalising want's formatting.
func wantJSON(t testing.TB, got any, want string) {
	t.Helper()
	if g, w := canon(t, got), canon(t, decode(t, want)); g != w {
		t.Errorf("got %s, want %s", g, w)
	}
}

// wantError checks err is an *Error with the given name whose cause contains substr.
func wantError(t testing.TB, err error, name, substr string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want *Error %s", err, err, name)
	}
	if e.Name != name {
		t.Errorf("error name %q, want %q (cause %q)", e.Name, name, e.Cause)
	}
	if !strings.Contains(e.Cause, substr) {
		t.Errorf("cause %q does not contain %q", e.Cause, substr)
	}
}
