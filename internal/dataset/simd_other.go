//go:build !amd64 || purego

package dataset

// haveSIMD is whether stringMasks runs on this processor: never on this architecture.
var haveSIMD = false

// stringMasks is the AVX2 block scan, absent here: it returns false.
func stringMasks(data []byte, m *strMasks) bool { return false }
