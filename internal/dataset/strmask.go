package dataset

import "math/bits"

// strMasks lets the parser skip over a string in one step. For a block of valid UTF-8 it holds,
// one bit per byte (bit i%64 of word i/64):
//   - end: the quotes no backslash escapes, where strings end;
//   - bad: what a string must not hold: control characters, a backslash followed by anything
//     but one of "\/bfnrtu, and a byte that should be one of the four hex digits of a \u.
//
// A string starting at a quote is valid exactly when the next end bit after it lies on its
// line and no bad bit lies between them (the end included: a \u cut short by the closing quote
// marks the quote). The escapes are found as simdjson finds them (Langdale and Lemire, "Parsing
// Gigabytes of JSON per Second", VLDB Journal 2019): a character is escaped when an odd-length
// run of backslashes comes before it, which holds inside any valid string whatever the lines
// around it hold.
type strMasks struct {
	end, bad []uint64
}

// rawBatch is how many 64-byte words the AVX2 scan classifies per call: their masks stay in
// the first-level cache until they are turned into end and bad words.
const rawBatch = 64

// stringEnd returns the end of the string whose content starts at bit from: the index of its
// closing quote, or ok false when the string is not valid (or runs past the masks).
func (m *strMasks) stringEnd(from int) (end int, ok bool) {
	w := from >> 6
	if w >= len(m.end) {
		return 0, false
	}
	e := m.end[w] &^ (1<<(from&63) - 1)
	for e == 0 {
		if w++; w >= len(m.end) {
			return 0, false
		}
		e = m.end[w]
	}
	end = w<<6 | bits.TrailingZeros64(e)
	return end, !anyBit(m.bad, from, end)
}

// anyBit reports whether any bit of m in [from, to] is set.
func anyBit(m []uint64, from, to int) bool {
	wf, wt := from>>6, to>>6
	lo := ^uint64(0) << (from & 63)
	hi := ^uint64(0) >> (63 - to&63)
	if wf == wt {
		return m[wf]&lo&hi != 0
	}
	if m[wf]&lo != 0 {
		return true
	}
	for _, v := range m[wf+1 : wt] {
		if v != 0 {
			return true
		}
	}
	return m[wt]&hi != 0
}
