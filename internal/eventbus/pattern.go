package eventbus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strings"
)

// Pattern is a compiled EventBridge event pattern. The zero value matches nothing.
type Pattern struct {
	root *node
}

// node is an object level of a pattern: every field must match (AND), and any one of the
// alternative sub-patterns in or must match too.
type node struct {
	fields []field
	or     [][]*node // each "$or" is a list of alternatives
}

type field struct {
	name     string
	child    *node     // nested object pattern
	matchers []matcher // leaf: any matcher (OR)
}

type matcherKind int

const (
	matchExact matcherKind = iota
	matchPrefix
	matchPrefixIgnoreCase
	matchSuffix
	matchSuffixIgnoreCase
	matchEqualsIgnoreCase
	matchWildcard
	matchAnythingBut
	matchAnythingButPrefix
	matchAnythingButSuffix
	matchAnythingButIgnoreCase
	matchAnythingButWildcard
	matchExists
	matchNumeric
	matchCIDR
)

type matcher struct {
	kind    matcherKind
	value   any      // exact: string, float64, bool or nil
	str     string   // prefix, suffix, equals-ignore-case, wildcard
	values  []any    // anything-but values
	exists  bool     // exists
	numeric []numCmp // numeric
	prefix  netip.Prefix
}

type numCmp struct {
	op string
	v  float64
}

// CompilePattern parses pattern JSON with EventBridge content-filtering semantics: a leaf is an
// array of alternatives (exact strings, numbers, booleans, null, or one-key operator objects
// prefix, suffix, equals-ignore-case, wildcard, anything-but, exists, numeric, cidr); nested
// objects match nested event fields; "$or" holds alternative sub-patterns. An empty pattern, a
// leaf that is not an array or an unknown operator is an error naming the field.
func CompilePattern(pattern []byte) (Pattern, error) {
	var raw any
	dec := json.NewDecoder(bytes.NewReader(pattern))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return Pattern{}, fmt.Errorf("parse event pattern: %w", err)
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return Pattern{}, fmt.Errorf("parse event pattern: want a JSON object")
	}
	if len(obj) == 0 {
		return Pattern{}, fmt.Errorf("parse event pattern: empty pattern")
	}
	n, err := compileNode(obj, "")
	if err != nil {
		return Pattern{}, fmt.Errorf("parse event pattern: %w", err)
	}
	return Pattern{root: n}, nil
}

func compileNode(obj map[string]any, path string) (*node, error) {
	n := &node{}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		v := obj[name]
		at := joinPath(path, name)
		if name == "$or" {
			alts, ok := v.([]any)
			if !ok || len(alts) < 2 {
				return nil, fmt.Errorf("%s: want an array of at least two patterns", at)
			}
			var group []*node
			for i, alt := range alts {
				o, ok := alt.(map[string]any)
				if !ok || len(o) == 0 {
					return nil, fmt.Errorf("%s[%d]: want a non-empty object", at, i)
				}
				c, err := compileNode(o, path)
				if err != nil {
					return nil, err
				}
				group = append(group, c)
			}
			n.or = append(n.or, group)
			continue
		}
		switch v := v.(type) {
		case map[string]any:
			if len(v) == 0 {
				return nil, fmt.Errorf("%s: empty object", at)
			}
			c, err := compileNode(v, at)
			if err != nil {
				return nil, err
			}
			n.fields = append(n.fields, field{name: name, child: c})
		case []any:
			if len(v) == 0 {
				return nil, fmt.Errorf("%s: empty array matches nothing", at)
			}
			f := field{name: name}
			for _, item := range v {
				m, err := compileMatcher(item, at)
				if err != nil {
					return nil, err
				}
				f.matchers = append(f.matchers, m)
			}
			n.fields = append(n.fields, f)
		default:
			return nil, fmt.Errorf("%s: want an array of values or an object, got %s", at, kindOf(v))
		}
	}
	return n, nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func literal(v any) (any, bool) {
	switch v := v.(type) {
	case string, bool, nil:
		return v, true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return nil, false
}

func compileMatcher(item any, at string) (matcher, error) {
	if lit, ok := literal(item); ok {
		return matcher{kind: matchExact, value: lit}, nil
	}
	op, ok := item.(map[string]any)
	if !ok || len(op) != 1 {
		return matcher{}, fmt.Errorf("%s: want a value or an object with one operator", at)
	}
	for name, arg := range op {
		switch name {
		case "prefix", "suffix":
			if s, ok := arg.(string); ok {
				if name == "prefix" {
					return matcher{kind: matchPrefix, str: s}, nil
				}
				return matcher{kind: matchSuffix, str: s}, nil
			}
			if s, ok := ignoreCaseArg(arg); ok {
				if name == "prefix" {
					return matcher{kind: matchPrefixIgnoreCase, str: strings.ToLower(s)}, nil
				}
				return matcher{kind: matchSuffixIgnoreCase, str: strings.ToLower(s)}, nil
			}
			return matcher{}, fmt.Errorf("%s: %s wants a string or {\"equals-ignore-case\": string}", at, name)
		case "equals-ignore-case":
			s, ok := arg.(string)
			if !ok {
				return matcher{}, fmt.Errorf("%s: equals-ignore-case wants a string", at)
			}
			return matcher{kind: matchEqualsIgnoreCase, str: strings.ToLower(s)}, nil
		case "wildcard":
			s, ok := arg.(string)
			if !ok {
				return matcher{}, fmt.Errorf("%s: wildcard wants a string", at)
			}
			return matcher{kind: matchWildcard, str: s}, nil
		case "exists":
			b, ok := arg.(bool)
			if !ok {
				return matcher{}, fmt.Errorf("%s: exists wants true or false", at)
			}
			return matcher{kind: matchExists, exists: b}, nil
		case "anything-but":
			return compileAnythingBut(arg, at)
		case "numeric":
			return compileNumeric(arg, at)
		case "cidr":
			s, ok := arg.(string)
			if !ok {
				return matcher{}, fmt.Errorf("%s: cidr wants a string", at)
			}
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return matcher{}, fmt.Errorf("%s: cidr %q: %w", at, s, err)
			}
			return matcher{kind: matchCIDR, prefix: p.Masked()}, nil
		default:
			return matcher{}, fmt.Errorf("%s: unknown operator %q", at, name)
		}
	}
	panic("unreachable")
}

