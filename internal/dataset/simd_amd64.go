//go:build !purego

package dataset

import (
	"math/bits"

	"golang.org/x/sys/cpu"
)

// haveSIMD is whether stringMasks runs on this processor (AVX2).
var haveSIMD = cpu.X86.HasAVX2

// simdState carries scanAVX2 from one call to the next: [0] holds the 32 bytes before the next
// ones, [1] the UTF-8 errors found so far (any bit set is an error).
type simdState [2][32]byte

// rawMasks is what scanAVX2 finds in 64 bytes, one bit per byte.
type rawMasks struct {
	quote, backslash, control, notEscape, notHex, u uint64
}

//go:noescape
func scanAVX2(data *byte, n int, raw *rawMasks, st *simdState)

// stringMasks reports whether data is valid UTF-8 and, if so, fills m for its strings (see
// strMasks). With no AVX2 it returns false.
func stringMasks(data []byte, m *strMasks) bool {
	if !haveSIMD {
		return false
	}
	words := len(data)/64 + 2
	m.reset(words)
	var st simdState
	var carry maskCarry
	var raw [rawBatch]rawMasks
	full := len(data) &^ 63
	for off := 0; off < full; off += rawBatch * 64 {
		n := min(full-off, rawBatch*64)
		scanAVX2(&data[off], n, &raw[0], &st)
		m.add(&carry, raw[:n/64])
	}
	// The rest, padded with zero bytes: they end any sequence left open (an error), and they
	// are control characters, so no string runs past the data unnoticed.
	var tail [128]byte
	copy(tail[:], data[full:])
	scanAVX2(&tail[0], len(tail), &raw[0], &st)
	m.add(&carry, raw[:2])
	return st[1] == [32]byte{}
}

// maskCarry is what strMasks.add carries from one word to the next.
type maskCarry struct {
	oddRun bool   // the last word ended in an odd-length run of backslashes
	escU   uint64 // the last word's escaped u characters
}

func (m *strMasks) reset(words int) {
	if cap(m.end) < words {
		m.end, m.bad = make([]uint64, 0, words), make([]uint64, 0, words)
	}
	m.end, m.bad = m.end[:0], m.bad[:0]
}

const (
	evenBits = 0x5555555555555555
	oddBits  = ^uint64(evenBits)
)

// add appends the end and bad words of the next 64 bytes of each raw mask.
func (m *strMasks) add(c *maskCarry, raw []rawMasks) {
	oddRun, lastEscU := c.oddRun, c.escU
	for i := range raw {
		r := &raw[i]
		bs := r.backslash
		var carryIn uint64
		if oddRun {
			carryIn = 1
		}
		// A run of backslashes starting at bit s and ending before bit e escapes e when e-s is
		// odd. Adding the run's start bit to the run carries to e; runs starting on even and on
		// odd bits are added separately so that e's parity gives the run's.
		starts := bs &^ (bs << 1)
		evenStartMask := evenBits ^ carryIn
		evenStarts := starts & evenStartMask
		oddStarts := starts &^ evenStartMask
		evenEnds := (bs + evenStarts) &^ bs
		oddSum, carryOut := bits.Add64(bs, oddStarts, 0)
		oddEnds := (oddSum | carryIn) &^ bs
		oddRun = carryOut != 0
		escaped := evenEnds&oddBits | oddEnds&evenBits

		escU := escaped & r.u
		// Where a \u needs a hex digit: the four bytes after each escaped u.
		hexNeeded := escU<<1 | lastEscU>>63 | escU<<2 | lastEscU>>62 | escU<<3 | lastEscU>>61 | escU<<4 | lastEscU>>60
		lastEscU = escU
		m.end = append(m.end, r.quote&^escaped)
		m.bad = append(m.bad, r.control|escaped&r.notEscape|hexNeeded&r.notHex)
	}
	c.oddRun, c.escU = oddRun, lastEscU
}
