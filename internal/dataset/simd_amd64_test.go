//go:build !purego

package dataset

import (
	"testing"
	"unsafe"
)

// TestScan512StateLayout pins the offsets scanAVX512 reads and writes its state at.
func TestScan512StateLayout(t *testing.T) {
	var st scan512State
	got := [...]uintptr{unsafe.Offsetof(st.prev), unsafe.Offsetof(st.errs), unsafe.Offsetof(st.oddRun), unsafe.Offsetof(st.escU), unsafe.Sizeof(st)}
	if want := [...]uintptr{0, 64, 128, 136, 144}; got != want {
		t.Errorf("scan512State offsets (prev, errs, oddRun, escU, size) = %v, the assembly's are %v", got, want)
	}
}
