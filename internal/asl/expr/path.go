package expr

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

type segKind int

const (
	segName     segKind = iota // .name or ['name']
	segIndex                   // [i] or [i,j,...]
	segWildcard                // .* or [*]
	segSlice                   // [start:end]
	segFilter                  // [?(expr)]
)

// segment is one step of a JSONPath. deep marks a step preceded by "..", applied to the
// current value and all its descendants.
type segment struct {
	kind    segKind
	deep    bool
	name    string
	indexes []int
	start   *int
	end     *int
	filter  filterNode
}

// definite reports whether the step selects at most one value from one value.
func (s segment) definite() bool {
	if s.deep {
		return false
	}
	switch s.kind {
	case segName:
		return true
	case segIndex:
		return len(s.indexes) == 1
	}
	return false
}

func (s segment) String() string {
	var b strings.Builder
	if s.deep {
		b.WriteString("..")
	}
	switch s.kind {
	case segName:
		b.WriteString("['" + s.name + "']")
	case segIndex:
		parts := make([]string, len(s.indexes))
		for i, n := range s.indexes {
			parts[i] = strconv.Itoa(n)
		}
		b.WriteString("[" + strings.Join(parts, ",") + "]")
	case segWildcard:
		b.WriteString("[*]")
	case segSlice:
		b.WriteString("[")
		if s.start != nil {
			b.WriteString(strconv.Itoa(*s.start))
		}
		b.WriteString(":")
		if s.end != nil {
			b.WriteString(strconv.Itoa(*s.end))
		}
		b.WriteString("]")
	case segFilter:
		b.WriteString("[?]")
	}
	return b.String()
}

// jsonPath is a parsed path: "$" (or "@" inside a filter) followed by segments.
type jsonPath struct {
	raw  string
	segs []segment
}

// definite reports whether the path selects at most one value (a "reference path" in Step
// Functions terms when it also has no deep scan).
func (p *jsonPath) definite() bool {
	for _, s := range p.segs {
		if !s.definite() {
			return false
		}
	}
	return true
}

func normalized(segs []segment) string {
	var b strings.Builder
	b.WriteString("$")
	for _, s := range segs {
		b.WriteString(s.String())
	}
	return b.String()
}

// parsePath parses a path starting with "$". Context paths ("$$...") are handled by callers.
func parsePath(s string) (*jsonPath, error) {
	if !strings.HasPrefix(s, "$") {
		return nil, fmt.Errorf("must start with '$'")
	}
	p := &pathParser{cursor{s: s, i: 1}}
	segs, err := p.segments()
	if err != nil {
		return nil, err
	}
	if p.i != len(s) {
		return nil, fmt.Errorf("unexpected %q at offset %d", s[p.i], p.i)
	}
	return &jsonPath{raw: s, segs: segs}, nil
}

type pathParser struct{ cursor }

// cursor walks a string for the path and intrinsic parsers.
type cursor struct {
	s string
	i int
}

func (p *cursor) eof() bool { return p.i >= len(p.s) }

func (p *cursor) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.i]
}

