package main

import (
	"path/filepath"

	"github.com/spf13/cobra"
)

func newResultsCmd() *cobra.Command {
	var (
		t   targetFlags
		out string
	)
	cmd := &cobra.Command{
		Use:   "results RUNID [--out DIR] (--stack NAME | --outputs-file PATH)",
		Short: "Download a deployed run's results and print its report's summary",
		Long: `results downloads everything under results/<runId>/ of the deployed pipeline's bucket into
--out (default ./bbatch-out/<runId>): part-NNNNN.jsonl (the answers), failed.jsonl,
rejected.jsonl, report.json and report.md; then it prints the report's summary. A run that has
no report yet (still running, or stopped by bbatch cancel) is an error saying so.

` + targetHelp,
		Example: `  bbatch results tickets-claude-f4a3a76ba389 --stack BedrockBatch --out ./answers`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, runID := cmd.Context(), args[0]
			d, _, err := connect(ctx, t)
			if err != nil {
				return err
			}
			rep, err := d.reportOrExplain(ctx, runID, t)
			if err != nil {
				return err
			}
			dir := out
			if dir == "" {
				dir = filepath.Join("bbatch-out", runID)
			}
			files, err := d.Download(ctx, runID, dir)
			if err != nil {
				return err
			}
			printSummary(cmd.OutOrStdout(), rep, dir, len(files), rep.FinishedAt.Sub(rep.StartedAt), d.local)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder for the results (default ./bbatch-out/<runId>)")
	t.add(cmd)
	return cmd
}
