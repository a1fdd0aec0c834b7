package asl

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/asl/expr"
)

// DefaultPayloadLimit is Step Functions' 256 KiB quota on state input, output and task results.
const DefaultPayloadLimit = 256 * 1024

// decodeValue decodes one JSON value with numbers as json.Number, as expr expects.
func decodeValue(raw []byte) (any, error) {
	var v any
	if err := decodeStrict(raw, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// encodeValue encodes v as compact JSON without HTML escaping.
func encodeValue(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// mustEncode encodes a value that came from JSON decoding or from this package; such values
// always encode, so an error is reported inline instead of dropped.
func mustEncode(v any) string {
	s, err := encodeValue(v)
	if err != nil {
		return fmt.Sprintf("%q", "unencodable value: "+err.Error())
	}
	return s
}

// clone deep-copies a decoded JSON value, so no two states share mutable maps or slices.
func clone(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = clone(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = clone(e)
		}
		return s
	default:
		return v
	}
}

func runtimeFailure(format string, args ...any) *Failure {
	return &Failure{Error: ErrRuntime, Cause: fmt.Sprintf(format, args...)}
}

func exprFailure(err error) *Failure {
	return AsFailure(err)
}

// getPath resolves a reference path against the input, or against the context object for "$$".
func getPath(input, ctxObj any, path string) (any, *Failure) {
	v, err := expr.Resolve(path, input, ctxObj)
	if err != nil {
		return nil, exprFailure(err)
	}
	return v, nil
}

// lookup is getPath for Choice rules, where a missing value is a result, not an error.
func lookup(input, ctxObj any, path string) (any, bool) {
	v, f := getPath(input, ctxObj, path)
	return v, f == nil
}

// evalString resolves a Fail state's ErrorPath/CausePath: a path or an intrinsic function.
func evalString(input, ctxObj any, path string) (string, *Failure) {
	var v any
	var f *Failure
	if expr.IsIntrinsic(path) {
		var err error
		if v, err = expr.Eval(path, input, ctxObj); err != nil {
			f = exprFailure(err)
		}
	} else {
		v, f = getPath(input, ctxObj, path)
	}
	if f != nil {
		return "", f
	}
	s, ok := v.(string)
	if !ok {
		return "", runtimeFailure("the value of %s is not a string", path)
	}
	return s, nil
}

func template(tmpl, input, ctxObj any) (any, *Failure) {
	v, err := expr.Template(tmpl, input, ctxObj)
	if err != nil {
		return nil, exprFailure(err)
	}
	return v, nil
}

// applyInputPath applies InputPath or OutputPath: absent is "$", null is {}.
func applyPath(p optPath, v, ctxObj any) (any, *Failure) {
	switch {
	case !p.set:
		return v, nil
	case p.null:
		return map[string]any{}, nil
	default:
		return getPath(v, ctxObj, p.path)
	}
}

// applyResultPath places result into the raw state input: absent or "$" replaces the input,
// null discards the result and keeps the input.
func applyResultPath(p optPath, raw, result any) (any, *Failure) {
	switch {
	case !p.set || p.path == "$":
		return result, nil
	case p.null:
		return raw, nil
	}
	v, err := expr.Set(raw, p.path, result)
	if err != nil {
		return nil, exprFailure(err)
	}
	return v, nil
}

// sizeCheck fails with States.DataLimitExceeded when v's JSON exceeds limit bytes.
func sizeCheck(v any, limit int, what string) *Failure {
	s, err := encodeValue(v)
	if err != nil {
		return runtimeFailure("%s is not encodable as JSON: %v", what, err)
	}
	if len(s) > limit {
		return &Failure{Error: ErrDataLimitExceeded, Cause: fmt.Sprintf("%s has a size of %d bytes, exceeding the maximum of %d bytes", what, len(s), limit)}
	}
	return nil
}

func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func newID() string {
	var b [16]byte
	rand.Read(b[:]) // cannot fail since Go 1.24
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func jsonInt(n int) json.Number { return json.Number(fmt.Sprint(n)) }