func (p *cursor) skipSpace() {
	for !p.eof() && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

// segments parses steps until a byte that cannot continue a path; the caller decides whether
// that byte is legal there.
func (p *pathParser) segments() ([]segment, error) {
	var segs []segment
	for !p.eof() {
		switch p.s[p.i] {
		case '.':
			p.i++
			deep := false
			if p.peek() == '.' {
				deep = true
				p.i++
			}
			var seg segment
			var err error
			switch {
			case p.peek() == '*':
				p.i++
				seg = segment{kind: segWildcard}
			case deep && p.peek() == '[':
				seg, err = p.bracket()
			default:
				var name string
				name, err = p.dotName()
				seg = segment{kind: segName, name: name}
			}
			if err != nil {
				return nil, err
			}
			seg.deep = deep
			segs = append(segs, seg)
		case '[':
			seg, err := p.bracket()
			if err != nil {
				return nil, err
			}
			segs = append(segs, seg)
		default:
			return segs, nil
		}
	}
	return segs, nil
}

// dotNameStop lists the bytes that end a dot-notation property name.
const dotNameStop = ".[]()',\"=!<>&|*?@$ \t\r\n"

func (p *pathParser) dotName() (string, error) {
	start := p.i
	for !p.eof() && !strings.ContainsRune(dotNameStop, rune(p.s[p.i])) {
		p.i++
	}
	if p.i == start {
		if p.eof() {
			return "", fmt.Errorf("path ends with '.'")
		}
		return "", fmt.Errorf("expected a property name at offset %d, found %q", p.i, p.s[p.i])
	}
	return p.s[start:p.i], nil
}

func (p *pathParser) bracket() (segment, error) {
	p.i++ // '['
	p.skipSpace()
	var seg segment
	switch c := p.peek(); {
	case c == '*':
		p.i++
		seg = segment{kind: segWildcard}
	case c == '\'' || c == '"':
		name, err := p.quoted()
		if err != nil {
			return seg, err
		}
		p.skipSpace()
		if p.peek() == ',' {
			return seg, fmt.Errorf("multi-property selection at offset %d is not supported", p.i)
		}
		seg = segment{kind: segName, name: name}
	case c == '?':
		p.i++
		p.skipSpace()
		if p.peek() != '(' {
			return seg, fmt.Errorf("expected '(' after '?' at offset %d", p.i)
		}
		p.i++
		f, err := p.filterOr()
		if err != nil {
			return seg, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return seg, fmt.Errorf("expected ')' closing the filter at offset %d", p.i)
		}
		p.i++
		seg = segment{kind: segFilter, filter: f}
	case c == '-' || c == ':' || (c >= '0' && c <= '9'):
		var err error
		seg, err = p.indexOrSlice()
		if err != nil {
			return seg, err
		}
	case c == 0:
		return seg, fmt.Errorf("unclosed '['")
	default:
		return seg, fmt.Errorf("unexpected %q in brackets at offset %d", c, p.i)
	}
	p.skipSpace()
	if p.peek() != ']' {
		return seg, fmt.Errorf("expected ']' at offset %d", p.i)
	}
	p.i++
	return seg, nil
}

func (p *pathParser) quoted() (string, error) {
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for {
		if p.eof() {
			return "", fmt.Errorf("unterminated quoted name")
		}
		c := p.s[p.i]
		switch c {
		case '\\':
			if p.i+1 >= len(p.s) {
				return "", fmt.Errorf("unterminated quoted name")
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
			continue
		case q:
			p.i++
			return b.String(), nil
		}
		b.WriteByte(c)
		p.i++
	}
}

func (p *pathParser) integer() (int, bool, error) {
	start := p.i
	if p.peek() == '-' {
		p.i++
	}
	for !p.eof() && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i == start {
		return 0, false, nil
	}
	n, err := strconv.Atoi(p.s[start:p.i])
	if err != nil {
		return 0, false, fmt.Errorf("bad index %q at offset %d", p.s[start:p.i], start)
	}
	return n, true, nil
}

func (p *pathParser) indexOrSlice() (segment, error) {
	first, ok, err := p.integer()
	if err != nil {
		return segment{}, err
	}
	p.skipSpace()
	if p.peek() == ':' {
		p.i++
		p.skipSpace()
		seg := segment{kind: segSlice}
		if ok {
			seg.start = &first
		}
		end, ok, err := p.integer()
		if err != nil {
			return seg, err
		}
		if ok {
			seg.end = &end
		}
		p.skipSpace()
		if p.peek() == ':' {
			return seg, fmt.Errorf("slice step at offset %d is not supported", p.i)
		}
		return seg, nil
	}
	if !ok {
		return segment{}, fmt.Errorf("expected an index at offset %d", p.i)
	}
	seg := segment{kind: segIndex, indexes: []int{first}}
	for p.peek() == ',' {
		p.i++
		p.skipSpace()
		n, ok, err := p.integer()
		if err != nil {
			return seg, err
		}
		if !ok {
			return seg, fmt.Errorf("expected an index at offset %d", p.i)
		}
		seg.indexes = append(seg.indexes, n)
		p.skipSpace()
	}
	return seg, nil
}

// evalPath applies a parsed path to root with Jayway JsonPath's rules (the library Step
// Functions uses): while every step so far is definite, stepping into a missing property that
// is not the last step, or into a value of the wrong type, is an error; a missing last
// property, an out-of-range index and anything below an indefinite step simply select nothing.
func evalPath(p *jsonPath, start, root any) ([]any, error) {
	cur := []any{start}
	upstreamDefinite := true
	for n, s := range p.segs {
		leaf := n == len(p.segs)-1
		strictType := upstreamDefinite && !s.deep
		strictMissing := strictType && s.definite() && !leaf
		var next []any
		for _, v := range cur {
			if s.deep {
				for _, d := range descendants(v, nil) {
					next = applySegment(s, d, root, next)
				}
				continue
			}
			if strictType {
				if err := checkStep(s, v, p.segs[:n], strictMissing); err != nil {
					return nil, err
				}
			}
			next = applySegment(s, v, root, next)
		}
		cur = next
		upstreamDefinite = upstreamDefinite && s.definite()
	}
	return cur, nil
}

// checkStep reports the errors Jayway raises for a step in the definite prefix of a path.
func checkStep(s segment, v any, before []segment, strictMissing bool) error {
	switch s.kind {
	case segName:
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("expected an object with property ['%s'] at %s but found %s", s.name, normalized(before), typeName(v))
		}
		if _, ok := m[s.name]; !ok && strictMissing {
			return fmt.Errorf("missing property in path %s", normalized(append(before[:len(before):len(before)], s)))
		}
	case segIndex, segSlice:
		if _, ok := v.([]any); !ok {
			return fmt.Errorf("%s can only be applied to arrays, found %s at %s", s, typeName(v), normalized(before))
		}
	case segFilter:
		switch v.(type) {
		case []any, map[string]any:
		default:
			return fmt.Errorf("a filter cannot be applied to %s at %s", typeName(v), normalized(before))
		}
	}
	return nil
}

// descendants returns v and every value nested in it, parents before children, object members
// in key order.
func descendants(v any, out []any) []any {
	out = append(out, v)
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			out = descendants(x[k], out)
		}
	case []any:
		for _, e := range x {
			out = descendants(e, out)
		}
	}
	return out
}

