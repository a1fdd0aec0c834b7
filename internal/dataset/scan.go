package dataset

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"strconv"
	"sync"
	"unicode/utf8"
)

// DefaultMaxLineBytes is the longest line accepted when Options.MaxLineBytes is zero.
const DefaultMaxLineBytes = 32 << 20

// maxReasonID caps how much of a user's recordId a reject repeats.
const maxReasonID = 256

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Options configure Scan.
type Options struct {
	// MaxLineBytes is the longest line accepted, line end excluded; 0 means DefaultMaxLineBytes.
	MaxLineBytes int
	// Source is the index of the source object in its run (0 for a single file); it goes into
	// pipeline ids and rejects.
	Source int
	// Workers is how many goroutines validate lines; 0 means runtime.GOMAXPROCS(0).
	Workers int

	blockSize int // tests use small blocks to exercise block edges
}

func (o Options) normalize() (Options, error) {
	if o.MaxLineBytes == 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	if o.MaxLineBytes < 0 {
		return o, fmt.Errorf("max line bytes %d is negative", o.MaxLineBytes)
	}
	if o.Source < 0 || o.Source > MaxSource {
		return o, fmt.Errorf("source index %d is outside 0..%d", o.Source, MaxSource)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.blockSize == 0 {
		o.blockSize = defaultBlockSize
	}
	return o, nil
}

// Reject is a line that is not a record: why, where, and the user's recordId when the line
// got far enough to show one (at most 256 bytes of it).
type Reject struct {
	Source   int    `json:"source,omitempty"`
	Line     int64  `json:"line"`
	RecordID string `json:"recordId,omitempty"`
	Reason   string `json:"reason"`
}

// String is the reject as a person reads it: "line 812: modelInput is a string, expected an object".
func (r Reject) String() string {
	return "line " + strconv.FormatInt(r.Line, 10) + ": " + r.Reason
}

// Stats counts the lines of a source. Lines = Records + Blank + Rejected.
type Stats struct {
	Lines      int64 `json:"lines"`
	Records    int64 `json:"records"`
	Blank      int64 `json:"blank"`
	Rejected   int64 `json:"rejected"`   // including Duplicates
	Duplicates int64 `json:"duplicates"` // lines whose recordId an earlier line already has
	Bytes      int64 `json:"bytes"`      // decoded bytes read (after gunzip)
}

// lineRec is what pass one keeps of a valid line until its block is merged.
type lineRec struct {
	line  int64
	miLen int
	hash  uint64
}

// blockResult is the validation of one block.
type blockResult struct {
	recs    []lineRec
	rejects []Reject
	blank   int64
	crc     uint32
}

type job struct {
	b    *block
	done chan struct{}
}

// Scan reads src once (plain or gzip JSONL), validates every line and returns the Index of the
// records it holds, or an error for I/O failures and cancellation (bad lines are rejects, not
// errors). Memory is a few 4 MiB blocks, the longest line, and about 11 bytes per record.
// Duplicate recordIds are found after the last line (the first occurrence wins). The Index
// holds temporary storage: Close it.
func Scan(ctx context.Context, src io.Reader, opts Options) (*Index, error) {
	opts, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	x := newIndex(opts)
	err = eachBlock(ctx, src, opts,
		func(b *block) { checkBlock(b, &b.res, opts) },
		func(b *block) error { return x.merge(b, &b.res) })
	if err != nil {
		x.Close()
		return nil, err
	}
	if err := x.finish(); err != nil {
		x.Close()
		return nil, err
	}
	return x, nil
}

// eachBlock cuts the decoded src into blocks of whole lines on opts.Workers goroutines, each
// reading the next block in turn and running check on it, and calls merge for each checked block
// in source order on the calling goroutine. It returns the first error of merge, of reading, or
// of ctx.
func eachBlock(ctx context.Context, src io.Reader, opts Options, check func(*block), merge func(*block) error) error {
	r, closeSrc, err := openSource(src)
	if err != nil {
		return err
	}
	defer closeSrc()
	nblocks := 3*opts.Workers + 2
	br := newBlockReader(r, opts.MaxLineBytes, opts.blockSize, nblocks)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Each worker reads the next block itself, in turn, and then checks it: the block is read
	// into the cache of the processor that checks it. The jobs go into order as they are read.
	order := make(chan job, nblocks)
	readErr := make(chan error, 1)
	var readMu sync.Mutex
	reading := true // false once order is closed
	stopReading := func(err error) {
		if reading {
			reading = false
			if err != nil && !errors.Is(err, io.EOF) {
				readErr <- err
			}
			close(order)
		}
	}
	for range opts.Workers {
		go func() {
			for {
				readMu.Lock()
				if !reading || ctx.Err() != nil {
					stopReading(nil)
					readMu.Unlock()
					return
				}
				b, err := br.next()
				if err != nil {
					stopReading(err)
					readMu.Unlock()
					return
				}
				j := job{b: b, done: make(chan struct{})}
				order <- j // never blocks: order holds as many jobs as there are blocks
				readMu.Unlock()
				check(j.b)
				close(j.done)
			}
		}()
	}
	var firstErr error
	for j := range order {
		<-j.done
		if firstErr == nil {
			firstErr = ctx.Err()
		}
		if firstErr == nil {
			firstErr = merge(j.b)
		}
		br.recycle(j.b)
		if firstErr != nil {
			cancel()
		}
	}
	select {
	case err := <-readErr:
		if firstErr == nil {
			firstErr = err
		}
	default:
	}
	if firstErr == nil {
		// Cancelled before a worker read a block, or between the last block and the
		// end: the source was not read to the end.
		firstErr = ctx.Err()
	}
	return firstErr
}

// isBlank reports whether a line holds only spaces, tabs and carriage returns.
func isBlank(l []byte) bool {
	for _, c := range l {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// checkBlock validates every line of b for Scan. It runs on worker goroutines.
func checkBlock(b *block, res *blockResult, opts Options) {
	res.recs, res.rejects, res.blank, res.crc = res.recs[:0], res.rejects[:0], 0, 0
	if b.longLine == 0 {
		res.crc = crc32.Update(0, castagnoli, b.data)
	}
	var idBuf [32]byte
	checkLines(b, opts, &res.rejects, &res.blank, func(_ int, l []byte, line int64, info lineInfo) {
		res.recs = append(res.recs, lineRec{line: line, miLen: info.miEnd - info.miStart,
			hash: hashID(userID(l, info, line, idBuf[:0]))})
	})
}

// checkLines validates every line of b: it counts blank lines in blank, appends rejects in line
// order to rejects, and calls valid for every valid line with the line's offset in b.data, the
// line without its line end, its number and what the walk found.
func checkLines(b *block, opts Options, rejects *[]Reject, blank *int64, valid func(off int, l []byte, line int64, info lineInfo)) {
	line := b.firstLine
	if b.longLine > 0 {
		*rejects = append(*rejects, Reject{Source: opts.Source, Line: line,
			Reason: fmt.Sprintf("line is %d bytes, longer than the limit of %d bytes", b.longLine, opts.MaxLineBytes)})
		return
	}
	var idBuf [32]byte
	data := b.data
	// Lines of valid UTF-8 have their strings checked by the block's string masks, filled a
	// step ahead of the walk. From the first line the scan finds bad UTF-8 in on, lines are
	// checked byte by byte, which also says where the bad UTF-8 is.
	var sm *strMasks
	var scan maskScan
	if scan.start(data, &b.strs) {
		sm = &b.strs
	}
	off := 0
	for off < len(data) {
		var l []byte
		next, filled := len(data), len(data)+1
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			l, next, filled = data[off:off+i], off+i+1, off+i+1
		} else {
			l = data[off:]
		}
		if sm != nil && !scan.fill(filled) {
			sm = nil
		}
		if n := len(l); n > 0 && l[n-1] == '\r' {
			l = l[:n-1]
		}
		switch {
		case line > MaxLine:
			*rejects = append(*rejects, Reject{Source: opts.Source, Line: line,
				Reason: fmt.Sprintf("line number above the %d lines a source may have", int64(MaxLine))})
		case isBlank(l):
			*blank++
		case len(l) > opts.MaxLineBytes:
			*rejects = append(*rejects, Reject{Source: opts.Source, Line: line,
				Reason: fmt.Sprintf("line is %d bytes, longer than the limit of %d bytes", len(l), opts.MaxLineBytes)})
		default:
			info, reason := parseLine(l, 0, sm, off)
			if reason != "" {
				rj := Reject{Source: opts.Source, Line: line, Reason: reason}
				if info.id != idMissing {
					rj.RecordID = clip(string(userID(l, info, line, idBuf[:0])))
				}
				*rejects = append(*rejects, rj)
				break
			}
			valid(off, l, line, info)
		}
		off = next
		line++
	}
}

// userID is the user's recordId of a line as plain text (escapes decoded; a number as written;
// the derived id when missing). It may alias l or buf.
func userID(l []byte, info lineInfo, line int64, buf []byte) []byte {
	switch info.id {
	case idString:
		raw := l[info.idStart+1 : info.idEnd-1]
		if bytes.IndexByte(raw, '\\') >= 0 {
			return []byte(decodeString(raw))
		}
		return raw
	case idNumber:
		return l[info.idStart:info.idEnd]
	default:
		return strconv.AppendInt(append(buf, "line-"...), line, 10)
	}
}

// clip shortens a recordId for a reject to at most maxReasonID bytes on a rune boundary.
func clip(s string) string {
	if len(s) <= maxReasonID {
		return s
	}
	cut := maxReasonID
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// hashID is FNV-1a 64 with a final avalanche, so every bit (the dedupe partitions use the top
// ones) is evenly spread.
func hashID(id []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range id {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// putUvarint appends v to a chunked byte store without ever copying what is stored.
func putUvarint(blocks *[][]byte, v uint64) {
	const size = 64 << 10
	bs := *blocks
	if len(bs) == 0 || cap(bs[len(bs)-1])-len(bs[len(bs)-1]) < binary.MaxVarintLen64 {
		bs = append(bs, make([]byte, 0, size))
	}
	last := &bs[len(bs)-1]
	*last = binary.AppendUvarint(*last, v)
	*blocks = bs
}
