package asl

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/asl/expr"
)

// ChoiceRule is one Choice rule: a boolean combination (And, Or, Not) or a data-test expression
// (Variable plus one comparison operator). Next is set on top-level rules only.
type ChoiceRule struct {
	Next     string
	And, Or  []*ChoiceRule
	Not      *ChoiceRule
	Variable string
	Op       string // comparison operator, e.g. "NumericLessThanPath"; empty for And/Or/Not
	Value    any    // the operator's operand: string, json.Number, bool, or a path for ...Path
}

// operand kinds of comparison operators
const (
	kindString = iota
	kindNumber
	kindBool
	kindTimestamp
	kindTest // IsNull, IsPresent, ...: operand is a boolean
	kindMatch
)

var choiceOps = func() map[string]int {
	m := map[string]int{
		"StringMatches": kindMatch,
		"IsNull":        kindTest, "IsPresent": kindTest, "IsNumeric": kindTest, "IsString": kindTest,
		"IsBoolean": kindTest, "IsTimestamp": kindTest,
		"BooleanEquals": kindBool, "BooleanEqualsPath": kindBool,
	}
	for _, cmp := range []string{"Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"} {
		for prefix, kind := range map[string]int{"String": kindString, "Numeric": kindNumber, "Timestamp": kindTimestamp} {
			m[prefix+cmp] = kind
			m[prefix+cmp+"Path"] = kind
		}
	}
	return m
}()

func (p *parser) choice(st *State, f *fieldReader) error {
	f.str("Default", &st.Default)
	var rules []json.RawMessage
	if err := decodeStrict(f.fields["Choices"], &rules); err != nil || len(rules) == 0 {
		return &LoadError{State: st.Name, Field: "Choices", Reason: "missing or not a non-empty array"}
	}
	for i, raw := range rules {
		r, err := parseChoiceRule(raw, fmt.Sprintf("Choices[%d]", i), true)
		if err != nil {
			err.State = st.Name
			return err
		}
		st.Choices = append(st.Choices, r)
	}
	return f.err
}

func parseChoiceRule(raw json.RawMessage, where string, top bool) (*ChoiceRule, *LoadError) {
	le := func(field, format string, args ...any) *LoadError {
		return &LoadError{Field: where + field, Reason: fmt.Sprintf(format, args...)}
	}
	var m map[string]json.RawMessage
	if err := decodeStrict(raw, &m); err != nil || m == nil {
		return nil, le("", "must be an object")
	}
	r := &ChoiceRule{}
	ops := 0
	for k, v := range m {
		switch k {
		case "Comment":
		case "Next":
			if !top {
				return nil, le(".Next", "only top-level Choice rules may have Next")
			}
			if err := json.Unmarshal(v, &r.Next); err != nil || r.Next == "" {
				return nil, le(".Next", "must be a state name")
			}
		case "Variable":
			if err := json.Unmarshal(v, &r.Variable); err != nil {
				return nil, le(".Variable", "must be a path")
			}
			if err := expr.ValidatePath(r.Variable); err != nil {
				return nil, le(".Variable", "%v", err)
			}
		case "And", "Or":
			ops++
			var subs []json.RawMessage
			if err := decodeStrict(v, &subs); err != nil || len(subs) == 0 {
				return nil, le("."+k, "must be a non-empty array of rules")
			}
			for i, s := range subs {
				sr, err := parseChoiceRule(s, fmt.Sprintf("%s.%s[%d]", where, k, i), false)
				if err != nil {
					return nil, err
				}
				if k == "And" {
					r.And = append(r.And, sr)
				} else {
					r.Or = append(r.Or, sr)
				}
			}
		case "Not":
			ops++
			sr, err := parseChoiceRule(v, where+".Not", false)
			if err != nil {
				return nil, err
			}
			r.Not = sr
		default:
			kind, ok := choiceOps[k]
			if !ok {
				return nil, le("."+k, "unknown Choice rule field")
			}
			ops++
			r.Op = k
			if err := decodeStrict(v, &r.Value); err != nil {
				return nil, le("."+k, "invalid JSON")
			}
			if err := checkOperand(k, kind, r.Value); err != nil {
				return nil, le("."+k, "%v", err)
			}
		}
	}
	if top && r.Next == "" {
		return nil, le(".Next", "missing")
	}
	if ops != 1 {
		return nil, le("", "a rule needs exactly one of And, Or, Not or a comparison operator")
	}
	if r.Op != "" && r.Variable == "" {
		return nil, le(".Variable", "missing for %s", r.Op)
	}
	if r.Op == "" && r.Variable != "" {
		return nil, le(".Variable", "not allowed on And/Or/Not rules")
	}
	return r, nil
}

func checkOperand(op string, kind int, v any) error {
	if strings.HasSuffix(op, "Path") {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("must be a path")
		}
		return expr.ValidatePath(s)
	}
	switch kind {
	case kindString, kindMatch:
		if _, ok := v.(string); !ok {
			return fmt.Errorf("must be a string")
		}
	case kindTimestamp:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("must be a timestamp string")
		}
		if _, ok := parseTimestamp(s); !ok {
			return fmt.Errorf("%q is not an RFC3339 timestamp", s)
		}
	case kindNumber:
		if _, ok := v.(json.Number); !ok {
			return fmt.Errorf("must be a number")
		}
	case kindBool, kindTest:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("must be a boolean")
		}
	}
	return nil
}