func applySegment(s segment, v, root any, out []any) []any {
	switch s.kind {
	case segName:
		if m, ok := v.(map[string]any); ok {
			if c, ok := m[s.name]; ok {
				out = append(out, c)
			}
		}
	case segIndex:
		if a, ok := v.([]any); ok {
			for _, i := range s.indexes {
				if i < 0 {
					i += len(a)
				}
				if i >= 0 && i < len(a) {
					out = append(out, a[i])
				}
			}
		}
	case segWildcard:
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				out = append(out, x[k])
			}
		case []any:
			out = append(out, x...)
		}
	case segSlice:
		if a, ok := v.([]any); ok {
			from, to := 0, len(a)
			if s.start != nil {
				from = clampIndex(*s.start, len(a))
			}
			if s.end != nil {
				to = clampIndex(*s.end, len(a))
			}
			if from < to {
				out = append(out, a[from:to]...)
			}
		}
	case segFilter:
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if s.filter.match(e, root) {
					out = append(out, e)
				}
			}
		case map[string]any:
			if s.filter.match(x, root) {
				out = append(out, x)
			}
		}
	}
	return out
}

func clampIndex(i, n int) int {
	if i < 0 {
		i += n
	}
	return max(0, min(i, n))
}

// filterNode is a parsed filter expression, evaluated against the current element (@) and the
// document root ($).
type filterNode interface {
	match(cur, root any) bool
}

type orNode struct{ l, r filterNode }

func (n orNode) match(cur, root any) bool { return n.l.match(cur, root) || n.r.match(cur, root) }

type andNode struct{ l, r filterNode }

func (n andNode) match(cur, root any) bool { return n.l.match(cur, root) && n.r.match(cur, root) }

type notNode struct{ x filterNode }

func (n notNode) match(cur, root any) bool { return !n.x.match(cur, root) }

// operand is one side of a filter comparison: a path relative to @ or $, or a literal.
type operand struct {
	path     *jsonPath
	relative bool
	lit      any
	re       *regexp.Regexp
}

func (o operand) value(cur, root any) (any, bool) {
	if o.path == nil {
		return o.lit, true
	}
	start := root
	if o.relative {
		start = cur
	}
	vals, err := evalPath(o.path, start, root)
	if err != nil || len(vals) != 1 {
		return nil, false
	}
	return vals[0], true
}

type existsNode struct{ o operand }

func (n existsNode) match(cur, root any) bool {
	_, ok := n.o.value(cur, root)
	return ok
}

type cmpNode struct {
	l, r operand
	op   string
}

func (n cmpNode) match(cur, root any) bool {
	l, ok := n.l.value(cur, root)
	if !ok {
		return false
	}
	if n.op == "=~" {
		s, ok := l.(string)
		return ok && n.r.re.MatchString(s)
	}
	r, ok := n.r.value(cur, root)
	if !ok {
		return false
	}
	switch n.op {
	case "==":
		return equalValues(l, r)
	case "!=":
		return !equalValues(l, r)
	}
	c, ok := compareOrdered(l, r)
	if !ok {
		return false
	}
	switch n.op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	default: // ">="
		return c >= 0
	}
}

