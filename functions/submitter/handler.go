// Package submitter is the submitter Lambda's handler: invoked by the SubmitAndWait task with a task token, it
// makes sure the chunk's Bedrock job exists (creating it exactly once), parks the token in the job
// ledger, and wakes the task itself when the job has already ended (DESIGN.md §4, step 1).
package submitter

import (
	"context"

	"github.com/bedrock-batch/bedrock-batch/internal/submit"
)

// Submitter is the submitting side of the waiting protocol (submit.Protocol).
type Submitter interface {
	Submit(ctx context.Context, req submit.Request) error
}

// Handler submits chunks.
type Handler struct {
	Submitter Submitter
}

// Handle returns nothing on success: the task's result arrives later through its token. Errors
// are taskerr types the state machine's Retry rules match.
func (h *Handler) Handle(ctx context.Context, req submit.Request) error {
	return h.Submitter.Submit(ctx, req)
}
