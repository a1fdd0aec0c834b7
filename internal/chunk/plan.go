package chunk

import (
	"errors"
	"fmt"

	"github.com/bedrock-batch/bedrock-batch/internal/dataset"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
)

// Limits bound every chunk. A chunk is one Bedrock job with one input file, so its bytes must
// fit both MaxFileBytes and MaxJobBytes.
type Limits struct {
	MinRecords   int   `json:"minRecords"`
	MaxRecords   int   `json:"maxRecords"`
	MaxFileBytes int64 `json:"maxFileBytes"`
	MaxJobBytes  int64 `json:"maxJobBytes"`
}

// DefaultLimits are Bedrock's documented defaults: 100 to 50,000 records per job, 1 GB per
// file, 5 GB per job.
func DefaultLimits() Limits {
	return Limits{MinRecords: profile.DefaultMinRecords, MaxRecords: profile.DefaultMaxRecords,
		MaxFileBytes: profile.DefaultMaxFileBytes, MaxJobBytes: profile.DefaultMaxJobBytes}
}

// Validate reports every limit that cannot be planned with, in one error.
func (l Limits) Validate() error {
	var errs []error
	if l.MinRecords < 1 {
		errs = append(errs, fmt.Errorf("min records %d, want at least 1", l.MinRecords))
	}
	if l.MaxRecords < l.MinRecords {
		errs = append(errs, fmt.Errorf("max records %d is below min records %d", l.MaxRecords, l.MinRecords))
	}
	if l.MaxFileBytes < 1 {
		errs = append(errs, fmt.Errorf("max file bytes %d, want at least 1", l.MaxFileBytes))
	}
	if l.MaxJobBytes < 1 {
		errs = append(errs, fmt.Errorf("max job bytes %d, want at least 1", l.MaxJobBytes))
	}
	return errors.Join(errs...)
}

func (l Limits) maxBytes() int64 { return min(l.MaxFileBytes, l.MaxJobBytes) }

// Chunk is one planned Bedrock job: a folder holding input.jsonl and records.jsonl.
type Chunk struct {
	Index     int    `json:"index"`
	Prefix    string `json:"prefix"` // folder key relative to the plan, "c00000/"
	Records   int64  `json:"records"`
	Bytes     int64  `json:"bytes"` // size of input.jsonl
	FirstLine int64  `json:"firstLine"`
	LastLine  int64  `json:"lastLine"`
}

// Plan is how a dataset's accepted records split into jobs.
type Plan struct {
	Limits Limits `json:"limits"`
	// Stats counts the source's lines; Stats.Records is the number of records planned.
	Stats dataset.Stats `json:"stats"`
	// Bytes is the total size of the Bedrock input lines.
	Bytes int64 `json:"bytes"`
	// Chunks are the jobs, in line order; empty when OnDemand or when there are no records.
	Chunks []Chunk `json:"chunks"`
	// OnDemand is true when the dataset has records but fewer than MinRecords: no job is
	// possible and Tail holds them for on-demand calls.
	OnDemand bool   `json:"onDemand"`
	Tail     *Chunk `json:"tail,omitempty"`
}

// RecordSizes walks accepted records in line order, giving each one's line and the size of its
// Bedrock input line. *dataset.RecordIter implements it.
type RecordSizes interface {
	Next() (line, size int64, ok bool)
}

// ChunkPrefix is the folder of chunk i: "c00000/".
func ChunkPrefix(i int) string { return fmt.Sprintf("c%05d/", i) }

// TailPrefix is the folder of the records an on-demand plan holds.
const TailPrefix = "ondemand/"

// ErrNoPlan means no split satisfies the limits (records too large for MinRecords of them to
// fit one file). The caller lowers MinRecords or raises the byte limits.
var ErrNoPlan = errors.New("no split fits the limits")

// NewPlan splits the records open walks into chunks. It walks them once to count, then once
// per attempt; open must start from the first record each time.
//
// The plan uses the fewest chunks k that work, trying k from max(ceil(n/MaxRecords),
// ceil(bytes/maxBytes)) upward. For a given k each chunk in turn takes ceil(remaining/chunks
// left) records (so sizes differ by at most one: 50,150 records become 25,075 + 25,075), cut
// short only where the next record would pass the byte limit; the chunks after it rebalance.
// Every chunk then holds at least MinRecords and at most MaxRecords records and maxBytes
// bytes, or k is rejected. The same records and limits always give the same plan.
func NewPlan(open func() RecordSizes, stats dataset.Stats, limits Limits) (Plan, error) {
	if err := limits.Validate(); err != nil {
		return Plan{}, fmt.Errorf("chunk limits: %w", err)
	}
	p := Plan{Limits: limits, Stats: stats, Chunks: []Chunk{}}
	maxB := limits.maxBytes()
	var n int64
	var firstLine, lastLine int64
	it := open()
	for {
		line, size, ok := it.Next()
		if !ok {
			break
		}
		if size > maxB {
			return Plan{}, fmt.Errorf("line %d: its Bedrock input line is %d bytes, above the %d-byte limit: %w", line, size, maxB, ErrNoPlan)
		}
		if n == 0 {
			firstLine = line
		}
		lastLine = line
		n++
		p.Bytes += size
	}
	if n != stats.Records {
		return Plan{}, fmt.Errorf("plan: walked %d records, stats say %d", n, stats.Records)
	}
	if n == 0 {
		return p, nil
	}
	if n < int64(limits.MinRecords) {
		p.OnDemand = true
		p.Tail = &Chunk{Prefix: TailPrefix, Records: n, Bytes: p.Bytes, FirstLine: firstLine, LastLine: lastLine}
		return p, nil
	}
	k := max(ceilDiv(n, int64(limits.MaxRecords)), ceilDiv(p.Bytes, maxB), 1)
	for ; k <= n/int64(limits.MinRecords); k++ {
		if chunks, ok := tryPlan(open(), n, k, limits); ok {
			p.Chunks = chunks
			return p, nil
		}
	}
	return Plan{}, fmt.Errorf("%d records of %d bytes in chunks of %d to %d records and at most %d bytes: %w",
		n, p.Bytes, limits.MinRecords, limits.MaxRecords, maxB, ErrNoPlan)
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// tryPlan fills k chunks as NewPlan describes, or reports false.
func tryPlan(it RecordSizes, n, k int64, limits Limits) ([]Chunk, bool) {
	maxB := limits.maxBytes()
	chunks := make([]Chunk, 0, k)
	rem := n
	var pendLine, pendSize int64
	pending := false
	for i := int64(0); i < k; i++ {
		target := min(ceilDiv(rem, k-i), int64(limits.MaxRecords))
		c := Chunk{Index: int(i), Prefix: ChunkPrefix(int(i))}
		for c.Records < target {
			if !pending {
				line, size, ok := it.Next()
				if !ok {
					return nil, false
				}
				pendLine, pendSize, pending = line, size, true
			}
			if c.Bytes+pendSize > maxB {
				break
			}
			if c.Records == 0 {
				c.FirstLine = pendLine
			}
			c.LastLine = pendLine
			c.Records++
			c.Bytes += pendSize
			pending = false
		}
		if c.Records < int64(limits.MinRecords) {
			return nil, false
		}
		rem -= c.Records
		chunks = append(chunks, c)
	}
	return chunks, rem == 0
}
