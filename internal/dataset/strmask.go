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
	// carried from one word to the next by add
	oddRun bool   // the last word ended in an odd-length run of backslashes
	escU   uint64 // the last word's escaped u characters
}

func (m *strMasks) reset(words int) {
	if cap(m.end) < words {
		m.end, m.bad = make([]uint64, 0, words), make([]uint64, 0, words)
	}
	m.end, m.bad = m.end[:0], m.bad[:0]
	m.oddRun, m.escU = false, 0
}

// rawBatch is how many 64-byte words the AVX2 scan classifies per call: their masks stay in
// the first-level cache until strMasks.add reads them.
const rawBatch = 64

const (
	evenBits = 0x5555555555555555
	oddBits  = ^uint64(evenBits)
)

// add appends the next 64 bytes' end and bad words, from their raw masks.
func (m *strMasks) add(r *rawMasks) {
	bs := r.backslash
	var carryIn uint64
	if m.oddRun {
		carryIn = 1
	}
	// A run of backslashes starting at bit s and ending before bit e escapes e when e-s is odd.
	// Adding the run's start bit to the run carries to e; runs starting on even and on odd bits
	// are added separately so that e's parity gives the run's.
	starts := bs &^ (bs << 1)
	evenStartMask := evenBits ^ carryIn
	evenStarts := starts & evenStartMask
	oddStarts := starts &^ evenStartMask
	evenEnds := (bs + evenStarts) &^ bs
	oddSum, carryOut := bits.Add64(bs, oddStarts, 0)
	oddEnds := (oddSum | carryIn) &^ bs
	m.oddRun = carryOut != 0
	escaped := evenEnds&oddBits | oddEnds&evenBits

	escU := escaped & r.u
	// Where a \u needs a hex digit: the four bytes after each escaped u.
	hexNeeded := escU<<1 | m.escU>>63 | escU<<2 | m.escU>>62 | escU<<3 | m.escU>>61 | escU<<4 | m.escU>>60
	m.escU = escU
	m.end = append(m.end, r.quote&^escaped)
	m.bad = append(m.bad, r.control|escaped&r.notEscape|hexNeeded&r.notHex)
}

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
