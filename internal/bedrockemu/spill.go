package bedrockemu

import (
	"bufio"
	"fmt"
	"os"
)

// spill holds a job's input records outside the Go heap: Validating appends each record's
// recordId and compact modelInput to an unlinked temporary file through a small buffer, and
// the file is then mapped read-only, so the records are slices of the mapping. The input object
// is never held whole in memory: the kernel keeps the file's pages in its page cache, which is
// far cheaper to fill than fresh process memory, and drops them when the job releases it.
type spill struct {
	f    *os.File
	w    *bufio.Writer
	size int64
	data []byte       // the mapping, once mapped
	drop func() error // undoes the mapping
}

// spillBuffer is the size of a spill's write buffer.
const spillBuffer = 256 << 10

// newSpill creates the temporary file. It is unlinked at once where the system allows, so
// nothing is left behind whatever happens to the process.
func newSpill() (*spill, error) {
	f, err := os.CreateTemp("", "bedrockemu-job-*.spill")
	if err != nil {
		return nil, fmt.Errorf("create job spill file: %w", err)
	}
	_ = os.Remove(f.Name())
	return &spill{f: f, w: bufio.NewWriterSize(f, spillBuffer)}, nil
}

// add appends b and returns its offset.
func (s *spill) add(b []byte) (int64, error) {
	off := s.size
	n, err := s.w.Write(b)
	s.size += int64(n)
	if err != nil {
		return 0, fmt.Errorf("write job spill file: %w", err)
	}
	return off, nil
}

// mapAll flushes what was added and maps it; bytes returns slices of the mapping afterwards.
func (s *spill) mapAll() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("write job spill file: %w", err)
	}
	s.w = nil
	data, drop, err := mapFile(s.f, s.size)
	if err != nil {
		return fmt.Errorf("map job spill file: %w", err)
	}
	s.data, s.drop = data, drop
	return nil
}

// bytes returns the n bytes at off; the spill must be mapped.
func (s *spill) bytes(off int64, n int) []byte {
	return s.data[off : off+int64(n) : off+int64(n)]
}

// close unmaps and closes the file. No slice of the mapping may be used afterwards.
func (s *spill) close() {
	if s == nil {
		return
	}
	if s.drop != nil {
		_ = s.drop()
	}
	s.data, s.drop, s.w = nil, nil, nil
	_ = s.f.Close()
	_ = os.Remove(s.f.Name())
}
