package round

import (
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/chunk"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/reconcile"
)

// The chunker writes chunk folders, the reconciler reads them, and the rounds write more of
// them: the three name the files on their own, so they must agree.
func TestChunkFileNamesAgree(t *testing.T) {
	for _, names := range [][3]string{
		{layout.ChunkInputFile, chunk.InputFile, reconcile.InputFile},
		{layout.ChunkRecordsFile, chunk.RecordsFile, reconcile.RecordsFile},
	} {
		if names[0] != names[1] || names[1] != names[2] {
			t.Errorf("layout, chunk and reconcile disagree on a chunk file name: %q", names)
		}
	}
}
