package dataset

import (
	"fmt"
	"strconv"
)

// Bounds of the pipeline id space: a source index and a line number share one 64-bit value.
const (
	lineBits  = 40
	MaxLine   = 1<<lineBits - 1      // MaxLine is the highest line number a source may have.
	MaxSource = 1<<(64-lineBits) - 1 // MaxSource is the highest source index of a run.
)

// PipelineID is the recordId sent to Bedrock for the record on line (1-based) of source: the
// base-36 form of source<<40|line, so at most 13 characters of [0-9a-z], unique within a run and
// the same in every retry round. It panics if source or line is out of range; Scan rejects
// inputs that would reach that.
func PipelineID(source int, line int64) string {
	if source < 0 || source > MaxSource || line < 1 || line > MaxLine {
		panic(fmt.Sprintf("dataset: pipeline id out of range: source %d line %d", source, line))
	}
	return strconv.FormatUint(uint64(source)<<lineBits|uint64(line), 36)
}

// appendPipelineID is PipelineID without the allocation.
func appendPipelineID(dst []byte, source int, line int64) []byte {
	return strconv.AppendUint(dst, uint64(source)<<lineBits|uint64(line), 36)
}

// idCounter writes the pipeline ids of one source's records in line order. Each id is the last
// one plus the lines between them, added digit by digit in base 36, which takes no division;
// an id that does not follow the last one is formatted afresh.
type idCounter struct {
	v      uint64   // the value of the last id
	digits [13]byte // the last id, right-aligned
	n      int      // the last id's length; 0 before the first
}

// id is PipelineID(source, line) as bytes valid until the next call.
func (c *idCounter) id(source int, line int64) []byte {
	v := uint64(source)<<lineBits | uint64(line)
	if c.n == 0 || v < c.v || v-c.v >= 36 {
		b := strconv.AppendUint(c.digits[:0], v, 36)
		c.n = len(b)
		copy(c.digits[len(c.digits)-c.n:], b)
		c.v = v
		return c.digits[len(c.digits)-c.n:]
	}
	d := v - c.v
	c.v = v
	for i := len(c.digits) - 1; d > 0; i-- {
		if i < len(c.digits)-c.n {
			c.n++
			c.digits[i] = '0'
		}
		x := base36Value(c.digits[i]) + d
		d = 0
		if x >= 36 {
			x, d = x-36, 1
		}
		c.digits[i] = base36Digit(x)
	}
	return c.digits[len(c.digits)-c.n:]
}

// base36Value is the value of a digit strconv writes in base 36.
func base36Value(c byte) uint64 {
	if c <= '9' {
		return uint64(c - '0')
	}
	return uint64(c-'a') + 10
}

// base36Digit is the digit strconv writes in base 36 for x < 36.
func base36Digit(x uint64) byte {
	if x < 10 {
		return byte('0' + x)
	}
	return byte('a' + x - 10)
}

// ParsePipelineID is the inverse of PipelineID. ok is false for a string PipelineID cannot return.
func ParsePipelineID(id string) (source int, line int64, ok bool) {
	if id == "" || len(id) > 13 || id[0] == '0' {
		return 0, 0, false
	}
	v, err := strconv.ParseUint(id, 36, 64)
	if err != nil || v&MaxLine == 0 || strconv.FormatUint(v, 36) != id {
		return 0, 0, false
	}
	return int(v >> lineBits), int64(v & MaxLine), true
}

// DerivedRecordID is the user recordId a line without one gets: "line-<n>".
func DerivedRecordID(line int64) string { return "line-" + strconv.FormatInt(line, 10) }
