//go:build !amd64 || purego

package dataset

var (
	// haveSIMD is whether stringMasks runs on this processor: never on this architecture.
	haveSIMD = false
	// haveAVX512 and useAVX512 are whether stringMasks scans 64 bytes a step: never here.
	haveAVX512, useAVX512 = false, false
)

// stringMasks is the AVX2 block scan, absent here: it returns false.
func stringMasks(data []byte, m *strMasks) bool { return false }
