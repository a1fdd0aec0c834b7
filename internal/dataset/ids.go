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
