package dataset

import "math/bits"

// strMasks lets the parser skip over a string in one step. For a block of valid UTF-8 it holds,
// one bit per byte (bit i%64 of word i/64):
//   - bad: what a string must not hold: control characters, a backslash followed by anything
//     but one of "\/bfnrtu, and a byte that should be one of the four hex digits of a \u;
//   - stop: the bad bytes and the quotes no backslash escapes, where strings end.
//
// A string starting at a quote is valid exactly when the next stop bit after it is not bad and
// lies on its line: it is then the closing quote, with nothing bad before it (a \u cut short by
// the closing quote marks the quote bad). The escapes are found as simdjson finds them
// (Langdale and Lemire, "Parsing Gigabytes of JSON per Second", VLDB Journal 2019): a character
// is escaped when an odd-length run of backslashes comes before it, which holds inside any valid
// string whatever the lines around it hold.
type strMasks struct {
	stop, bad []uint64
}

// maskStep is how many bytes a maskScan fills at a time, a multiple of 64: the walk then finds
// them in the first-level cache. A variable so that tests can cross its edges with small data.
var maskStep = 16 << 10

// rawBatch is how many 64-byte words the AVX2 scan classifies per call: their masks stay in
// the first-level cache until they are turned into stop and bad words.
const rawBatch = 64

// stringEnd returns the end of the string whose content starts at bit from: the index of its
// closing quote, or ok false when the string is not valid (or runs past the masks).
func (m *strMasks) stringEnd(from int) (end int, ok bool) {
	w := from >> 6
	if w >= len(m.stop) {
		return 0, false
	}
	e := m.stop[w] &^ (1<<(from&63) - 1)
	for e == 0 {
		if w++; w >= len(m.stop) {
			return 0, false
		}
		e = m.stop[w]
	}
	bit := e & -e
	return w<<6 | bits.TrailingZeros64(bit), m.bad[w]&bit == 0
}
