package expr

import (
	"strings"
)

// Get evaluates a JSONPath against doc with Step Functions' (Jayway JsonPath) semantics.
//
// A definite path (only .name, ['name'] and single [index] steps, e.g. "$", "$.a.b",
// "$['a b']", "$.a[0]", "$.a[-1]") returns the one value it selects; if it selects nothing
// the error is an *Error named States.Runtime. An indefinite path (any of .*, [*], [i,j],
// [start:end], [?(filter)], ..name) returns a []any of the selected values, possibly empty,
// in document order (object members in key order). See the package doc for the full grammar.
// Context paths ("$$...") are rejected here; use Resolve. The result shares memory with doc:
// callers treat both as read-only.
func Get(doc any, path string) (any, error) {
	if strings.HasPrefix(path, "$$") {
		return nil, errorf(ErrRuntime, "Invalid path '%s' : a context path needs the context object; use Resolve", path)
	}
	p, err := parsePath(path)
	if err != nil {
		return nil, errorf(ErrRuntime, "Invalid path '%s' : %v", path, err)
	}
	return get(p, doc)
}

func get(p *jsonPath, doc any) (any, error) {
	vals, err := evalPath(p, doc, doc)
	if err != nil {
		return nil, errorf(ErrRuntime, "Invalid path '%s' : %v", p.raw, err)
	}
	if !p.definite() {
		if vals == nil {
			vals = []any{}
		}
		return vals, nil
	}
	if len(vals) == 0 {
		return nil, errorf(ErrRuntime, "Invalid path '%s' : No results for path: %s", p.raw, normalized(p.segs))
	}
	return vals[0], nil
}

// Resolve evaluates a path that may address either the state input ("$...", as Get) or the
// context object ("$$...", evaluated as "$..." against context).
func Resolve(path string, input, context any) (any, error) {
	if rest, ok := strings.CutPrefix(path, "$$"); ok {
		v, err := Get(context, "$"+rest)
		if e, ok := err.(*Error); ok {
			return nil, &Error{Name: e.Name, Cause: strings.Replace(e.Cause, "'$"+rest+"'", "'"+path+"'", 1)}
		}
		return v, err
	}
	return Get(input, path)
}

// ValidatePath reports whether path is a syntactically valid path Resolve accepts ("$..." or
// "$$..."), without evaluating it. Use it at load time for InputPath, OutputPath, ItemsPath,
// Choice Variable and the other ...Path fields.
func ValidatePath(path string) error {
	_, err := parseAnyPath(path)
	return err
}

// ValidateReferencePath reports whether path is a valid Step Functions reference path: a
// definite path of only .name, ['name'] and [index] steps, as ResultPath requires. A context
// path is not a reference path.
func ValidateReferencePath(path string) error {
	if strings.HasPrefix(path, "$$") {
		return errorf(ErrRuntime, "Invalid reference path '%s' : context paths are not allowed", path)
	}
	p, err := parsePath(path)
	if err != nil {
		return errorf(ErrRuntime, "Invalid reference path '%s' : %v", path, err)
	}
	if !p.definite() {
		return errorf(ErrRuntime, "Invalid reference path '%s' : only .name, ['name'] and [index] steps are allowed", path)
	}
	return nil
}

func parseAnyPath(path string) (*jsonPath, error) {
	src := path
	if rest, ok := strings.CutPrefix(path, "$$"); ok {
		src = "$" + rest
	}
	p, err := parsePath(src)
	if err != nil {
		return nil, errorf(ErrRuntime, "Invalid path '%s' : %v", path, err)
	}
	return p, nil
}

// Set returns a copy of doc with value placed at resultPath, the ResultPath rule: "$" returns
// value itself; "$.a.b" sets member b of member a, creating a and b as objects where they are
// missing; "$.a[2]" replaces an existing array element. doc is never modified: the containers
// along the path are copied, everything else is shared. Walking into an existing value that is
// not an object (or not an array, for an index step), or past an array's end, is an *Error named
// States.ResultPathMatchFailure. resultPath must be a reference path (see
// ValidateReferencePath); a null ResultPath (discard the result) is the caller's business.
func Set(doc any, resultPath string, value any) (any, error) {
	if err := ValidateReferencePath(resultPath); err != nil {
		return nil, err
	}
	p, _ := parsePath(resultPath)
	return setAt(doc, p.segs, value, p)
}

func setAt(node any, segs []segment, value any, p *jsonPath) (any, error) {
	if len(segs) == 0 {
		return value, nil
	}
	done := p.segs[:len(p.segs)-len(segs)]
	s := segs[0]
	switch s.kind {
	case segName:
		m, ok := node.(map[string]any)
		if !ok {
			return nil, errorf(ErrResultPathMatchFailure, "Unable to apply ResultPath '%s': %s is %s, not an object", p.raw, normalized(done), typeName(node))
		}
		cur, exists := m[s.name]
		if !exists && len(segs) > 1 && segs[1].kind == segName {
			cur = map[string]any{}
		}
		child, err := setAt(cur, segs[1:], value, p)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(m)+1)
		for k, v := range m {
			out[k] = v
		}
		out[s.name] = child
		return out, nil
	default: // segIndex with one index: reference paths allow nothing else
		a, ok := node.([]any)
		if !ok {
			return nil, errorf(ErrResultPathMatchFailure, "Unable to apply ResultPath '%s': %s is %s, not an array", p.raw, normalized(done), typeName(node))
		}
		i := s.indexes[0]
		if i < 0 {
			i += len(a)
		}
		if i < 0 || i >= len(a) {
			return nil, errorf(ErrResultPathMatchFailure, "Unable to apply ResultPath '%s': index %d is outside the array of %d at %s", p.raw, s.indexes[0], len(a), normalized(done))
		}
		child, err := setAt(a[i], segs[1:], value, p)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(a))
		copy(out, a)
		out[i] = child
		return out, nil
	}
}