func ignoreCaseArg(arg any) (string, bool) {
	o, ok := arg.(map[string]any)
	if !ok || len(o) != 1 {
		return "", false
	}
	s, ok := o["equals-ignore-case"].(string)
	return s, ok
}

func compileAnythingBut(arg any, at string) (matcher, error) {
	if lit, ok := literal(arg); ok && arg != nil {
		return matcher{kind: matchAnythingBut, values: []any{lit}}, nil
	}
	switch a := arg.(type) {
	case []any:
		if len(a) == 0 {
			return matcher{}, fmt.Errorf("%s: anything-but wants at least one value", at)
		}
		m := matcher{kind: matchAnythingBut}
		for _, v := range a {
			lit, ok := literal(v)
			if !ok || v == nil {
				return matcher{}, fmt.Errorf("%s: anything-but list wants strings or numbers", at)
			}
			m.values = append(m.values, lit)
		}
		return m, nil
	case map[string]any:
		if len(a) == 1 {
			if s, ok := a["prefix"].(string); ok {
				return matcher{kind: matchAnythingButPrefix, str: s}, nil
			}
			if s, ok := a["suffix"].(string); ok {
				return matcher{kind: matchAnythingButSuffix, str: s}, nil
			}
			if s, ok := a["wildcard"].(string); ok {
				return matcher{kind: matchAnythingButWildcard, str: s}, nil
			}
			if v, ok := a["equals-ignore-case"]; ok {
				var list []any
				if l, ok := v.([]any); ok {
					list = l
				} else {
					list = []any{v}
				}
				m := matcher{kind: matchAnythingButIgnoreCase}
				for _, e := range list {
					s, ok := e.(string)
					if !ok {
						return matcher{}, fmt.Errorf("%s: anything-but equals-ignore-case wants strings", at)
					}
					m.values = append(m.values, strings.ToLower(s))
				}
				if len(m.values) > 0 {
					return m, nil
				}
			}
		}
	}
	return matcher{}, fmt.Errorf("%s: anything-but wants a value, a list of values, or one of prefix, suffix, wildcard, equals-ignore-case", at)
}

func compileNumeric(arg any, at string) (matcher, error) {
	a, ok := arg.([]any)
	if !ok || (len(a) != 2 && len(a) != 4) {
		return matcher{}, fmt.Errorf("%s: numeric wants [op, number] or [op, number, op, number]", at)
	}
	m := matcher{kind: matchNumeric}
	for i := 0; i < len(a); i += 2 {
		op, ok := a[i].(string)
		num, isNum := a[i+1].(json.Number)
		if !ok || !isNum {
			return matcher{}, fmt.Errorf("%s: numeric wants [op, number] pairs", at)
		}
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			return matcher{}, fmt.Errorf("%s: numeric operator %q is not one of = < <= > >=", at, op)
		}
		v, err := num.Float64()
		if err != nil {
			return matcher{}, fmt.Errorf("%s: numeric value %s: %w", at, num, err)
		}
		m.numeric = append(m.numeric, numCmp{op: op, v: v})
	}
	return m, nil
}

