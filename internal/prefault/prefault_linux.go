package prefault

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

const page = 4096

// Bytes maps every whole page of b now. b's content is unchanged.
func Bytes(b []byte) {
	at := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := int((page - at%page) % page)
	hi := len(b) - int((at+uintptr(len(b)))%page)
	if hi > lo {
		unix.Madvise(b[lo:hi], unix.MADV_POPULATE_WRITE)
	}
}
