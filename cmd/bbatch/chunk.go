package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/bedrock-batch/bedrock-batch/internal/chunk"
)

// errOutNotEmpty refuses to mix a new chunk set with files of an earlier one.
var errOutNotEmpty = errors.New("output folder is not empty")

func newChunkCmd() *cobra.Command {
	var (
		flags datasetFlags
		out   string
	)
	cmd := &cobra.Command{
		Use:   "chunk FILE --out DIR",
		Short: "Split a JSONL dataset into Bedrock-ready job input files in a folder",
		Long: `chunk validates FILE (.jsonl or .jsonl.gz) like bbatch validate, then writes into DIR everything
needed to submit Bedrock batch jobs by hand:

  DIR/c00000/input.jsonl    one job's input: {"recordId":"<short id>","modelInput":<yours, unchanged>}
  DIR/c00000/records.jsonl  the same records in the same order: short id -> your recordId and line
  DIR/c00001/...            one folder per job, balanced, within the limits
  DIR/rejected.jsonl        every rejected line: {"line":812,"recordId":"...","reason":"..."}
  DIR/plan.json             the plan and counts, written last

Bedrock sees short ids of [0-9a-z] so its recordId rules can never fail a job; records.jsonl maps
them back to your recordIds when you join the outputs. A dataset below --min-records goes to
DIR/ondemand/ instead of job folders. DIR must be empty or not exist.

A plain FILE is read once after a count of its lines: jobs split its lines evenly, each holding
the records among its lines, so a rejected or blank line makes its job one record smaller than
its neighbours. When that would take more jobs than needed, go below --min-records or pass a
byte limit, FILE is read a second time to split the records exactly, as a .gz FILE always is.

Exit status: 0 all lines became records; 2 written, but some lines were rejected (see
rejected.jsonl); 1 nothing usable was written (I/O error, bad flag, no split fits the limits); 130 interrupted
(Ctrl-C), with nothing left in DIR.`,
		Example: `  bbatch chunk tickets.jsonl --out jobs/
  aws s3 cp --recursive jobs/ s3://my-bucket/batch/tickets/
  # then one CreateModelInvocationJob per folder, e.g. input s3://my-bucket/batch/tickets/c00000/input.jsonl

  # smaller jobs for a model with a lower quota
  bbatch chunk big.jsonl.gz --out jobs/ --max-records 10000`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tightenGC()
			return runChunk(cmd.Context(), cmd.OutOrStdout(), args[0], out, flags)
		},
	}
	flags.register(cmd.Flags())
	cmd.Flags().StringVar(&out, "out", "", "folder to write the chunk folders, rejected.jsonl and plan.json into (required)")
	cmd.MarkFlagRequired("out")
	return cmd
}

func runChunk(ctx context.Context, w io.Writer, path, out string, flags datasetFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := flags.limits.Validate(); err != nil {
		return fmt.Errorf("flags: %w", err)
	}
	if _, err := os.Stat(path); err != nil {
		return err
	}
	entries, err := os.ReadDir(out)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("output folder: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s: %w; choose a new one or remove it", out, errOutNotEmpty)
	}
	plan, err := chunk.WriteDir(ctx, path, out, chunk.Options{Limits: flags.limits, Dataset: flags.datasetOptions()})
	if err != nil {
		return fmt.Errorf("chunk %s: %w", path, err)
	}
	s := plan.Stats
	fmt.Fprintf(w, "%s: %s lines: %s records, %s blank, %s rejected\n", path, commas(s.Lines), commas(s.Records), commas(s.Blank), commas(s.Rejected))
	printPlan(w, plan)
	switch {
	case plan.OnDemand:
		fmt.Fprintf(w, "wrote %s, %s and %s\n", filepath.Join(out, chunk.TailPrefix), filepath.Join(out, chunk.RejectedFile), filepath.Join(out, chunk.PlanFile))
	case len(plan.Chunks) > 0:
		folders := filepath.Join(out, plan.Chunks[0].Prefix)
		if n := len(plan.Chunks); n > 1 {
			folders += " ... " + filepath.Join(out, plan.Chunks[n-1].Prefix)
		}
		fmt.Fprintf(w, "wrote %s (%s), %s and %s\n", plural(int64(len(plan.Chunks)), "job folder"), folders,
			filepath.Join(out, chunk.RejectedFile), filepath.Join(out, chunk.PlanFile))
	default:
		fmt.Fprintf(w, "wrote %s and %s\n", filepath.Join(out, chunk.RejectedFile), filepath.Join(out, chunk.PlanFile))
	}
	if s.Rejected > 0 {
		return &exitError{code: exitRejected, err: fmt.Errorf("%s: %s of %s lines rejected, listed in %s", path, commas(s.Rejected), commas(s.Lines), filepath.Join(out, chunk.RejectedFile))}
	}
	return nil
}
