// Package reconciler is the reconciler Lambda's handler. One function serves four states of the
// state machine, chosen by the request's action: reconcileChunk (join a chunk's job outputs),
// collect (plan the next round or the tail), tail (answer the remainder on-demand) and finalize
// (results and report).
package reconciler

import (
	"context"
	"fmt"

	"github.com/bedrock-batch/bedrock-batch/internal/report"
	"github.com/bedrock-batch/bedrock-batch/internal/round"
	"github.com/bedrock-batch/bedrock-batch/internal/run"
	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

// Actions the handler serves.
const (
	ActionReconcileChunk = "reconcileChunk"
	ActionCollect        = "collect"
	ActionTail           = "tail"
	ActionFinalize       = "finalize"
)

// Output carries what each action returns; the state machine selects the fields it needs.
type Output struct {
	Round       int    `json:"round"`
	Chunks      int    `json:"chunks"`
	Tail        int64  `json:"tail"`
	ManifestKey string `json:"manifestKey"`
	ReportKey   string `json:"reportKey"`
}

// Handler dispatches on the action.
type Handler struct {
	Rounds    *round.Rounds
	Finalizer *report.Finalizer
}

// Handle runs one action. Errors are taskerr types.
func (h *Handler) Handle(ctx context.Context, req run.Request) (Output, error) {
	switch req.Action {
	case ActionReconcileChunk:
		_, err := h.Rounds.ReconcileChunk(ctx, req)
		return Output{}, err
	case ActionCollect:
		p, err := h.Rounds.Collect(ctx, req)
		return Output{Round: p.Round, Chunks: p.Chunks, Tail: p.Tail, ManifestKey: p.ManifestKey}, err
	case ActionTail:
		_, err := h.Rounds.RunTail(ctx, req)
		return Output{}, err
	case ActionFinalize:
		out, _, err := h.Finalizer.Finalize(ctx, req)
		return Output{ReportKey: out.ReportKey}, err
	}
	return Output{}, &taskerr.InvalidInputError{Err: fmt.Errorf("unknown action %q", req.Action)}
}
