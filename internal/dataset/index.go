package dataset

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
)

// spoolMemory is how many bytes of rejects an Index keeps in memory before spilling to a file.
const spoolMemory = 1 << 20

// Index is what Scan learnt about a source: counts, the rejects, and per record its line and
// modelInput length (about 3 bytes a record), enough to plan chunks and to replay the source
// without validating it again. It is not safe for concurrent use.
type Index struct {
	stats   Stats
	opts    Options
	recs    [][]byte   // per candidate record: uvarint(line gap), uvarint(modelInput length)
	hashes  [][]uint64 // per candidate record: recordId hash; dropped after dedupe
	nCand   int64      // candidate records (before dedupe)
	lastRec int64      // line of the last candidate record
	crcs    []uint32   // per block, to notice a source that changed before Replay
	dups    []dup      // sorted by ordinal
	spool   rejectSpool
}

// dup is a record whose recordId an earlier record has.
type dup struct {
	ord, firstOrd   int64
	line, firstLine int64
}

func newIndex(opts Options) *Index { return &Index{opts: opts} }

// Stats returns the counts of the scanned source.
func (x *Index) Stats() Stats { return x.stats }

// Source returns the source index the Index was scanned with.
func (x *Index) Source() int { return x.opts.Source }

// Close removes the temporary file rejects may have spilled to. It is idempotent.
func (x *Index) Close() error { return x.spool.close() }

func (x *Index) merge(b *block, res *blockResult) error {
	x.stats.Lines += b.lines
	x.stats.Bytes += int64(len(b.data)) + b.longLine
	x.stats.Blank += res.blank
	x.crcs = append(x.crcs, res.crc)
	for _, rj := range res.rejects {
		if err := x.spool.add(rj); err != nil {
			return err
		}
	}
	x.stats.Rejected += int64(len(res.rejects))
	const hblock = 32 << 10
	for _, r := range res.recs {
		putUvarint(&x.recs, uint64(r.line-x.lastRec-1))
		putUvarint(&x.recs, uint64(r.miLen))
		x.lastRec = r.line
		if len(x.hashes) == 0 || len(x.hashes[len(x.hashes)-1]) == hblock {
			x.hashes = append(x.hashes, make([]uint64, 0, hblock))
		}
		last := &x.hashes[len(x.hashes)-1]
		*last = append(*last, r.hash)
		x.nCand++
	}
	return nil
}

// finish finds duplicate recordIds. Hashes are checked in partitions by their top bits, so the
// transient map holds about 2^16 entries (about 2 MB) until there are more than 2^22 records,
// after which partitions grow by 1/64 of the records (0.3 bytes a record).
func (x *Index) finish() error {
	parts, shift := 1, uint(64)
	for parts < 64 && int64(parts)<<16 < x.nCand {
		parts *= 2
		shift--
	}
	seen := make(map[uint64]int64, min(x.nCand/int64(parts)+1, 1<<16))
	for p := range parts {
		clear(seen)
		var ord int64
		for _, hb := range x.hashes {
			for _, h := range hb {
				if parts == 1 || int(h>>shift) == p {
					if first, ok := seen[h]; ok {
						x.dups = append(x.dups, dup{ord: ord, firstOrd: first})
					} else {
						seen[h] = ord
					}
				}
				ord++
			}
		}
	}
	x.hashes = nil
	slices.SortFunc(x.dups, func(a, b dup) int { return int(a.ord - b.ord) })
	need := make(map[int64]int64, 2*len(x.dups))
	for _, d := range x.dups {
		need[d.ord], need[d.firstOrd] = 0, 0
	}
	if len(need) > 0 {
		it := x.candidates()
		for ord := int64(0); ; ord++ {
			line, _, ok := it.next()
			if !ok {
				break
			}
			if _, want := need[ord]; want {
				need[ord] = line
			}
		}
		for i := range x.dups {
			x.dups[i].line, x.dups[i].firstLine = need[x.dups[i].ord], need[x.dups[i].firstOrd]
		}
	}
	x.stats.Duplicates = int64(len(x.dups))
	x.stats.Rejected += x.stats.Duplicates
	x.stats.Records = x.nCand - x.stats.Duplicates
	return x.spool.seal()
}

// candIter walks the candidate records (duplicates included) in line order.
type candIter struct {
	recs [][]byte
	blk  int
	off  int
	line int64
}

func (x *Index) candidates() *candIter { return &candIter{recs: x.recs} }

func (it *candIter) uvarint() uint64 {
	for it.blk < len(it.recs) && it.off >= len(it.recs[it.blk]) {
		it.blk++
		it.off = 0
	}
	v, n := binary.Uvarint(it.recs[it.blk][it.off:])
	it.off += n
	return v
}

func (it *candIter) next() (line int64, miLen int, ok bool) {
	for it.blk < len(it.recs) && it.off >= len(it.recs[it.blk]) {
		it.blk++
		it.off = 0
	}
	if it.blk >= len(it.recs) {
		return 0, 0, false
	}
	it.line += int64(it.uvarint()) + 1
	return it.line, int(it.uvarint()), true
}

// RecordIter walks the accepted records of an Index in line order.
type RecordIter struct {
	c    *candIter
	dups []dup
	ord  int64
	src  int
}

