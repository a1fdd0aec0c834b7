package expr

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// maxNesting is the documented limit of intrinsic functions nested within one field.
const maxNesting = 10

type argKind int

const (
	argString argKind = iota
	argNumber
	argBool
	argNull
	argPath
	argCall
)

// arg is one parsed intrinsic argument.
type arg struct {
	kind argKind
	str  string // argString: the value with escapes resolved
	raw  string // argString: the text between the quotes, escapes kept (States.Format needs them)
	num  json.Number
	b    bool
	path string // argPath: "$..." or "$$..."
	call *call
}

// call is one parsed intrinsic invocation.
type call struct {
	name string
	fn   *function
	args []arg
}

var callShape = regexp.MustCompile(`^\s*[A-Za-z_][A-Za-z0-9_.]*\s*\(`)

// IsIntrinsic reports whether s has the shape of an intrinsic function call (a name followed by
// "("), which is how a ".$" field tells an intrinsic from a path. It does not check the name or
// the arguments: Validate does.
func IsIntrinsic(s string) bool {
	return !strings.HasPrefix(strings.TrimSpace(s), "$") && callShape.MatchString(s)
}

// Validate parses the intrinsic call s without evaluating it: syntax, function names, argument
// counts, path syntax, string escapes and the nesting limit. The error is an *Error named
// States.IntrinsicFailure whose cause says what and where. Use it at load time so a bad
// template is rejected before any execution starts.
func Validate(s string) error {
	_, err := parseIntrinsic(s)
	return err
}

// Eval evaluates the intrinsic call s. Paths in its arguments ("$..." and "$$...") are resolved
// against input and context as Resolve does. Errors are *Error: States.IntrinsicFailure for a
// malformed call or an argument of the wrong type or out of the function's limits,
// States.Runtime for an argument path that selects nothing.
func Eval(s string, input, context any) (any, error) {
	c, err := parseIntrinsic(s)
	if err != nil {
		return nil, err
	}
	return evalCall(c, input, context)
}