// Match reports whether the decoded event (as produced by json.Unmarshal into any) matches.
func (p Pattern) Match(event any) bool {
	if p.root == nil {
		return false
	}
	obj, ok := event.(map[string]any)
	return ok && p.root.match(obj)
}

// MatchJSON decodes event and reports whether it matches.
func (p Pattern) MatchJSON(event []byte) (bool, error) {
	v, err := decodeEvent(event)
	if err != nil {
		return false, err
	}
	return p.Match(v), nil
}

func decodeEvent(event []byte) (any, error) {
	var v any
	if err := json.Unmarshal(event, &v); err != nil {
		return nil, fmt.Errorf("parse event: %w", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("parse event: want a JSON object")
	}
	return v, nil
}

func (n *node) match(obj map[string]any) bool {
	for _, f := range n.fields {
		v, present := obj[f.name]
		if f.child != nil {
			if !present {
				return false
			}
			if !matchChild(f.child, v) {
				return false
			}
			continue
		}
		if !matchLeaf(f.matchers, v, present) {
			return false
		}
	}
	for _, group := range n.or {
		hit := false
		for _, alt := range group {
			if alt.match(obj) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

// matchChild matches a nested pattern against an object, or against any object in an array.
func matchChild(n *node, v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return n.match(v)
	case []any:
		for _, e := range v {
			if o, ok := e.(map[string]any); ok && n.match(o) {
				return true
			}
		}
	}
	return false
}

func matchLeaf(ms []matcher, v any, present bool) bool {
	for _, m := range ms {
		if m.kind == matchExists {
			if m.exists == (present && isLeafValue(v)) {
				return true
			}
			continue
		}
		if !present {
			continue
		}
		// An array in the event matches when any of its elements matches.
		if arr, ok := v.([]any); ok {
			for _, e := range arr {
				if m.matchValue(e) {
					return true
				}
			}
			continue
		}
		if m.matchValue(v) {
			return true
		}
	}
	return false
}

// isLeafValue reports whether v is a value exists can see: EventBridge's exists only works on
// leaf nodes, so an object does not count; an array counts when it holds a leaf.
func isLeafValue(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return false
	case []any:
		for _, e := range v {
			if isLeafValue(e) {
				return true
			}
		}
		return false
	}
	return true
}

func (m matcher) matchValue(v any) bool {
	s, isStr := v.(string)
	f, isNum := v.(float64)
	switch m.kind {
	case matchExact:
		switch want := m.value.(type) {
		case float64:
			return isNum && f == want
		default:
			return v == want
		}
	case matchPrefix:
		return isStr && strings.HasPrefix(s, m.str)
	case matchPrefixIgnoreCase:
		return isStr && strings.HasPrefix(strings.ToLower(s), m.str)
	case matchSuffix:
		return isStr && strings.HasSuffix(s, m.str)
	case matchSuffixIgnoreCase:
		return isStr && strings.HasSuffix(strings.ToLower(s), m.str)
	case matchEqualsIgnoreCase:
		return isStr && strings.ToLower(s) == m.str
	case matchWildcard:
		return isStr && wildcard(m.str, s)
	case matchAnythingBut:
		if !isStr && !isNum {
			return false
		}
		for _, not := range m.values {
			if nf, ok := not.(float64); ok {
				if isNum && f == nf {
					return false
				}
			} else if isStr && s == not {
				return false
			}
		}
		return true
	case matchAnythingButPrefix:
		return isStr && !strings.HasPrefix(s, m.str)
	case matchAnythingButSuffix:
		return isStr && !strings.HasSuffix(s, m.str)
	case matchAnythingButWildcard:
		return isStr && !wildcard(m.str, s)
	case matchAnythingButIgnoreCase:
		if !isStr {
			return false
		}
		lower := strings.ToLower(s)
		for _, not := range m.values {
			if lower == not {
				return false
			}
		}
		return true
	case matchNumeric:
		if !isNum || math.IsNaN(f) {
			return false
		}
		for _, c := range m.numeric {
			if !compare(f, c) {
				return false
			}
		}
		return true
	case matchCIDR:
		addr, err := netip.ParseAddr(s)
		return isStr && err == nil && m.prefix.Contains(addr.Unmap())
	}
	return false
}

func compare(f float64, c numCmp) bool {
	switch c.op {
	case "=":
		return f == c.v
	case "<":
		return f < c.v
	case "<=":
		return f <= c.v
	case ">":
		return f > c.v
	default:
		return f >= c.v
	}
}

// wildcard matches s against a pattern where * stands for any run of characters.
func wildcard(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return s == pattern
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}
