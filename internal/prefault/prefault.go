package prefault

import "unsafe"

// Words is Bytes for a slice of uint64.
func Words(w []uint64) {
	Bytes(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), 8*len(w)))
}
