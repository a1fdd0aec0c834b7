//go:build !linux

package prefault

// Bytes does nothing here: only Linux takes the hint.
func Bytes(b []byte) {}
