//go:build !purego

package dataset

import (
	"math/bits"

	"golang.org/x/sys/cpu"
)

var (
	// haveSIMD is whether the string masks (maskScan) run on this processor (AVX2).
	haveSIMD = cpu.X86.HasAVX2
	// haveAVX512 is whether this processor also runs scanAVX512 (AVX-512 F and BW).
	haveAVX512 = haveSIMD && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW
	// useAVX512 is whether maskScan scans with scanAVX512 instead of scanAVX2 and
	// maskCarry.add: 64 bytes a step, the mask words derived in the same loop.
	useAVX512 = haveAVX512
)

// simdState carries scanAVX2 from one call to the next: [0] holds the 32 bytes before the next
// ones, [1] the UTF-8 errors found so far (any bit set is an error).
type simdState [2][32]byte

// rawMasks is what scanAVX2 finds in 64 bytes, one bit per byte.
type rawMasks struct {
	quote, backslash, control, notEscape, notHex, u uint64
}

//go:noescape
func scanAVX2(data *byte, n int, raw *rawMasks, st *simdState)

// scan512State carries scanAVX512 from one call to the next; its layout is the assembly's,
// which alone reads and writes prev, oddRun and escU.
type scan512State struct {
	//lint:ignore U1000 the assembly's
	prev [64]byte // the 64 bytes before the next ones
	errs [64]byte // the UTF-8 errors found so far (any bit set is an error)
	//lint:ignore U1000 the assembly's
	oddRun uint64 // as maskCarry's
	//lint:ignore U1000 the assembly's
	escU uint64 // as maskCarry's
}

//go:noescape
func scanAVX512(data *byte, n int, stop, bad *uint64, st *scan512State)

// maskScan fills a strMasks for data a step of maskStep bytes at a time, as the walk needs
// them, so that lines are walked while their bytes are still in the first-level cache.
type maskScan struct {
	m     *strMasks
	data  []byte
	done  int // bytes of data whose mask words are filled: a multiple of 64, then past the end
	st512 scan512State
	st    simdState
	carry maskCarry
	raw   [rawBatch]rawMasks
}

// start prepares s to fill m for data. It returns false with no AVX2.
func (s *maskScan) start(data []byte, m *strMasks) bool {
	if !haveSIMD {
		return false
	}
	words := len(data)/64 + 2
	if cap(m.stop) < words {
		m.stop, m.bad = make([]uint64, words), make([]uint64, words)
	}
	m.stop, m.bad = m.stop[:words], m.bad[:words]
	s.m, s.data, s.done = m, data, 0
	s.st512, s.st, s.carry = scan512State{}, simdState{}, maskCarry{}
	return true
}

// fill fills the mask words of at least the first end bytes of data (all of them, and the
// padding after, when end is past len(data)) and reports whether the bytes scanned so far are
// valid UTF-8. A byte's error shows by the time the scan has passed the byte after it, so a line
// whose line end is filled holds no error the result does not show.
func (s *maskScan) fill(end int) bool {
	full := len(s.data) &^ 63
	for s.done < end {
		if s.done < full {
			n := min(full-s.done, maskStep)
			s.scan(s.data[s.done:s.done+n], s.done/64)
			s.done += n
			continue
		}
		// The rest, padded with zero bytes: they end any sequence left open (an error), and
		// they are control characters, so no string runs past the data unnoticed.
		var tail [128]byte
		copy(tail[:], s.data[full:])
		s.scan(tail[:], full/64)
		s.done = full + len(tail)
	}
	if useAVX512 {
		return s.st512.errs == [64]byte{}
	}
	return s.st[1] == [32]byte{}
}

// scan fills the mask words from word w on for the bytes of p, a multiple of 64 long.
func (s *maskScan) scan(p []byte, w int) {
	if useAVX512 {
		scanAVX512(&p[0], len(p), &s.m.stop[w], &s.m.bad[w], &s.st512)
		return
	}
	for off := 0; off < len(p); off += rawBatch * 64 {
		n := min(len(p)-off, rawBatch*64)
		scanAVX2(&p[off], n, &s.raw[0], &s.st)
		s.carry.add(s.raw[:n/64], s.m.stop[w+off/64:], s.m.bad[w+off/64:])
	}
}

// maskCarry is what add carries from one 64-byte word to the next.
type maskCarry struct {
	oddRun uint64 // 1 if the last word ended in an odd-length run of backslashes
	escU   uint64 // the last word's escaped u characters
}

const (
	evenBits = 0x5555555555555555
	oddBits  = ^uint64(evenBits)
)

// add sets stop[i] and bad[i] from raw[i], word by word.
func (c *maskCarry) add(raw []rawMasks, stop, bad []uint64) {
	oddRun, lastEscU := c.oddRun, c.escU
	stop, bad = stop[:len(raw)], bad[:len(raw)]
	for i := range raw {
		r := &raw[i]
		bs := r.backslash
		// A run of backslashes starting at bit s and ending before bit e escapes e when e-s is
		// odd. Adding the run's start bit to the run carries to e; runs starting on even and on
		// odd bits are added separately so that e's parity gives the run's.
		starts := bs &^ (bs << 1)
		evenStartMask := evenBits ^ oddRun
		evenStarts := starts & evenStartMask
		oddStarts := starts &^ evenStartMask
		evenEnds := (bs + evenStarts) &^ bs
		oddSum, carryOut := bits.Add64(bs, oddStarts, 0)
		oddEnds := (oddSum | oddRun) &^ bs
		oddRun = carryOut
		escaped := evenEnds&oddBits | oddEnds&evenBits

		escU := escaped & r.u
		// Where a \u needs a hex digit: the four bytes after each escaped u.
		hexNeeded := escU<<1 | lastEscU>>63 | escU<<2 | lastEscU>>62 | escU<<3 | lastEscU>>61 | escU<<4 | lastEscU>>60
		lastEscU = escU
		b := r.control | escaped&r.notEscape | hexNeeded&r.notHex
		stop[i] = r.quote&^escaped | b
		bad[i] = b
	}
	c.oddRun, c.escU = oddRun, lastEscU
}