// Records returns a new iterator over the accepted records; each call starts from the first.
func (x *Index) Records() *RecordIter {
	return &RecordIter{c: x.candidates(), dups: x.dups, src: x.opts.Source}
}

// Next returns the next record's line and the size in bytes of its Bedrock input line
// (newline included), or ok false after the last record.
func (it *RecordIter) Next() (line, size int64, ok bool) {
	for {
		l, miLen, ok := it.c.next()
		if !ok {
			return 0, 0, false
		}
		ord := it.ord
		it.ord++
		if len(it.dups) > 0 && it.dups[0].ord == ord {
			it.dups = it.dups[1:]
			continue
		}
		return l, InputLineSize(it.src, l, miLen), true
	}
}

// InputLineSize is the byte length, newline included, of the Bedrock input line for the record
// on line of source whose modelInput is miLen bytes.
func InputLineSize(source int, line int64, miLen int) int64 {
	var buf [16]byte
	return int64(len(`{"recordId":"`) + len(appendPipelineID(buf[:0], source, line)) +
		len(`","modelInput":`) + miLen + len("}\n"))
}

// Rejects calls fn for every reject in line order. Duplicates found by Scan carry no recordId
// (Scan keeps hashes, not ids); Replay reports them with it.
func (x *Index) Rejects(fn func(Reject) error) error {
	return x.eachReject(fn, nil)
}

// eachReject merges the spooled rejects with the duplicates. dupFill, when set, supplies the
// recordId of a duplicate's line.
func (x *Index) eachReject(fn func(Reject) error, dupFill map[int64]string) error {
	it, err := x.spool.iter()
	if err != nil {
		return err
	}
	defer it.close()
	dups := x.dups
	for {
		rj, ok, err := it.next()
		if err != nil {
			return err
		}
		for len(dups) > 0 && (!ok || dups[0].line < rj.Line) {
			if err := fn(x.dupReject(dups[0], dupFill)); err != nil {
				return err
			}
			dups = dups[1:]
		}
		if !ok {
			return nil
		}
		if err := fn(rj); err != nil {
			return err
		}
	}
}

func (x *Index) dupReject(d dup, fill map[int64]string) Reject {
	return Reject{Source: x.opts.Source, Line: d.line, RecordID: fill[d.line],
		Reason: "duplicate recordId, first seen on line " + strconv.FormatInt(d.firstLine, 10)}
}

// rejectSpool keeps rejects as JSON lines in memory, spilling to a temporary file past
// spoolMemory, so a source of nothing but bad lines still runs in bounded memory.
type rejectSpool struct {
	mem  bytes.Buffer
	file *os.File
	w    *bufio.Writer
}

func (s *rejectSpool) add(rj Reject) error {
	b, err := json.Marshal(rj)
	if err != nil {
		return fmt.Errorf("encode reject: %w", err)
	}
	if s.file == nil && s.mem.Len()+len(b) > spoolMemory {
		f, err := os.CreateTemp("", "bbatch-rejects-*.jsonl")
		if err != nil {
			return fmt.Errorf("spill rejects: %w", err)
		}
		s.file, s.w = f, bufio.NewWriter(f)
		if _, err := s.w.Write(s.mem.Bytes()); err != nil {
			return fmt.Errorf("spill rejects to %s: %w", f.Name(), err)
		}
		s.mem = bytes.Buffer{}
	}
	if s.w != nil {
		s.w.Write(b)
		if err := s.w.WriteByte('\n'); err != nil {
			return fmt.Errorf("spill rejects to %s: %w", s.file.Name(), err)
		}
		return nil
	}
	s.mem.Write(b)
	s.mem.WriteByte('\n')
	return nil
}

func (s *rejectSpool) seal() error {
	if s.w != nil {
		if err := s.w.Flush(); err != nil {
			return fmt.Errorf("spill rejects to %s: %w", s.file.Name(), err)
		}
	}
	return nil
}

func (s *rejectSpool) close() error {
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	s.file.Close()
	s.file, s.w = nil, nil
	if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove reject spool: %w", err)
	}
	return nil
}

type spoolIter struct {
	sc *bufio.Scanner
	f  *os.File
}

func (s *rejectSpool) iter() (*spoolIter, error) {
	var r io.Reader = bytes.NewReader(s.mem.Bytes())
	it := &spoolIter{}
	if s.file != nil {
		f, err := os.Open(s.file.Name())
		if err != nil {
			return nil, fmt.Errorf("read reject spool: %w", err)
		}
		it.f, r = f, f
	}
	it.sc = bufio.NewScanner(r)
	it.sc.Buffer(make([]byte, 64<<10), 1<<20)
	return it, nil
}

func (it *spoolIter) next() (Reject, bool, error) {
	if !it.sc.Scan() {
		if err := it.sc.Err(); err != nil {
			return Reject{}, false, fmt.Errorf("read reject spool: %w", err)
		}
		return Reject{}, false, nil
	}
	var rj Reject
	if err := json.Unmarshal(it.sc.Bytes(), &rj); err != nil {
		return Reject{}, false, fmt.Errorf("read reject spool: %w", err)
	}
	return rj, true, nil
}

func (it *spoolIter) close() {
	if it.f != nil {
		it.f.Close()
	}
}
