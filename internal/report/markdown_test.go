package report

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/model"
	"github.com/bedrock-batch/bedrock-batch/internal/pricing"
	"github.com/bedrock-batch/bedrock-batch/internal/round"
	"github.com/bedrock-batch/bedrock-batch/internal/run"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func sampleReport() Report {
	start := time.Date(2026, 5, 4, 7, 0, 0, 0, time.UTC)
	cost := pricing.Cost{Batch: 1.25, OnDemand: 2.5, Saving: 1.25, SavingPercent: 50}
	return Report{
		RunID: "tickets-0a1b2c3d4e5f", Profile: "claude", ModelID: "anthropic.claude-3-5-haiku-20241022-v1:0",
		Status: "Failed", Error: &run.StateError{Error: "States.Timeout", Cause: "the   run\ntook too long"},
		StartedAt: start, FinishedAt: start.Add(90 * time.Minute), Duration: "1h30m0s",
		Records: Records{In: 1003, Answered: 990, ByBatch: 950, ByOnDemand: 40, Failed: 10, Rejected: 3, Blank: 2, Conserved: true},
		Tokens: Tokens{Batch: model.Usage{InputTokens: 100000, OutputTokens: 20000}, OnDemand: model.Usage{InputTokens: 4000, OutputTokens: 800},
			Total: model.Usage{InputTokens: 104000, OutputTokens: 20800}},
		Cost:   &cost,
		Price:  &pricing.Price{Name: "Claude 3.5 Haiku", AsOf: "2025-06", Source: "aws.amazon.com/bedrock/pricing"},
		Rounds: []RoundRow{{Round: 1, Chunks: 2, Records: 1000, Succeeded: 900, Retried: 95, Failed: 5}, {Round: 2, Chunks: 0}},
		Tail:   &round.TailSummary{Records: 45, Succeeded: 40, Failed: 5, Calls: 52},
		Jobs: []JobRow{
			{JobName: "tickets-0a1b2c3d4e5f-r1-c00000-a1", Round: 1, Chunk: 0, Attempts: 1, Status: "Completed", Records: 500, Succeeded: 480, Retried: 15, Failed: 5,
				Tokens: model.Usage{InputTokens: 50000, OutputTokens: 10000}, SubmittedAt: start.Add(time.Minute), EndedAt: start.Add(40 * time.Minute)},
			{JobName: "tickets-0a1b2c3d4e5f-r1-c00001-a2", Round: 1, Chunk: 1, Attempts: 2, Status: "PartiallyCompleted", Records: 500, Succeeded: 420, Retried: 80},
		},
		Results:  Results{Parts: []string{"results/tickets-0a1b2c3d4e5f/part-00001.jsonl"}, Failed: "results/tickets-0a1b2c3d4e5f/failed.jsonl", Rejected: "results/tickets-0a1b2c3d4e5f/rejected.jsonl", Report: "results/tickets-0a1b2c3d4e5f/report.json"},
		Problems: []string{"conservation\ncheck sample"},
	}
}

func TestMarkdownGolden(t *testing.T) {
	got := Markdown(sampleReport())
	path := filepath.Join("testdata", "report.golden.md")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("Markdown differs from %s (rerun with -update if the change is intended):\n%s", path, got)
	}
}

func TestMarkdownWithoutPrice(t *testing.T) {
	r := sampleReport()
	r.Cost, r.Price, r.PriceNote = nil, nil, "no price for model x"
	r.Records.Conserved = false
	got := Markdown(r)
	for _, want := range []string{"Cost: not computed (no price for model x)", "**FAILS**"} {
		if !strings.Contains(got, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}
