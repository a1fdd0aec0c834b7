//go:build !amd64 || purego

package dataset

var (
	// haveSIMD is whether the string masks (maskScan) run on this processor: never here.
	haveSIMD = false
	// haveAVX512 and useAVX512 are whether maskScan scans 64 bytes a step: never here.
	haveAVX512, useAVX512 = false, false
)

// maskScan is the SIMD block scan, absent here.
type maskScan struct{}

// start returns false: there is no scan here.
func (s *maskScan) start(data []byte, m *strMasks) bool { return false }

// fill is never called, as start returned false.
func (s *maskScan) fill(end int) bool { return false }
