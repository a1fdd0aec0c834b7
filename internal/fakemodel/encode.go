package fakemodel

import (
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// Responses are written with append, byte for byte as json.Marshal writes the equivalent Go
// structs: the same member order, string escaping and number formatting.

const hexDigits = "0123456789abcdef"

// htmlSafe marks the ASCII bytes json.Marshal copies into a string unescaped.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString appends s as a JSON string as json.Marshal does (HTML-safe, invalid UTF-8 as
// U+FFFD, U+2028 and U+2029 escaped).
func appendString[S []byte | string](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if htmlSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		n := min(len(s)-i, utf8.UTFMax)
		c, size := utf8.DecodeRuneInString(string(s[i : i+n]))
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendInt(dst []byte, n int) []byte { return strconv.AppendInt(dst, int64(n), 10) }

// appendFloat32 appends f as json.Marshal encodes a float32.
func appendFloat32(dst []byte, f float32) []byte {
	if b := math.Float32bits(f) &^ (1 << 31); b >= minFixedFloat32 && b < oneFloat32 {
		if f < 0 {
			dst = append(dst, '-')
		}
		if out, ok := appendFraction32(dst, b); ok {
			return out
		}
		dst = dst[:len(dst)-int(math.Float32bits(f)>>31)]
	}
	abs := math.Abs(float64(f))
	format := byte('f')
	if abs != 0 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, float64(f), format, -1, 32)
	if format == 'e' {
		// e-09 to e-9, as json.Marshal does
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// appendFloats appends v as a JSON array of float32 numbers.
func appendFloats(dst []byte, v []float32) []byte {
	dst = append(dst, '[')
	for i, x := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendFloat32(dst, x)
	}
	return append(dst, ']')
}

// appendCompact appends the JSON value src without insignificant white space, with <, >, &,
// U+2028 and U+2029 escaped, as json.Marshal writes a json.RawMessage. src must be valid JSON.
func appendCompact(dst, src []byte) []byte {
	inString := false
	start := 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '<' || c == '>' || c == '&':
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			start = i + 1
		case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8:
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[src[i+2]&0xF])
			i += 2
			start = i + 1
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case isSpace(c):
			dst = append(dst, src[start:i]...)
			start = i + 1
		}
	}
	return append(dst, src[start:]...)
}

// Bits of the float32 range [1e-6, 1), where json.Marshal writes a float32 as "0." and digits.
var (
	minFixedFloat32 = math.Float32bits(1e-6)
	oneFloat32      = math.Float32bits(1)
)

// pow10 holds 10^0 .. 10^17.
var pow10 = func() (t [18]uint64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// appendFraction32 appends the positive float32 with bits b, in [1e-6, 1), as
// strconv.AppendFloat(dst, v, 'f', -1, 32) does: the decimal with the fewest digits that reads
// back as the same float32 and, among those, the one closest to it. Embeddings are made of
// such numbers, and this is faster than strconv's general algorithm. It reports false if it
// finds no such decimal, which happens for no float32 in its range (go test -run
// TestAppendFloat32 -allfloats checks them all).
func appendFraction32(dst []byte, b uint32) ([]byte, bool) {
	m := uint64(b&(1<<23-1)) | 1<<23
	shift := uint(150-int(b>>23)) + 2 // v = 4m / 2^shift, shift in [26, 46)
	// The float32s that round to v lie in [lower, upper] / 2^shift, ends included when m is even.
	lower, upper := 4*m-2, 4*m+2
	if m == 1<<23 {
		lower = 4*m - 1 // the float32 below v is closer at a power of two
	}
	inclusive := m%2 == 0
	// With digits decimals the interval is at least 10 units wide, so it holds a candidate;
	// (e*78913)>>18 is floor(e*log10(2)).
	digits := int((shift-2)*78913>>18) + 2
	p := pow10[digits]
	lo, loRem := mulShift(lower, p, shift)
	if loRem != 0 || !inclusive {
		lo++
	}
	hi, hiRem := mulShift(upper, p, shift)
	if hiRem == 0 && !inclusive {
		hi--
	}
	if lo > hi {
		return dst, false
	}
	// Drop decimals while the interval still holds a multiple of the coarser unit: after k
	// drops hi is the largest such multiple (in the coarser unit), and one exists while it is
	// at least lo (in the finer one).
	k := 0
	for ; digits-k > 1; k++ {
		q := hi / 10
		if q*pow10[k+1] < lo {
			break
		}
		hi = q
	}
	digits -= k
	n, rem := mulShift(4*m, pow10[digits], shift)
	// Ties go to even, except at a power of two, where strconv's Dragonbox rounds them up.
	if half := uint64(1) << (shift - 1); rem > half || rem == half && (n%2 == 1 || m == 1<<23) {
		n++
	}
	// Keep the closest decimal inside the interval: [ceil(lo/10^k), hi].
	if n > hi {
		n = hi
	} else if n*pow10[k] < lo {
		n++
	}
	start := len(dst) + 2
	dst = append(dst, zeroFraction[:2+digits]...)
	i := len(dst)
	for ; n >= 10000; n /= 10000 {
		r := uint32(n % 10000)
		p1, p2 := r/100*2, r%100*2
		dst[i-1], dst[i-2], dst[i-3], dst[i-4] = digitPairs[p2+1], digitPairs[p2], digitPairs[p1+1], digitPairs[p1]
		i -= 4
	}
	for ; n > 0; n /= 100 {
		pair := n % 100 * 2
		dst[i-1] = digitPairs[pair+1]
		if i-2 >= start {
			dst[i-2] = digitPairs[pair]
		}
		i -= 2
	}
	return dst, true
}

// zeroFraction is "0." and enough zeros for any digit count appendFraction32 writes.
const zeroFraction = "0.0000000000000000000000"

// digitPairs holds "00" to "99".
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// mulShift returns x*p >> shift and the bits shifted out, for x*p < 2^128 and 0 < shift < 64.
func mulShift(x, p uint64, shift uint) (uint64, uint64) {
	hi, lo := bits.Mul64(x, p)
	return hi<<(64-shift) | lo>>shift, lo & (1<<shift - 1)
}

// appendTokenUsage appends the start of the usage member Nova and Converse share, up to and
// without the closing brace: ,"usage":{"inputTokens":in,"outputTokens":out,"totalTokens":in+out
func appendTokenUsage(b []byte, in, out int) []byte {
	b = append(b, `,"usage":{"inputTokens":`...)
	b = appendInt(b, in)
	b = append(b, `,"outputTokens":`...)
	b = appendInt(b, out)
	b = append(b, `,"totalTokens":`...)
	return appendInt(b, in+out)
}
