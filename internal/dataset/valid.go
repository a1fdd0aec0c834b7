package dataset

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of arrays and objects a line may have, the same limit
// encoding/json applies, so a line this package accepts also decodes with the standard library.
const MaxDepth = 10000

// Valid reports whether b is one JSON value (RFC 8259) in valid UTF-8, with optional surrounding
// whitespace and nothing else, nested at most MaxDepth deep. It agrees with
// json.Valid(b) && utf8.Valid(b) and runs several times faster.
func Valid(b []byte) bool {
	p := parser{b: b}
	p.skipWS()
	if !p.value(0) {
		return false
	}
	p.skipWS()
	return p.err == nil && p.i == len(p.b)
}

// syntaxError is why a line is not JSON; at is the 0-based byte offset where it was found.
type syntaxError struct {
	at  int
	msg string
}

// parser is a strict, allocation-free JSON syntax checker over one line. On the first error it
// records it in err and every method returns false.
type parser struct {
	b   []byte
	i   int
	err *syntaxError
}

func (p *parser) fail(msg string) bool {
	if p.err == nil {
		p.err = &syntaxError{at: p.i, msg: msg}
	}
	return false
}

func (p *parser) unexpected(what string) bool {
	if p.i >= len(p.b) {
		return p.fail("unexpected end of line, expected " + what)
	}
	return p.fail(fmt.Sprintf("unexpected %s, expected %s", describeByte(p.b[p.i]), what))
}

// describeByte names one byte for a reason without echoing record content beyond that byte.
func describeByte(c byte) string {
	if c >= 0x21 && c < 0x7f {
		return fmt.Sprintf("character %q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (p *parser) skipWS() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value checks one JSON value starting at p.i (no leading whitespace).
func (p *parser) value(depth int) bool {
	if p.i >= len(p.b) {
		return p.unexpected("a value")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	default:
		return p.unexpected("a value")
	}
}

func (p *parser) literal(lit string) bool {
	if len(p.b)-p.i >= len(lit) && string(p.b[p.i:p.i+len(lit)]) == lit {
		p.i += len(lit)
		return true
	}
	for k := 0; k < len(lit); k++ {
		if p.i >= len(p.b) || p.b[p.i] != lit[k] {
			return p.unexpected("the literal " + lit)
		}
		p.i++
	}
	return true
}

func (p *parser) object(depth int) bool {
	if depth > MaxDepth {
		return p.fail(fmt.Sprintf("nesting deeper than %d levels", MaxDepth))
	}
	p.i++ // '{'
	p.skipWS()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return true
	}
	for {
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return p.unexpected("a string key")
		}
		if !p.str() {
			return false
		}
		p.skipWS()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return p.unexpected("':' after a key")
		}
		p.i++
		p.skipWS()
		if !p.value(depth) {
			return false
		}
		p.skipWS()
		if p.i >= len(p.b) {
			return p.unexpected("',' or '}'")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.skipWS()
		case '}':
			p.i++
			return true
		default:
			return p.unexpected("',' or '}'")
		}
	}
}

