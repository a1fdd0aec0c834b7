package expr

import (
	"strings"
)

// Template builds a payload from a Parameters, ItemSelector or ResultSelector template. In every
// object, a key ending in ".$" is replaced by the key without the suffix, whose value is
// computed from the template's string: an intrinsic call (see Eval), a context path "$$..."
// resolved against context, or a path "$..." resolved against input. Other keys keep their
// values, with nested objects and arrays processed the same way. tmpl is never modified; values
// selected by paths are shared with input, not copied, so callers treat the result as read-only.
//
// Errors are *Error: States.Runtime when a ".$" value is not a string, is neither a path nor
// an intrinsic, selects nothing (cause "The JSONPath '$.x' specified for the field 'a.x.$' could
// not be found in the input", Step Functions' wording with the dotted field name), or when a key
// and its ".$" twin would both produce the same field; States.IntrinsicFailure from intrinsic
// calls. The cause names the field.
func Template(tmpl any, input, context any) (any, error) {
	return build(tmpl, input, context, "")
}

func build(tmpl any, input, context any, at string) (any, error) {
	switch t := tmpl.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for _, k := range sortedKeys(t) {
			field := joinField(at, k)
			name, dynamic := strings.CutSuffix(k, ".$")
			if !dynamic {
				v, err := build(t[k], input, context, field)
				if err != nil {
					return nil, err
				}
				out[k] = v
				continue
			}
			if _, clash := t[name]; clash {
				return nil, errorf(ErrRuntime, "field '%s' is given both as '%s' and '%s'", joinField(at, name), name, k)
			}
			v, err := dynamicValue(t[k], input, context, field)
			if err != nil {
				return nil, err
			}
			out[name] = v
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			v, err := build(e, input, context, at)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return tmpl, nil
}

func dynamicValue(v any, input, context any, field string) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, errorf(ErrRuntime, "the value of field '%s' must be a path or an intrinsic function call, got %s", field, typeName(v))
	}
	var out any
	var err error
	switch {
	case IsIntrinsic(s):
		out, err = Eval(s, input, context)
	case strings.HasPrefix(s, "$"):
		if verr := ValidatePath(s); verr != nil {
			err = verr
			break
		}
		if out, err = Resolve(s, input, context); err != nil {
			// Step Functions' wording, without the input it appends.
			return nil, errorf(ErrRuntime, "The JSONPath '%s' specified for the field '%s' could not be found in the input", s, field)
		}
	default:
		return nil, errorf(ErrRuntime, "the value of field '%s' must be a path or an intrinsic function call, got %q", field, s)
	}
	if e, ok := err.(*Error); ok {
		return nil, &Error{Name: e.Name, Cause: "field '" + field + "': " + e.Cause}
	}
	return out, err
}

func joinField(at, k string) string {
	if at == "" {
		return k
	}
	return at + "." + k
}

// ValidateTemplate checks a payload template without evaluating it: every ".$" key must hold a
// string that is a valid path (ValidatePath) or a valid intrinsic call (Validate), and no key may
// be given both plainly and with ".$". Use it at load time; the error names the field.
func ValidateTemplate(tmpl any) error {
	return validateTemplate(tmpl, "")
}

func validateTemplate(tmpl any, at string) error {
	switch t := tmpl.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			field := joinField(at, k)
			name, dynamic := strings.CutSuffix(k, ".$")
			if !dynamic {
				if err := validateTemplate(t[k], field); err != nil {
					return err
				}
				continue
			}
			if _, clash := t[name]; clash {
				return errorf(ErrRuntime, "field '%s' is given both as '%s' and '%s'", joinField(at, name), name, k)
			}
			s, ok := t[k].(string)
			if !ok {
				return errorf(ErrRuntime, "the value of field '%s' must be a path or an intrinsic function call, got %s", field, typeName(t[k]))
			}
			var err error
			switch {
			case IsIntrinsic(s):
				err = Validate(s)
			case strings.HasPrefix(s, "$"):
				err = ValidatePath(s)
			default:
				return errorf(ErrRuntime, "the value of field '%s' must be a path or an intrinsic function call, got %q", field, s)
			}
			if e, ok := err.(*Error); ok {
				return &Error{Name: e.Name, Cause: "field '" + field + "': " + e.Cause}
			}
		}
	case []any:
		for _, e := range t {
			if err := validateTemplate(e, at); err != nil {
				return err
			}
		}
	}
	return nil
}