func evalCall(c *call, input, context any) (any, error) {
	vals := make([]any, len(c.args))
	for i, a := range c.args {
		switch a.kind {
		case argString:
			vals[i] = a.str
		case argNumber:
			vals[i] = a.num
		case argBool:
			vals[i] = a.b
		case argNull:
			vals[i] = nil
		case argPath:
			v, err := Resolve(a.path, input, context)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		case argCall:
			v, err := evalCall(a.call, input, context)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
	}
	v, err := c.fn.eval(c, vals)
	if err != nil {
		return nil, errorf(ErrIntrinsicFailure, "%s: %v", c.name, err)
	}
	return v, nil
}

func parseIntrinsic(s string) (*call, error) {
	p := &intrinsicParser{cursor{s: s}}
	p.skipSpace()
	c, err := p.call(1)
	if err == nil {
		p.skipSpace()
		if !p.eof() {
			err = fmt.Errorf("unexpected %q after the closing ')' at offset %d", p.s[p.i], p.i)
		}
	}
	if err != nil {
		return nil, errorf(ErrIntrinsicFailure, "invalid intrinsic function call %q: %v", s, err)
	}
	return c, nil
}

type intrinsicParser struct{ cursor }

func isIdentByte(c byte) bool {
	return c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func (p *intrinsicParser) ident() string {
	start := p.i
	for !p.eof() && isIdentByte(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *intrinsicParser) call(depth int) (*call, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("more than %d nested intrinsic functions", maxNesting)
	}
	at := p.i
	name := p.ident()
	if name == "" {
		return nil, fmt.Errorf("expected a function name at offset %d", at)
	}
	fn, ok := functions[name]
	if !ok {
		return nil, fmt.Errorf("unknown intrinsic function %q at offset %d", name, at)
	}
	p.skipSpace()
	if p.peek() != '(' {
		return nil, fmt.Errorf("expected '(' after %s at offset %d", name, p.i)
	}
	p.i++
	c := &call{name: name, fn: fn}
	p.skipSpace()
	if p.peek() == ')' {
		p.i++
	} else {
		for {
			a, err := p.arg(depth)
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			p.skipSpace()
			if p.peek() == ',' {
				p.i++
				p.skipSpace()
				continue
			}
			if p.peek() == ')' {
				p.i++
				break
			}
			if p.eof() {
				return nil, fmt.Errorf("missing ')' closing %s", name)
			}
			return nil, fmt.Errorf("expected ',' or ')' at offset %d, found %q", p.i, p.s[p.i])
		}
	}
	if len(c.args) < fn.minArgs || (fn.maxArgs >= 0 && len(c.args) > fn.maxArgs) {
		return nil, fmt.Errorf("%s takes %s, got %d", name, fn.arity(), len(c.args))
	}
	if fn.pathArg && c.args[0].kind != argPath {
		return nil, fmt.Errorf("%s takes a path as its argument", name)
	}
	return c, nil
}

func (p *intrinsicParser) arg(depth int) (arg, error) {
	c := p.peek()
	switch {
	case c == '\'':
		return p.stringLit()
	case c == '$':
		return p.pathArg()
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		p.i++
		for !p.eof() && strings.IndexByte("0123456789.eE+-", p.s[p.i]) >= 0 {
			p.i++
		}
		text := p.s[start:p.i]
		var n json.Number
		if err := json.Unmarshal([]byte(text), &n); err != nil {
			return arg{}, fmt.Errorf("bad number %q at offset %d", text, start)
		}
		return arg{kind: argNumber, num: n}, nil
	case isIdentByte(c):
		start := p.i
		word := p.ident()
		switch word {
		case "true", "false":
			return arg{kind: argBool, b: word == "true"}, nil
		case "null":
			return arg{kind: argNull}, nil
		}
		p.i = start
		sub, err := p.call(depth + 1)
		if err != nil {
			return arg{}, err
		}
		return arg{kind: argCall, call: sub}, nil
	case c == 0:
		return arg{}, fmt.Errorf("missing argument at the end")
	}
	return arg{}, fmt.Errorf("unexpected %q at offset %d", c, p.i)
}

// stringLit reads a single-quoted literal. The documented escapes are \' \{ \} and \\; any other
// backslash is an "open escape", which Step Functions rejects.
func (p *intrinsicParser) stringLit() (arg, error) {
	start := p.i
	p.i++
	var b strings.Builder
	for {
		if p.eof() {
			return arg{}, fmt.Errorf("unterminated string starting at offset %d", start)
		}
		c := p.s[p.i]
		switch c {
		case '\\':
			if p.i+1 >= len(p.s) || strings.IndexByte(`'{}\`, p.s[p.i+1]) < 0 {
				return arg{}, fmt.Errorf("open escape backslash at offset %d (only \\' \\{ \\} \\\\ are escapes)", p.i)
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
			continue
		case '\'':
			p.i++
			return arg{kind: argString, str: b.String(), raw: p.s[start+1 : p.i-1]}, nil
		}
		b.WriteByte(c)
		p.i++
	}
}

// pathArg reads a path up to the ',' or ')' that ends the argument, skipping over brackets,
// filter parentheses and quoted names inside it.
func (p *intrinsicParser) pathArg() (arg, error) {
	start := p.i
	brackets, parens := 0, 0
	var quote byte
scan:
	for ; !p.eof(); p.i++ {
		c := p.s[p.i]
		if quote != 0 {
			if c == '\\' && p.i+1 < len(p.s) {
				p.i++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '\'', '"':
			if brackets > 0 {
				quote = c
			}
		case '[':
			brackets++
		case ']':
			brackets--
		case '(':
			parens++
		case ')':
			if parens == 0 && brackets == 0 {
				break scan
			}
			parens--
		case ',':
			if parens == 0 && brackets == 0 {
				break scan
			}
		}
	}
	text := strings.TrimRight(p.s[start:p.i], " \t\r\n")
	if _, err := parseAnyPath(text); err != nil {
		return arg{}, fmt.Errorf("bad path argument at offset %d: %v", start, err.(*Error).Cause)
	}
	return arg{kind: argPath, path: text}, nil
}
