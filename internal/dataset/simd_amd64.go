//go:build !purego

package dataset

import "golang.org/x/sys/cpu"

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
	var raw [rawBatch]rawMasks
	full := len(data) &^ 63
	for off := 0; off < full; off += rawBatch * 64 {
		n := min(full-off, rawBatch*64)
		scanAVX2(&data[off], n, &raw[0], &st)
		for i := range n / 64 {
			m.add(&raw[i])
		}
	}
	// The rest, padded with zero bytes: they end any sequence left open (an error), and they
	// are control characters, so no string runs past the data unnoticed.
	var tail [128]byte
	copy(tail[:], data[full:])
	scanAVX2(&tail[0], len(tail), &raw[0], &st)
	m.add(&raw[0])
	m.add(&raw[1])
	return st[1] == [32]byte{}
}
