//go:build !unix

package bedrockemu

import (
	"io"
	"os"
)

// mapFile reads the first size bytes of f into memory, where the system has no mmap.
func mapFile(f *os.File, size int64) ([]byte, func() error, error) {
	data := make([]byte, size)
	if _, err := f.ReadAt(data, 0); err != nil && err != io.EOF {
		return nil, nil, err
	}
	return data, func() error { return nil }, nil
}