func (p *parser) array(depth int) bool {
	if depth > MaxDepth {
		return p.fail(fmt.Sprintf("nesting deeper than %d levels", MaxDepth))
	}
	p.i++ // '['
	p.skipWS()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return true
	}
	for {
		if !p.value(depth) {
			return false
		}
		p.skipWS()
		if p.i >= len(p.b) {
			return p.unexpected("',' or ']'")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.skipWS()
		case ']':
			p.i++
			return true
		default:
			return p.unexpected("',' or ']'")
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *parser) digits() bool {
	if p.i >= len(p.b) || !isDigit(p.b[p.i]) {
		return p.unexpected("a digit")
	}
	for p.i < len(p.b) && isDigit(p.b[p.i]) {
		p.i++
	}
	return true
}

func (p *parser) number() bool {
	if p.b[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.b) && p.b[p.i] == '0' {
		p.i++
	} else if !p.digits() {
		return false
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if !p.digits() {
			return false
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if !p.digits() {
			return false
		}
	}
	return true
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special marks, in the high bit of each byte, the bytes a string scan must stop at: '"', '\\',
// control characters and non-ASCII bytes. The lowest marked byte is always exact (borrows
// only corrupt marks above a true one), which is all the caller uses.
func special(x uint64) uint64 {
	q := x ^ (lsb * '"')
	s := x ^ (lsb * '\\')
	return (((q - lsb) &^ q) | ((s - lsb) &^ s) | (x - lsb*0x20) | x) & msb
}

// str checks a string starting at the opening quote and leaves p.i after the closing quote.
// Content must be valid UTF-8; escapes are those of RFC 8259, and \u escapes of lone
// surrogates are accepted as the RFC grammar does.
func (p *parser) str() bool {
	p.i++ // opening quote
	b := p.b
	i := p.i
	for {
		for i+16 <= len(b) {
			m := special(binary.LittleEndian.Uint64(b[i:]))
			m2 := special(binary.LittleEndian.Uint64(b[i+8:]))
			if m|m2 != 0 {
				if m == 0 {
					i, m = i+8, m2
				}
				i += bits.TrailingZeros64(m) >> 3
				goto found
			}
			i += 16
		}
		for i+8 <= len(b) {
			m := special(binary.LittleEndian.Uint64(b[i:]))
			if m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
	found:
		if i >= len(b) {
			p.i = i
			return p.unexpected("'\"' closing the string")
		}
		c := b[i]
		switch {
		case c == '"':
			p.i = i + 1
			return true
		case c == '\\':
			if i+1 < len(b) && escapable[b[i+1]] {
				i += 2
				continue
			}
			if i+5 < len(b) && b[i+1] == 'u' && isHex(b[i+2]) && isHex(b[i+3]) && isHex(b[i+4]) && isHex(b[i+5]) {
				i += 6
				continue
			}
			p.i = i
			if !p.escape() {
				return false
			}
			i = p.i
		case c < 0x20:
			p.i = i
			return p.fail(fmt.Sprintf("control character 0x%02x inside a string (must be escaped)", c))
		case c >= utf8.RuneSelf:
			var ok bool
			if i, ok = skipUTF8(b, i); !ok {
				p.i = i
				return p.fail("invalid UTF-8")
			}
		default:
			i++
		}
	}
}

// escapable marks the characters that may follow a backslash, besides 'u'.
var escapable = [256]bool{'"': true, '\\': true, '/': true, 'b': true, 'f': true, 'n': true, 'r': true, 't': true}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// escape checks one escape sequence at p.i (the backslash).
func (p *parser) escape() bool {
	p.i++
	if p.i >= len(p.b) {
		return p.unexpected("an escape character")
	}
	switch p.b[p.i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		p.i++
		return true
	case 'u':
		p.i++
		for k := 0; k < 4; k++ {
			if p.i >= len(p.b) || !isHex(p.b[p.i]) {
				return p.unexpected("a hex digit in a \\u escape")
			}
			p.i++
		}
		return true
	default:
		return p.fail("invalid escape: backslash followed by " + describeByte(p.b[p.i]))
	}
}

// skipUTF8 checks the run of multi-byte UTF-8 sequences starting at i and returns the index of
// the first ASCII byte after it, or the index of the first bad sequence and false. It accepts
// exactly what utf8.Valid accepts (no overlongs, surrogates or code points above U+10FFFF).
func skipUTF8(b []byte, i int) (int, bool) {
	for i < len(b) {
		c := b[i]
		switch {
		case c < 0x80:
			return i, true
		case c < 0xC2:
			return i, false
		case c < 0xE0:
			if i+1 >= len(b) || b[i+1]&0xC0 != 0x80 {
				return i, false
			}
			i += 2
		case c < 0xF0:
			if i+2 >= len(b) {
				return i, false
			}
			lo, hi := byte(0x80), byte(0xBF)
			if c == 0xE0 {
				lo = 0xA0
			} else if c == 0xED {
				hi = 0x9F
			}
			if c1 := b[i+1]; c1 < lo || c1 > hi || b[i+2]&0xC0 != 0x80 {
				return i, false
			}
			i += 3
		case c < 0xF5:
			if i+3 >= len(b) {
				return i, false
			}
			lo, hi := byte(0x80), byte(0xBF)
			if c == 0xF0 {
				lo = 0x90
			} else if c == 0xF4 {
				hi = 0x8F
			}
			if c1 := b[i+1]; c1 < lo || c1 > hi || b[i+2]&0xC0 != 0x80 || b[i+3]&0xC0 != 0x80 {
				return i, false
			}
			i += 4
		default:
			return i, false
		}
	}
	return i, true
}
