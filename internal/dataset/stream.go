package dataset

import (
	"context"
	"fmt"
	"io"
	"math/bits"
	"strconv"

	"github.com/bedrock-batch/bedrock-batch/internal/prefault"
)

// streamBlockSize is the block size of Stream, smaller than Scan's: the blocks in flight then
// stay in the processor's caches from the read to the copy into the output, measured on
// 1,000,000 records (1.29 GB) at 1.9-2.0 CPU-seconds for bbatch chunk against 2.0-2.35 with
// 1 MiB blocks, and 6 MB less memory.
const streamBlockSize = 256 << 10

// streamRec is what a worker learns about one valid line for Stream.
type streamRec struct {
	line int64
	off  int // of the line in its block's data
	n    int // length of the line without its line end
	info lineInfo
	hash uint64
	dup  bool // set by the merge: an earlier record has the same recordId
}

// streamResult is Stream's validation of one block, reused with the block.
type streamResult struct {
	recs    []streamRec
	rejects []Reject
	blank   int64
}

// pendingDup is a duplicate Stream found: its first line is learnt only after the stream.
type pendingDup struct {
	line int64
	hash uint64
}

// Streamed is what Stream learnt besides the records it handed over: the counts and the
// rejects. It holds temporary storage: Close it.
type Streamed struct {
	stats Stats
	opts  Options
	spool rejectSpool
	dups  []pendingDup // in line order; their rejects are spooled with an empty Reason
}

// Stats returns the counts of the streamed source.
func (s *Streamed) Stats() Stats { return s.stats }

// Close removes the temporary file rejects may have spilled to. It is idempotent.
func (s *Streamed) Close() error { return s.spool.close() }

// DuplicateHashes returns the RecordIDHash of every recordId that Stream rejected as a
// duplicate, each once: the ids whose first line Rejects needs.
func (s *Streamed) DuplicateHashes() []uint64 {
	seen := make(map[uint64]bool, len(s.dups))
	var hs []uint64
	for _, d := range s.dups {
		if !seen[d.hash] {
			seen[d.hash] = true
			hs = append(hs, d.hash)
		}
	}
	return hs
}

// Rejects calls fn for every reject in line order, as Index.Replay does: duplicates carry their
// recordId and the line of the first record with it, which firstLines gives by RecordIDHash
// (the caller saw every record Stream handed over).
func (s *Streamed) Rejects(firstLines map[uint64]int64, fn func(Reject) error) error {
	it, err := s.spool.iter()
	if err != nil {
		return err
	}
	defer it.close()
	dups := s.dups
	for {
		rj, ok, err := it.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if rj.Reason == "" {
			if len(dups) == 0 || dups[0].line != rj.Line {
				return fmt.Errorf("line %d: a duplicate reject out of order", rj.Line)
			}
			first, found := firstLines[dups[0].hash]
			if !found {
				return fmt.Errorf("line %d: no first line for its duplicate recordId", rj.Line)
			}
			rj.Reason = "duplicate recordId, first seen on line " + strconv.FormatInt(first, 10)
			dups = dups[1:]
		}
		if err := fn(rj); err != nil {
			return err
		}
	}
}

// RecordIDHash is the hash duplicate detection gives a record's recordId, computed from the
// Record.RecordIDJSON Replay or Stream handed over.
func RecordIDHash(recordIDJSON []byte) uint64 {
	raw := recordIDJSON[1 : len(recordIDJSON)-1]
	for _, c := range raw {
		if c == '\\' {
			return hashID([]byte(decodeString(raw)))
		}
	}
	return hashID(raw)
}

