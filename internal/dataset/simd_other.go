//go:build !amd64 || purego

package dataset

// haveSIMD is whether stringMasks runs on this processor: never on this architecture.
var haveSIMD = false

// rawMasks is what the AVX2 scan finds in 64 bytes, one bit per byte.
type rawMasks struct {
	quote, backslash, control, notEscape, notHex, u uint64
}

// stringMasks is the AVX2 block scan, absent here: it returns false.
func stringMasks(data []byte, m *strMasks) bool { return false }
