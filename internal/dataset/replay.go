package dataset

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
)

// ErrSourceChanged means Replay read different bytes than Scan did: the source was modified in
// between. The caller scans again.
var ErrSourceChanged = errors.New("source changed since it was scanned")

// Record is one accepted record as Replay hands it over. The byte slices are valid only until
// the callback returns.
type Record struct {
	Line int64 // 1-based line in the source
	// ID is the pipeline id, the recordId Bedrock sees (PipelineID(source, Line)).
	ID []byte
	// RecordIDJSON is the user's recordId as a JSON string literal, quotes included: the
	// string as written, a number's text, or the derived "line-<n>".
	RecordIDJSON []byte
	// ModelInput is the modelInput value exactly as written in the source.
	ModelInput []byte
}

// Replay reads src, the same bytes Scan read, and calls onRecord for every accepted record in
// line order; then, if onReject is set, it calls it for every reject in line order, duplicates
// with their recordId. It returns ErrSourceChanged (wrapped) if the bytes differ from the scan,
// the first error a callback returns, or an I/O error.
func (x *Index) Replay(ctx context.Context, src io.Reader, onRecord func(*Record) error, onReject func(Reject) error) error {
	r, closeSrc, err := openSource(src)
	if err != nil {
		return err
	}
	defer closeSrc()
	br := newBlockReader(r, x.opts.MaxLineBytes, x.opts.blockSize, 3)
	type read struct {
		b   *block
		crc uint32
		err error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	blocks := make(chan read, 1)
	go func() {
		defer close(blocks)
		for ctx.Err() == nil {
			b, err := br.next()
			if errors.Is(err, io.EOF) {
				return
			}
			var crc uint32
			if b != nil && b.longLine == 0 {
				crc = crc32.Update(0, castagnoli, b.data)
			}
			select {
			case blocks <- read{b, crc, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		cancel()
		for rd := range blocks {
			if rd.b != nil {
				br.recycle(rd.b)
			}
		}
	}()

	rp := replayer{x: x, cand: x.candidates(), dups: x.dups, onRecord: onRecord, fill: map[int64]string{}}
	rp.advance()
	nblock := 0
	for rd := range blocks {
		if rd.err != nil {
			return rd.err
		}
		if nblock >= len(x.crcs) || rd.crc != x.crcs[nblock] {
			br.recycle(rd.b)
			return fmt.Errorf("block %d at line %d: %w", nblock, rd.b.firstLine, ErrSourceChanged)
		}
		nblock++
		err := rp.block(rd.b)
		br.recycle(rd.b)
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err // the reader stopped for the cancellation, not at the end of the source
	}
	if nblock != len(x.crcs) || rp.ok {
		return fmt.Errorf("source ended early: %w", ErrSourceChanged)
	}
	if onReject == nil {
		return nil
	}
	return x.eachReject(onReject, rp.fill)
}

type replayer struct {
	x        *Index
	cand     *candIter
	dups     []dup
	ord      int64
	onRecord func(*Record) error
	fill     map[int64]string // duplicate line -> its recordId

	next  int64 // line of the next candidate record
	miLen int
	ok    bool

	rec    Record
	ids    idCounter
	uidBuf []byte
}

func (rp *replayer) advance() { rp.next, rp.miLen, rp.ok = rp.cand.next() }

func (rp *replayer) block(b *block) error {
	line := b.firstLine
	data := b.data
	if b.longLine > 0 {
		if rp.ok && rp.next == line {
			return fmt.Errorf("line %d: %w", line, ErrSourceChanged)
		}
		return nil
	}
	for len(data) > 0 {
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, nil
		}
		if rp.ok && rp.next == line {
			if n := len(l); n > 0 && l[n-1] == '\r' {
				l = l[:n-1]
			}
			if err := rp.record(l, line); err != nil {
				return err
			}
			rp.ord++
			rp.advance()
		}
		line++
	}
	return nil
}

func (rp *replayer) record(l []byte, line int64) error {
	info, reason := parseLine(l, rp.miLen, nil, 0)
	if reason != "" || info.miEnd-info.miStart != rp.miLen {
		return fmt.Errorf("line %d: %w", line, ErrSourceChanged)
	}
	if len(rp.dups) > 0 && rp.dups[0].ord == rp.ord {
		rp.dups = rp.dups[1:]
		rp.fill[line] = clip(string(userID(l, info, line, rp.uidBuf[:0])))
		return nil
	}
	if rp.onRecord == nil {
		return nil
	}
	id := rp.ids.id(rp.x.opts.Source, line)
	u := rp.uidBuf[:0]
	switch info.id {
	case idString:
		u = l[info.idStart:info.idEnd]
	case idNumber:
		u = append(append(append(u, '"'), l[info.idStart:info.idEnd]...), '"')
	default:
		u = append(strconv.AppendInt(append(u, `"line-`...), line, 10), '"')
	}
	if info.id != idString {
		rp.uidBuf = u
	}
	rp.rec.Line, rp.rec.ID, rp.rec.RecordIDJSON, rp.rec.ModelInput = line, id, u, l[info.miStart:info.miEnd]
	return rp.onRecord(&rp.rec)
}
