package dataset

// maxFastDepth is the deepest nesting valueMasked checks itself; deeper values go to value.
const maxFastDepth = 64

// isSpace marks the four JSON whitespace bytes.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// valueMasked checks the JSON value at p.i (no leading whitespace) as value does, for a line
// whose strings the string masks check, in one loop with the open arrays and objects kept as
// bits of a word instead of a call per value. It reports true only for a valid value, and then
// leaves p.i after it. false says nothing of where or why: the value is not valid, or nested
// deeper than maxFastDepth; the caller then runs value from the same place for the verdict and
// the reason. It never sets p.err.
func (p *parser) valueMasked() bool {
	b, i := p.b, p.i
	var objects uint64 // bit k: whether the open container at depth k+1 (counting from 1) is an object
	depth := 0
	var c byte
value: // a value starts at i
	if i >= len(b) {
		return false
	}
	switch c = b[i]; c {
	case '{':
		for i++; i < len(b) && isSpace[b[i]]; i++ {
		}
		if i < len(b) && b[i] == '}' {
			i++
			goto after
		}
		if depth == maxFastDepth {
			return false
		}
		objects = objects<<1 | 1
		depth++
		goto key
	case '[':
		for i++; i < len(b) && isSpace[b[i]]; i++ {
		}
		if i < len(b) && b[i] == ']' {
			i++
			goto after
		}
		if depth == maxFastDepth {
			return false
		}
		objects <<= 1
		depth++
		goto value
	case '"':
		if i = p.maskedString(i); i < 0 {
			return false
		}
		goto after
	case 't':
		if len(b)-i < 4 || string(b[i:i+4]) != "true" {
			return false
		}
		i += 4
		goto after
	case 'f':
		if len(b)-i < 5 || string(b[i:i+5]) != "false" {
			return false
		}
		i += 5
		goto after
	case 'n':
		if len(b)-i < 4 || string(b[i:i+4]) != "null" {
			return false
		}
		i += 4
		goto after
	}
	// A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
	if c == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else {
		if i >= len(b) || !isDigit(b[i]) {
			return false
		}
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	if i < len(b) && b[i] == '.' {
		if i++; i >= len(b) || !isDigit(b[i]) {
			return false
		}
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	if i < len(b) && b[i]|0x20 == 'e' {
		if i++; i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return false
		}
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	}
after: // a value ended before i
	if depth == 0 {
		p.i = i
		return true
	}
	for ; i < len(b) && isSpace[b[i]]; i++ {
	}
	if i >= len(b) {
		return false
	}
	switch c = b[i]; {
	case c == ',':
		for i++; i < len(b) && isSpace[b[i]]; i++ {
		}
		if objects&1 == 1 {
			goto key
		}
		goto value
	case c == '}' && objects&1 == 1, c == ']' && objects&1 == 0:
		i++
		objects >>= 1
		depth--
		goto after
	}
	return false
key: // an object's key starts at i
	if i >= len(b) || b[i] != '"' {
		return false
	}
	if i = p.maskedString(i); i < 0 {
		return false
	}
	for ; i < len(b) && isSpace[b[i]]; i++ {
	}
	if i >= len(b) || b[i] != ':' {
		return false
	}
	for i++; i < len(b) && isSpace[b[i]]; i++ {
	}
	goto value
}

// maskedString returns the offset after the string whose opening quote is at i, or -1 when the
// string masks do not show a valid string ending on the line.
func (p *parser) maskedString(i int) int {
	end, ok := p.sm.stringEnd(p.moff + i + 1)
	if e := end - p.moff; ok && e < len(p.b) {
		return e + 1
	}
	return -1
}
