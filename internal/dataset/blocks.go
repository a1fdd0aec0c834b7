package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
)

// defaultBlockSize is how much of the source one block holds; lines are never split across
// blocks, so a block grows only for a line longer than this.
const defaultBlockSize = 1 << 20

// block is a run of whole lines of the source, or a marker for one over-long line.
type block struct {
	buf       []byte
	n         int          // bytes of buf filled
	data      []byte       // whole lines; each ends in '\n' except possibly the source's last
	firstLine int64        // line number of the first line in data
	lines     int64        // lines in data (1 for a long-line marker)
	longLine  int64        // above zero: this block stands for one line of at least this many bytes
	res       blockResult  // Scan's validation of the block, reused with the block
	stream    streamResult // Stream's validation of the block, reused with the block
	strs      strMasks     // the string masks of data, reused with the block
}

// blockReader cuts a source into blocks of whole lines. Memory is a few blocks plus the longest
// line up to the limit; longer lines are counted and skipped without being buffered.
type blockReader struct {
	r         io.Reader
	maxLine   int
	blockSize int
	free      chan *block
	pending   *block // next block, already holding the carried partial line
	line      int64  // number of the next line
	eof       bool
	done      bool
}

// openSource returns the decoded byte stream of src: gunzipped when it starts with the gzip
// magic bytes, with a leading UTF-8 BOM removed.
func openSource(src io.Reader) (io.Reader, func() error, error) {
	br := bufio.NewReaderSize(src, 64<<10)
	closer := func() error { return nil }
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("open gzip stream: %w", err)
		}
		closer = zr.Close
		r = bufio.NewReaderSize(zr, 64<<10)
	}
	rb := r.(*bufio.Reader)
	if bom, _ := rb.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		if _, err := rb.Discard(3); err != nil {
			return nil, nil, fmt.Errorf("skip byte order mark: %w", err)
		}
	}
	return rb, closer, nil
}

func newBlockReader(r io.Reader, maxLine, blockSize, nblocks int) *blockReader {
	br := &blockReader{r: r, maxLine: maxLine, blockSize: blockSize, free: make(chan *block, nblocks), line: 1}
	for range nblocks {
		br.free <- &block{buf: make([]byte, blockSize)}
	}
	return br
}

// recycle returns a block to the reader. Blocks grown for a long line are dropped so that memory
// falls back once the line is processed.
func (br *blockReader) recycle(b *block) {
	if len(b.buf) > br.blockSize {
		b = &block{buf: make([]byte, br.blockSize)}
	}
	b.n, b.data, b.longLine = 0, nil, 0
	br.free <- b
}

// startNext takes a free block and moves the carried bytes into it.
func (br *blockReader) startNext(carry []byte) {
	nb := <-br.free
	if len(carry) >= len(nb.buf)/2 {
		nb.buf = make([]byte, min(max(2*len(carry), br.blockSize), max(br.maxLine+2, br.blockSize)))
	}
	nb.n = copy(nb.buf, carry)
	br.pending = nb
}

func (br *blockReader) fill(b *block) error {
	for b.n < len(b.buf) && !br.eof {
		m, err := br.r.Read(b.buf[b.n:])
		b.n += m
		if err == io.EOF {
			br.eof = true
		} else if err != nil {
			return err
		}
	}
	return nil
}

// next returns the next block, or io.EOF after the last. The caller recycles every block.
func (br *blockReader) next() (*block, error) {
	if br.done {
		return nil, io.EOF
	}
	if br.pending == nil {
		br.startNext(nil)
	}
	b := br.pending
	br.pending = nil
	for {
		if err := br.fill(b); err != nil {
			return nil, fmt.Errorf("read line %d: %w", br.line, err)
		}
		filled := b.buf[:b.n]
		if i := bytes.LastIndexByte(filled, '\n'); i >= 0 {
			br.startNext(filled[i+1:])
			return br.emit(b, filled[:i+1], int64(bytes.Count(filled[:i+1], []byte{'\n'}))), nil
		}
		if br.eof {
			br.done = true
			if b.n == 0 {
				br.recycle(b)
				return nil, io.EOF
			}
			return br.emit(b, filled, 1), nil
		}
		if len(b.buf) < br.maxLine+2 {
			nb := make([]byte, min(2*len(b.buf), br.maxLine+2))
			copy(nb, filled)
			b.buf = nb
			continue
		}
		return br.skipLong(b)
	}
}

func (br *blockReader) emit(b *block, data []byte, lines int64) *block {
	b.data, b.firstLine, b.lines = data, br.line, lines
	br.line += lines
	return b
}

// skipLong discards the rest of a line that does not fit the limit and returns its marker.
func (br *blockReader) skipLong(b *block) (*block, error) {
	total := int64(b.n)
	for {
		b.n = 0
		if err := br.fill(b); err != nil {
			return nil, fmt.Errorf("read line %d: %w", br.line, err)
		}
		filled := b.buf[:b.n]
		if i := bytes.IndexByte(filled, '\n'); i >= 0 {
			total += int64(i)
			if i > 0 && filled[i-1] == '\r' {
				total-- // the CR of a CRLF line end
			}
			br.startNext(filled[i+1:])
			break
		}
		total += int64(b.n)
		if br.eof {
			br.done = true
			break
		}
	}
	b.longLine = total
	return br.emit(b, nil, 1), nil
}
