package dataset

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// The fast string scanner is a shift-based DFA: strRow[c] packs, for every state s, the state
// after byte c in the 6 bits at offset s, so one step is a table load and a shift, with no
// branch that depends on the text, and UTF-8 is validated in the same step as the grammar. The
// DFA follows valid UTF-8 and the escapes other than \u; it leaves through sExit at the closing
// quote, at a \u (str checks the four hex digits itself and goes on), and at anything invalid,
// which strExact then explains.
const (
	sExit  = 0 * 6 // leave the loop: the closing quote, \u, or anything the loop does not accept
	sText  = 1 * 6 // between characters
	sCont1 = 2 * 6 // one continuation byte (80..BF) to go
	sCont2 = 3 * 6 // two to go
	sCont3 = 4 * 6 // three to go
	sE0    = 5 * 6 // after E0: A0..BF (no overlong form), then one more
	sED    = 6 * 6 // after ED: 80..9F (no surrogate), then one more
	sF0    = 7 * 6 // after F0: 90..BF (no overlong form), then two more
	sF4    = 8 * 6 // after F4: 80..8F (nothing above U+10FFFF), then two more
	sEsc   = 9 * 6 // after a backslash
)

// strStep is one transition of the fast string scanner; the first-byte ranges are those of
// unicode/utf8.
func strStep(s int, c byte) int {
	cont := func(lo, hi byte, to int) int {
		if c >= lo && c <= hi {
			return to
		}
		return sExit
	}
	switch s {
	case sText:
		switch {
		case c == '"' || c < 0x20:
			return sExit
		case c == '\\':
			return sEsc
		case c < 0x80:
			return sText
		case c < 0xC2:
			return sExit
		case c < 0xE0:
			return sCont1
		case c == 0xE0:
			return sE0
		case c == 0xED:
			return sED
		case c < 0xF0:
			return sCont2
		case c == 0xF0:
			return sF0
		case c < 0xF4:
			return sCont3
		case c == 0xF4:
			return sF4
		default:
			return sExit
		}
	case sCont1:
		return cont(0x80, 0xBF, sText)
	case sCont2:
		return cont(0x80, 0xBF, sCont1)
	case sCont3:
		return cont(0x80, 0xBF, sCont2)
	case sE0:
		return cont(0xA0, 0xBF, sCont1)
	case sED:
		return cont(0x80, 0x9F, sCont1)
	case sF0:
		return cont(0x90, 0xBF, sCont2)
	case sF4:
		return cont(0x80, 0x8F, sCont2)
	case sEsc:
		if escapable[c] {
			return sText
		}
		return sExit
	}
	return sExit
}

// strRow is the fast scanner's transition table, built from strStep. sExit's field (offset 0)
// is 0 for every byte, so sExit is absorbing: once left, a run of steps stays out.
var strRow = func() (t [256]uint64) {
	for c := range 256 {
		for s := sText; s <= sEsc; s += 6 {
			t[c] |= uint64(strStep(s, byte(c))) << s
		}
	}
	return t
}()

// str checks a string starting at the opening quote and leaves p.i after the closing quote.
// Content must be valid UTF-8; escapes are those of RFC 8259, and \u escapes of lone
// surrogates are accepted as the RFC grammar does.
func (p *parser) str() bool {
	if p.sm != nil {
		return p.strMasked()
	}
	b := p.b[p.i+1:] // the rest of the line after what the loop accepted
	s := uint64(sText)
	for {
		// sExit is absorbing, so eight steps can run before one test. On an exit the block is
		// stepped again to find the exit byte; a closing quote or a \u whose state the byte
		// before it settles is handled at once, anything else by the narrow loop below.
		for len(b) >= 8 {
			n := strRow[b[0]] >> (s & 63)
			n = strRow[b[1]] >> (n & 63)
			n = strRow[b[2]] >> (n & 63)
			n = strRow[b[3]] >> (n & 63)
			n = strRow[b[4]] >> (n & 63)
			n = strRow[b[5]] >> (n & 63)
			n = strRow[b[6]] >> (n & 63)
			n = strRow[b[7]] >> (n & 63)
			if n&63 == sExit {
				// Find the exit without a data-dependent loop: count the steps that stay
				// in a live state (sExit is 0, so (n&63+63)>>6 is 1 exactly when alive).
				a := strRow[b[0]] >> (s & 63)
				k := (a&63 + 63) >> 6
				a = strRow[b[1]] >> (a & 63)
				k += (a&63 + 63) >> 6
				a = strRow[b[2]] >> (a & 63)
				k += (a&63 + 63) >> 6
				a = strRow[b[3]] >> (a & 63)
				k += (a&63 + 63) >> 6
				a = strRow[b[4]] >> (a & 63)
				k += (a&63 + 63) >> 6
				a = strRow[b[5]] >> (a & 63)
				k += (a&63 + 63) >> 6
				a = strRow[b[6]] >> (a & 63)
				k += (a&63 + 63) >> 6
				k &= 7
				// The state before the exit byte: after an ASCII byte it is sText or sEsc,
				// and only sText stops at a quote; only sEsc stops at a 'u'.
				c, before := b[k], byte(0)
				if k > 0 {
					before = b[k-1]
				}
				if c == '"' && (k == 0 && s&63 == sText || k > 0 && before < 0x80) {
					p.i = len(p.b) - len(b) + int(k) + 1
					return true
				}
				if c == 'u' && (k == 0 && s&63 == sEsc || k > 0 && before == '\\') && k+4 < uint64(len(b)) && isHex(b[k+1]) && isHex(b[k+2]) && isHex(b[k+3]) && isHex(b[k+4]) {
					b = b[k+5:]
					s = sText
					continue
				}
				break
			}
			s = n
			b = b[8:]
		}
		k := 0
		for ; k < len(b); k++ {
			n := strRow[b[k]] >> (s & 63)
			if n&63 == sExit {
				break
			}
			s = n
		}
		if k == len(b) {
			return p.strExact()
		}
		switch c := b[k]; {
		case s&63 == sText && c == '"':
			p.i = len(p.b) - len(b) + k + 1
			return true
		case s&63 == sEsc && c == 'u' && k+4 < len(b) && isHex(b[k+1]) && isHex(b[k+2]) && isHex(b[k+3]) && isHex(b[k+4]):
			b = b[k+5:]
			s = sText
		default:
			return p.strExact()
		}
	}
}

// strMasked is str by the block's string masks: valid strings take one step, anything else
// goes to strExact, which explains it.
func (p *parser) strMasked() bool {
	end, ok := p.sm.stringEnd(p.moff + p.i + 1)
	if e := end - p.moff; ok && e < len(p.b) {
		p.i = e + 1
		return true
	}
	return p.strExact()
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

// strExact is the exact, slower checker str hands a string to when its DFA stops on something
// other than a closing quote or a \u escape; it decides, and on a bad string records where and
// why, so reasons and offsets do not depend on the fast path.
func (p *parser) strExact() bool {
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
