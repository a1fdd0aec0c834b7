package bedrockemu

import "bytes"

// The emulator reads every input line and every model output, so it checks and walks JSON
// itself rather than decoding it into values: jsonScan validates in one pass, and the walkers
// below find members in JSON already known to be valid. Fuzz tests hold them to encoding/json.

// maxJSONDepth is encoding/json's nesting limit: a value nested deeper is invalid.
const maxJSONDepth = 10000

// jsonScan reports whether b is exactly one JSON value with optional white space around it,
// as json.Valid does, and whether b holds no white space outside strings (so json.Compact
// would return it unchanged).
func jsonScan(b []byte) (valid, compact bool) {
	var stackArr [64]byte
	stack := stackArr[:0] // the open containers, '{' or '['
	n := len(b)
	i := 0
	compact = true
value:
	for i < n && isJSONSpace(b[i]) {
		i++
		compact = false
	}
	if i >= n {
		return false, false
	}
	switch c := b[i]; c {
	case '{', '[':
		if len(stack) >= maxJSONDepth {
			return false, false
		}
		i++
		for i < n && isJSONSpace(b[i]) {
			i++
			compact = false
		}
		if i < n && b[i] == c+2 { // '}' or ']'
			i++
			goto end
		}
		stack = append(stack, c)
		if c == '{' {
			goto key
		}
		goto value
	case '"':
		if i = scanString(b, i); i < 0 {
			return false, false
		}
	case 't':
		if !bytes.HasPrefix(b[i:], []byte("true")) {
			return false, false
		}
		i += 4
	case 'f':
		if !bytes.HasPrefix(b[i:], []byte("false")) {
			return false, false
		}
		i += 5
	case 'n':
		if !bytes.HasPrefix(b[i:], []byte("null")) {
			return false, false
		}
		i += 4
	default:
		if i = scanNumber(b, i); i < 0 {
			return false, false
		}
	}
	goto end
key:
	for i < n && isJSONSpace(b[i]) {
		i++
		compact = false
	}
	if i >= n || b[i] != '"' {
		return false, false
	}
	if i = scanString(b, i); i < 0 {
		return false, false
	}
	for i < n && isJSONSpace(b[i]) {
		i++
		compact = false
	}
	if i >= n || b[i] != ':' {
		return false, false
	}
	i++
	goto value
end:
	for i < n && isJSONSpace(b[i]) {
		i++
		compact = false
	}
	if len(stack) == 0 {
		return i == n, compact
	}
	if i >= n {
		return false, false
	}
	switch top := stack[len(stack)-1]; b[i] {
	case ',':
		i++
		if top == '{' {
			goto key
		}
		goto value
	case '}', ']':
		if b[i] != top+2 {
			return false, false
		}
		stack = stack[:len(stack)-1]
		i++
		goto end
	}
	return false, false
}

// plainStringByte marks the bytes a JSON string holds as they are: not '"', '\\' or a control
// character.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString returns the index just past the JSON string starting at b[i], or -1 if it is not
// a valid string.
func scanString(b []byte, i int) int {
	n := len(b)
	for i++; i < n; {
		for i < n && plainStringByte[b[i]] {
			i++
		}
		if i >= n {
			return -1
		}
		switch b[i] {
		case '"':
			return i + 1
		case '\\':
			i++
			if i >= n {
				return -1
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+4 >= n {
					return -1
				}
				for _, h := range b[i+1 : i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return -1
					}
				}
				i += 5
			default:
				return -1
			}
		default: // a control character
			return -1
		}
	}
	return -1
}

// scanNumber returns the index just past the JSON number starting at b[i], or -1 if there is
// none.
func scanNumber(b []byte, i int) int {
	n := len(b)
	digit := func(i int) bool { return i < n && '0' <= b[i] && b[i] <= '9' }
	if i < n && b[i] == '-' {
		i++
	}
	switch {
	case i < n && b[i] == '0':
		i++
	case digit(i):
		for digit(i) {
			i++
		}
	default:
		return -1
	}
	if i < n && b[i] == '.' {
		i++
		if !digit(i) {
			return -1
		}
		for digit(i) {
			i++
		}
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < n && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digit(i) {
			return -1
		}
		for digit(i) {
			i++
		}
	}
	return i
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func trimJSONSpace(b []byte) []byte {
	for len(b) > 0 && isJSONSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isJSONSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// skipJSONSpace returns the index of the first byte at or after i that is not JSON white space.
func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && isJSONSpace(b[i]) {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at b[i], in valid JSON: past
// the first '"' that follows an even number of backslashes.
func stringEnd(b []byte, i int) int {
	for i++; ; i++ {
		i += bytes.IndexByte(b[i:], '"')
		k := i
		for b[k-1] == '\\' {
			k--
		}
		if (i-k)%2 == 0 {
			return i + 1
		}
	}
}

// valueEnd returns the index just past the JSON value starting at b[i], in valid JSON, and
// whether the value holds no insignificant white space.
func valueEnd(b []byte, i int) (end int, compact bool) {
	switch b[i] {
	case '"':
		return stringEnd(b, i), true
	case '{', '[':
		compact = true
		depth := 0
		for {
			switch c := b[i]; c {
			case '"':
				i = stringEnd(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, compact
				}
			case ' ', '\t', '\n', '\r':
				compact = false
			}
			i++
		}
	}
	for i < len(b) && !isJSONSpace(b[i]) && b[i] != ',' && b[i] != '}' && b[i] != ']' {
		i++
	}
	return i, true
}
