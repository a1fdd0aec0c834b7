package main

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/spf13/cobra"

	"github.com/bedrock-batch/bedrock-batch/internal/bedrockjobs"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
)

func newCancelCmd() *cobra.Command {
	var t targetFlags
	cmd := &cobra.Command{
		Use:   "cancel RUNID (--stack NAME | --outputs-file PATH)",
		Short: "Stop a deployed run: its execution and every Bedrock job it started",
		Long: `cancel stops a run of the deployed pipeline: it stops the run's Step Functions execution
(StopExecution), then every Bedrock batch job of the run that has not ended
(StopModelInvocationJob), found both in the run's job ledger and by Bedrock job name, and
prints what it stopped. Bedrock bills the records a stopped job already processed. A stopped
run writes no report; what is in S3 stays. Cancelling again is harmless: it also catches a job
created while the first cancel ran.

` + targetHelp,
		Example: `  bbatch cancel tickets-claude-f4a3a76ba389 --stack BedrockBatch`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, _, err := connect(cmd.Context(), t)
			if err != nil {
				return err
			}
			return d.cancel(cmd.Context(), cmd.OutOrStdout(), args[0])
		},
	}
	t.add(cmd)
	return cmd
}

// cancel stops the run's execution and its jobs that have not ended.
func (d *deployment) cancel(ctx context.Context, w io.Writer, runID string) error {
	x, found, err := d.Describe(ctx, runID)
	if err != nil {
		return err
	}
	switch {
	case !found:
		fmt.Fprintf(w, "execution %s: not found\n", d.ExecutionARN(runID))
	case x.Status == "RUNNING":
		if err := d.SFN.Stop(ctx, x.ARN, "bbatch cancel"); err != nil {
			return err
		}
		fmt.Fprintf(w, "stopped execution %s\n", x.ARN)
	default:
		fmt.Fprintf(w, "execution %s already ended: %s\n", x.ARN, x.Status)
	}
	arns, err := d.jobARNs(ctx, runID)
	if err != nil {
		return err
	}
	stopped, ended := 0, 0
	for _, arn := range arns {
		j, err := d.Jobs.Get(ctx, arn)
		if err != nil {
			return err
		}
		switch {
		case bedrockjobs.Terminal(j.Status):
			ended++
		case j.Status == "Stopping":
			fmt.Fprintf(w, "job %s already stopping\n", j.Name)
		default:
			if err := d.Jobs.Stop(ctx, arn); err != nil {
				return err
			}
			stopped++
			fmt.Fprintf(w, "stopped job %s (was %s, %d/%d records processed)\n", j.Name, j.Status, j.Processed, j.Total)
		}
	}
	fmt.Fprintf(w, "run %s: %d job(s) stopped, %d already ended, of %d\n", runID, stopped, ended, len(arns))
	return nil
}

// jobARNs returns the ARN of every Bedrock job of the run, sorted: those the ledger records and
// those Bedrock lists under the run's job-name prefix, so a job whose ARN never reached the
// ledger is stopped too.
func (d *deployment) jobARNs(ctx context.Context, runID string) ([]string, error) {
	set := map[string]bool{}
	entries, err := d.Ledger.All(ctx, runID)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.JobARN != "" {
			set[e.JobARN] = true
		}
	}
	listed, err := d.Jobs.ListByName(ctx, runID)
	if err != nil {
		return nil, err
	}
	for _, j := range listed {
		if ref, ok := layout.ParseJobName(j.Name); ok && ref.RunID == runID {
			set[j.ARN] = true
		}
	}
	arns := make([]string, 0, len(set))
	for arn := range set {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	return arns, nil
}