// Stream reads src once (plain or gzip JSONL), validates every line on opts.Workers goroutines,
// and calls onRecord for every accepted record in line order, as Index.Replay does, dropping
// duplicate recordIds as it goes (the first occurrence wins). lines is how many lines the
// caller expects (0 if unknown): it sizes the duplicate set, about 10 bytes a line, allocated
// once. It returns the counts and the rejects, or an I/O error, the context's, or the first
// error onRecord returns. Record bytes are valid only until onRecord returns.
func Stream(ctx context.Context, src io.Reader, opts Options, lines int64, onRecord func(*Record) error) (*Streamed, error) {
	if opts.blockSize == 0 {
		opts.blockSize = streamBlockSize
	}
	opts, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	s := &Streamed{opts: opts}
	ids := newIDSet(lines)
	var rec Record
	var ids36 idCounter
	var uidBuf []byte
	err = eachBlock(ctx, src, opts,
		func(b *block) { checkStreamBlock(b, opts) },
		func(b *block) error {
			res := &b.stream
			s.stats.Lines += b.lines
			s.stats.Bytes += int64(len(b.data)) + b.longLine
			s.stats.Blank += res.blank
			s.stats.Rejected += int64(len(res.rejects))
			// The set lookups run first, in loops of their own, so that the processor overlaps
			// their cache misses instead of taking them one record at a time: warm only loads
			// (no branch waits on a load), then add finds the slots in the cache.
			ids.warm(res.recs)
			for i := range res.recs {
				res.recs[i].dup = !ids.add(res.recs[i].hash)
			}
			rejects := res.rejects
			for i := range res.recs {
				r := &res.recs[i]
				for len(rejects) > 0 && rejects[0].Line < r.line {
					if err := s.spool.add(rejects[0]); err != nil {
						return err
					}
					rejects = rejects[1:]
				}
				l := b.data[r.off : r.off+r.n]
				if r.dup {
					s.stats.Rejected++
					s.stats.Duplicates++
					s.dups = append(s.dups, pendingDup{line: r.line, hash: r.hash})
					err := s.spool.add(Reject{Source: opts.Source, Line: r.line, RecordID: clip(string(userID(l, r.info, r.line, uidBuf[:0])))})
					if err != nil {
						return err
					}
					continue
				}
				s.stats.Records++
				id := ids36.id(opts.Source, r.line)
				var u []byte
				switch r.info.id {
				case idString:
					u = l[r.info.idStart:r.info.idEnd]
				case idNumber:
					u = append(append(append(uidBuf[:0], '"'), l[r.info.idStart:r.info.idEnd]...), '"')
					uidBuf = u
				default:
					u = append(strconv.AppendInt(append(uidBuf[:0], `"line-`...), r.line, 10), '"')
					uidBuf = u
				}
				rec.Line, rec.ID, rec.RecordIDJSON, rec.ModelInput = r.line, id, u, l[r.info.miStart:r.info.miEnd]
				if err := onRecord(&rec); err != nil {
					return err
				}
			}
			for _, rj := range rejects {
				if err := s.spool.add(rj); err != nil {
					return err
				}
			}
			return nil
		})
	if err == nil {
		err = s.spool.seal()
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// checkStreamBlock validates every line of b for Stream. It runs on worker goroutines.
func checkStreamBlock(b *block, opts Options) {
	res := &b.stream
	res.recs, res.rejects, res.blank = res.recs[:0], res.rejects[:0], 0
	var idBuf [32]byte
	checkLines(b, opts, &res.rejects, &res.blank, func(off int, l []byte, line int64, info lineInfo) {
		res.recs = append(res.recs, streamRec{line: line, off: off, n: len(l), info: info,
			hash: hashID(userID(l, info, line, idBuf[:0]))})
	})
}

// idSet is a set of recordId hashes: open addressing with linear probing over one slice, at
// most 80% full, so about 10 bytes per id. The zero hash, which marks an empty slot, is kept
// aside.
type idSet struct {
	slots   []uint64
	n       int
	limit   int
	zero    bool
	warmSum uint64 // what warm loaded, kept so that its loads are not optimized away
}

func newIDSet(hint int64) *idSet {
	s := &idSet{}
	s.alloc(int(max(hint+hint/4, 64)))
	return s
}

func (s *idSet) alloc(size int) {
	s.slots = make([]uint64, size)
	prefault.Words(s.slots) // every slot is touched, in no order
	s.limit = size / 5 * 4
	s.n = 0
}

// warm loads the first slot each record's hash probes, so that the adds that follow find
// them in the processor's cache.
func (s *idSet) warm(recs []streamRec) {
	size := uint64(len(s.slots))
	var sum uint64
	for i := range recs {
		j, _ := bits.Mul64(recs[i].hash, size)
		sum += s.slots[j]
	}
	s.warmSum += sum
}

// add puts h in the set and reports whether it was not there yet.
func (s *idSet) add(h uint64) bool {
	if h == 0 {
		had := s.zero
		s.zero = true
		return !had
	}
	if s.n >= s.limit {
		old := s.slots
		s.alloc(2 * len(old))
		for _, v := range old {
			if v != 0 {
				s.add(v)
			}
		}
	}
	size := uint64(len(s.slots))
	i, _ := bits.Mul64(h, size)
	for {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			s.n++
			return true
		case h:
			return false
		}
		i++
		if i == size {
			i = 0
		}
	}
}
