package prefault

import (
	"bytes"
	"testing"
)

// TestContentKept: populating leaves what a buffer holds as it was, whatever its alignment and
// length, including buffers smaller than a page and empty ones.
func TestContentKept(t *testing.T) {
	big := make([]byte, 3<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>12)
	}
	want := bytes.Clone(big)
	for _, r := range [][2]int{{0, len(big)}, {1, len(big) - 1}, {4095, 4097}, {100, 200}, {5, 5}, {4096, 3 * 4096}} {
		Bytes(big[r[0]:r[1]])
		if !bytes.Equal(big, want) {
			t.Fatalf("Bytes(big[%d:%d]) changed the buffer", r[0], r[1])
		}
	}
	words := make([]uint64, 1<<18)
	words[12345] = 42
	Words(words)
	Words(nil)
	Bytes(nil)
	if words[12345] != 42 || words[0] != 0 {
		t.Fatal("Words changed the buffer")
	}
}