func compareOrdered(a, b any) (int, bool) {
	if ra, ok := toRat(a); ok {
		rb, ok := toRat(b)
		if !ok {
			return 0, false
		}
		return ra.Cmp(rb), true
	}
	sa, ok := a.(string)
	if !ok {
		return 0, false
	}
	sb, ok := b.(string)
	if !ok {
		return 0, false
	}
	return strings.Compare(sa, sb), true
}

func (p *pathParser) filterOr() (filterNode, error) {
	l, err := p.filterAnd()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.s[p.i:], "||") {
			return l, nil
		}
		p.i += 2
		r, err := p.filterAnd()
		if err != nil {
			return nil, err
		}
		l = orNode{l, r}
	}
}

func (p *pathParser) filterAnd() (filterNode, error) {
	l, err := p.filterUnary()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.s[p.i:], "&&") {
			return l, nil
		}
		p.i += 2
		r, err := p.filterUnary()
		if err != nil {
			return nil, err
		}
		l = andNode{l, r}
	}
}

func (p *pathParser) filterUnary() (filterNode, error) {
	p.skipSpace()
	switch p.peek() {
	case '!':
		if !strings.HasPrefix(p.s[p.i:], "!=") {
			p.i++
			x, err := p.filterUnary()
			if err != nil {
				return nil, err
			}
			return notNode{x}, nil
		}
	case '(':
		p.i++
		x, err := p.filterOr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return nil, fmt.Errorf("expected ')' at offset %d", p.i)
		}
		p.i++
		return x, nil
	}
	return p.comparison()
}

var filterOps = []string{"==", "!=", "<=", ">=", "=~", "<", ">"}

func (p *pathParser) comparison() (filterNode, error) {
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	op := ""
	for _, o := range filterOps {
		if strings.HasPrefix(p.s[p.i:], o) {
			op = o
			break
		}
	}
	if op == "" {
		if l.path == nil {
			return nil, fmt.Errorf("filter term at offset %d is a literal without a comparison", p.i)
		}
		return existsNode{l}, nil
	}
	p.i += len(op)
	p.skipSpace()
	if op == "=~" {
		re, err := p.regex()
		if err != nil {
			return nil, err
		}
		return cmpNode{l: l, op: op, r: operand{re: re}}, nil
	}
	r, err := p.operand()
	if err != nil {
		return nil, err
	}
	return cmpNode{l: l, op: op, r: r}, nil
}

func (p *pathParser) operand() (operand, error) {
	p.skipSpace()
	c := p.peek()
	switch {
	case c == '@' || c == '$':
		start := p.i
		p.i++
		segs, err := p.segments()
		if err != nil {
			return operand{}, err
		}
		path := &jsonPath{raw: p.s[start:p.i], segs: segs}
		if !path.definite() {
			return operand{}, fmt.Errorf("filter operand %s must select a single value", path.raw)
		}
		return operand{path: path, relative: c == '@'}, nil
	case c == '\'' || c == '"':
		s, err := p.quoted()
		if err != nil {
			return operand{}, err
		}
		return operand{lit: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		p.i++
		for !p.eof() && strings.IndexByte("0123456789.eE+-", p.s[p.i]) >= 0 {
			p.i++
		}
		text := p.s[start:p.i]
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return operand{}, fmt.Errorf("bad number %q in filter", text)
		}
		return operand{lit: json.Number(text)}, nil
	}
	for word, v := range map[string]any{"true": true, "false": false, "null": nil} {
		if strings.HasPrefix(p.s[p.i:], word) {
			p.i += len(word)
			return operand{lit: v}, nil
		}
	}
	if p.eof() {
		return operand{}, fmt.Errorf("filter ends early")
	}
	return operand{}, fmt.Errorf("unexpected %q in filter at offset %d", c, p.i)
}

func (p *pathParser) regex() (*regexp.Regexp, error) {
	if p.peek() != '/' {
		return nil, fmt.Errorf("expected /regex/ after =~ at offset %d", p.i)
	}
	p.i++
	var b strings.Builder
	for {
		if p.eof() {
			return nil, fmt.Errorf("unterminated regex")
		}
		c := p.s[p.i]
		if c == '\\' && p.i+1 < len(p.s) && p.s[p.i+1] == '/' {
			b.WriteByte('/')
			p.i += 2
			continue
		}
		p.i++
		if c == '/' {
			break
		}
		b.WriteByte(c)
	}
	// Jayway matches the whole string (Matcher.matches), hence the anchors.
	pattern := "^(?:" + b.String() + ")$"
	for !p.eof() && p.s[p.i] == 'i' {
		pattern = "(?i)" + pattern
		p.i++
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("bad regex: %w", err)
	}
	return re, nil
}
