package run

import (
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
)

// Input is the state machine's input, written by intake.
type Input struct {
	RunID       string          `json:"runId"`
	Bucket      string          `json:"bucket"`
	Profile     string          `json:"profile"`
	Sources     []layout.Source `json:"sources"`
	JobSlots    int             `json:"jobSlots"`    // Map MaxConcurrencyPath
	PollSeconds int             `json:"pollSeconds"` // SubmitAndWait HeartbeatSecondsPath
}

// NewInput builds the input of a run over sources with profile p.
func NewInput(bucket string, p profile.Profile, name string, sources []layout.Source) Input {
	return Input{
		RunID:       layout.RunID(bucket, name, sources),
		Bucket:      bucket,
		Profile:     p.Name,
		Sources:     sources,
		JobSlots:    p.JobSlots,
		PollSeconds: p.PollSeconds,
	}
}

// Plan is what the chunker and the collector return: the round to run next and what is in it.
// Chunks > 0 means a batch round over the chunk list at ManifestKey; otherwise Tail > 0 means
// that many records go on-demand; both zero means the run is ready to finalize.
type Plan struct {
	Round       int    `json:"round"`
	Chunks      int    `json:"chunks"`
	Tail        int64  `json:"tail"`
	ManifestKey string `json:"manifestKey"`
}

// Request is the common part of the chunker's and the reconciler's task inputs.
type Request struct {
	Action  string          `json:"action,omitempty"` // reconciler only: reconcileChunk, collect, tail, finalize
	RunID   string          `json:"runId"`
	Bucket  string          `json:"bucket"`
	Profile string          `json:"profile"`
	Sources []layout.Source `json:"sources,omitempty"` // chunker only
	Round   int             `json:"round,omitempty"`
	Chunk   *ChunkRef       `json:"chunk,omitempty"` // reconcileChunk only
	Error   *StateError     `json:"error,omitempty"` // finalize only: the error a Catch recorded
}

// ChunkRef is one item of a round's chunk list.
type ChunkRef struct {
	Index   int    `json:"index"`  // unique within the round, from 0; part of the job name
	Prefix  string `json:"prefix"` // the chunk's folder in the bucket, ending in "/"
	Records int64  `json:"records"`
	Bytes   int64  `json:"bytes"`
}

// StateError is the {Error, Cause} object a Catch writes at its ResultPath.
type StateError struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// Record is runs/<runId>/run.json: what the run is over and when it started.
type Record struct {
	RunID     string          `json:"runId"`
	Profile   profile.Profile `json:"profile"`
	Sources   []layout.Source `json:"sources"`
	StartedAt time.Time       `json:"startedAt"`
}