// evalChoice evaluates a rule against the state input; ctxObj resolves "$$." paths.
// A comparison whose Variable (or ...Path operand) selects nothing is a States.Runtime error,
// as in Step Functions; only IsPresent tolerates a missing Variable.
func evalChoice(r *ChoiceRule, input, ctxObj any) (bool, *Failure) {
	switch {
	case r.And != nil:
		for _, s := range r.And {
			ok, err := evalChoice(s, input, ctxObj)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case r.Or != nil:
		for _, s := range r.Or {
			ok, err := evalChoice(s, input, ctxObj)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case r.Not != nil:
		ok, err := evalChoice(r.Not, input, ctxObj)
		return !ok, err
	}
	val, present := lookup(input, ctxObj, r.Variable)
	if r.Op == "IsPresent" {
		return present == r.Value.(bool), nil
	}
	if !present {
		return false, &Failure{Error: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", r.Variable)}
	}
	kind := choiceOps[r.Op]
	if kind == kindTest {
		var is bool
		switch r.Op {
		case "IsNull":
			is = val == nil
		case "IsNumeric":
			_, is = val.(json.Number)
		case "IsString":
			_, is = val.(string)
		case "IsBoolean":
			_, is = val.(bool)
		case "IsTimestamp":
			s, ok := val.(string)
			_, is = parseTimestamp(s)
			is = is && ok
		}
		return is == r.Value.(bool), nil
	}
	operand := r.Value
	op := r.Op
	if strings.HasSuffix(op, "Path") {
		op = strings.TrimSuffix(op, "Path")
		v, ok := lookup(input, ctxObj, r.Value.(string))
		if !ok {
			return false, &Failure{Error: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", r.Value)}
		}
		operand = v
	}
	cmp, ok := compare(kind, val, operand, op)
	if !ok {
		return false, nil
	}
	return cmp, nil
}

// compare applies op to a and b of the given kind; ok is false on a type mismatch, which
// makes the rule false rather than an error.
func compare(kind int, a, b any, op string) (result, ok bool) {
	if kind == kindMatch {
		s, ok1 := a.(string)
		pat, ok2 := b.(string)
		if !ok1 || !ok2 {
			return false, false
		}
		return stringMatches(s, pat), true
	}
	var c int
	switch kind {
	case kindString:
		x, ok1 := a.(string)
		y, ok2 := b.(string)
		if !ok1 || !ok2 {
			return false, false
		}
		c = strings.Compare(x, y)
	case kindNumber:
		x, ok1 := a.(json.Number)
		y, ok2 := b.(json.Number)
		if !ok1 || !ok2 {
			return false, false
		}
		fx, err1 := x.Float64()
		fy, err2 := y.Float64()
		if err1 != nil || err2 != nil {
			return false, false
		}
		switch {
		case fx < fy:
			c = -1
		case fx > fy:
			c = 1
		}
	case kindBool:
		x, ok1 := a.(bool)
		y, ok2 := b.(bool)
		if !ok1 || !ok2 {
			return false, false
		}
		return x == y, true
	case kindTimestamp:
		xs, ok1 := a.(string)
		ys, ok2 := b.(string)
		if !ok1 || !ok2 {
			return false, false
		}
		x, ok1 := parseTimestamp(xs)
		y, ok2 := parseTimestamp(ys)
		if !ok1 || !ok2 {
			return false, false
		}
		c = x.Compare(y)
	}
	switch {
	case strings.HasSuffix(op, "GreaterThanEquals"):
		return c >= 0, true
	case strings.HasSuffix(op, "LessThanEquals"):
		return c <= 0, true
	case strings.HasSuffix(op, "GreaterThan"):
		return c > 0, true
	case strings.HasSuffix(op, "LessThan"):
		return c < 0, true
	default:
		return c == 0, true
	}
}

// stringMatches reports whether s matches pat, where * matches any run of characters and
// \* and \\ stand for a literal star and backslash.
func stringMatches(s, pat string) bool {
	type tok struct {
		star bool
		r    rune
	}
	var toks []tok
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		switch {
		case rs[i] == '\\' && i+1 < len(rs):
			i++
			toks = append(toks, tok{r: rs[i]})
		case rs[i] == '*':
			toks = append(toks, tok{star: true})
		default:
			toks = append(toks, tok{r: rs[i]})
		}
	}
	str := []rune(s)
	// classic greedy wildcard match with backtracking to the last star
	si, ti, starTi, starSi := 0, 0, -1, 0
	for si < len(str) {
		switch {
		case ti < len(toks) && !toks[ti].star && toks[ti].r == str[si]:
			si++
			ti++
		case ti < len(toks) && toks[ti].star:
			starTi, starSi = ti, si
			ti++
		case starTi >= 0:
			starSi++
			si = starSi
			ti = starTi + 1
		default:
			return false
		}
	}
	for ti < len(toks) && toks[ti].star {
		ti++
	}
	return ti == len(toks)
}

// parseTimestamp accepts the RFC3339 profile Step Functions uses: an uppercase T separator and
// a Z or numeric offset, optional fractional seconds.
func parseTimestamp(s string) (time.Time, bool) {
	if !strings.Contains(s, "T") {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}
