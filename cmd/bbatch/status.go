package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bedrock-batch/bedrock-batch/internal/bedrockjobs"
	"github.com/bedrock-batch/bedrock-batch/internal/ledger"
)

// targetHelp explains --stack and --outputs-file in the help of every command that reads a run.
const targetHelp = `The deployed pipeline is found from its stack's outputs (BucketName, StateMachineArn,
EventBusName, Region): --stack NAME reads them with CloudFormation DescribeStacks, --outputs-file
PATH from the file "npx cdk deploy --outputs-file PATH" (or bbatch emulate --pipeline) wrote;
with both, --stack picks the stack in the file. Credentials and the region to look for the stack
in come from the usual AWS configuration (AWS_PROFILE, AWS_REGION, SSO, ...); the stack's own
region is used for everything else. AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_<SERVICE> point the
clients elsewhere (LocalStack, bbatch emulate --pipeline).`

func newStatusCmd() *cobra.Command {
	var t targetFlags
	cmd := &cobra.Command{
		Use:   "status RUNID (--stack NAME | --outputs-file PATH)",
		Short: "Show a deployed run: its execution, its Bedrock jobs and, once it ended, its report's summary",
		Long: `status shows where a run of the deployed pipeline is: the state of its Step Functions
execution, every Bedrock batch job the run started (from the run's job ledger, each job's live
state from Bedrock), and the summary of report.json once the run has ended.

RUNID is the id bbatch run prints (the execution's name).

` + targetHelp,
		Example: `  bbatch status tickets-claude-f4a3a76ba389 --stack BedrockBatch
  bbatch status tickets-claude-f4a3a76ba389 --outputs-file cdk-outputs.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, _, err := connect(cmd.Context(), t)
			if err != nil {
				return err
			}
			return d.status(cmd.Context(), cmd.OutOrStdout(), args[0], t)
		},
	}
	t.add(cmd)
	return cmd
}

// jobState is one job of a run as status shows it: the ledger's entry and Bedrock's answer.
type jobState struct {
	entry  ledger.Entry
	job    bedrockjobs.Job
	status string // Bedrock's status, or why it is not known
}

// runJobs returns every job the run's ledger records, each with its live state from Bedrock. An
// entry without a job ARN (the job is being created) or a job Bedrock cannot answer for keeps
// the ledger's view, with the reason.
func (d *deployment) runJobs(ctx context.Context, runID string) ([]jobState, error) {
	entries, err := d.Ledger.All(ctx, runID)
	if err != nil {
		return nil, err
	}
	out := make([]jobState, 0, len(entries))
	for _, e := range entries {
		s := jobState{entry: e}
		switch {
		case e.JobARN == "":
			s.status = "NotSubmittedYet"
		default:
			j, err := d.Jobs.Get(ctx, e.JobARN)
			if err != nil {
				s.status = fmt.Sprintf("%s (ledger; Bedrock: %v)", cmp.Or(e.Status, "Unknown"), err)
			} else {
				s.job, s.status = j, j.Status
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// status prints the run's execution, jobs and, if it ended, its report's summary.
func (d *deployment) status(ctx context.Context, w io.Writer, runID string, t targetFlags) error {
	x, found, err := d.Describe(ctx, runID)
	if err != nil {
		return err
	}
	jobs, err := d.runJobs(ctx, runID)
	if err != nil {
		return err
	}
	if !found && len(jobs) == 0 {
		return fmt.Errorf("run %s: no execution %s and no jobs: not started yet, or not a run of this stack", runID, d.ExecutionARN(runID))
	}
	fmt.Fprintf(w, "Run %s\n", runID)
	switch {
	case !found:
		fmt.Fprintf(w, "  execution not found: %s\n", d.ExecutionARN(runID))
	case x.Status == "RUNNING":
		fmt.Fprintf(w, "  execution RUNNING since %s (%s)\n", x.Started.UTC().Format(time.RFC3339), x.ARN)
	default:
		fmt.Fprintf(w, "  execution %s%s at %s after %s (%s)\n", x.Status, why(x), x.Stopped.UTC().Format(time.RFC3339), x.Stopped.Sub(x.Started).Round(time.Second), x.ARN)
	}
	byStatus := map[string]int{}
	for _, j := range jobs {
		byStatus[statusWord(j.status)]++
	}
	var parts []string
	for _, s := range sortedKeys(byStatus) {
		parts = append(parts, fmt.Sprintf("%d %s", byStatus[s], s))
	}
	if len(jobs) == 0 {
		fmt.Fprintf(w, "  jobs      none yet\n")
	} else {
		fmt.Fprintf(w, "  jobs      %d: %s\n", len(jobs), strings.Join(parts, ", "))
	}
	for _, j := range jobs {
		line := fmt.Sprintf("    %-50s %s", j.entry.JobName, j.status)
		if j.job.ARN != "" {
			line += fmt.Sprintf(", %d/%d records processed (%d succeeded, %d errors)", j.job.Processed, j.job.Total, j.job.Succeeded, j.job.Errored)
			if j.job.Message != "" {
				line += ": " + j.job.Message
			}
		}
		fmt.Fprintln(w, line)
	}
	if found && x.Status == "RUNNING" {
		return nil
	}
	rep, err := d.reportOrExplain(ctx, runID, t)
	if err != nil {
		fmt.Fprintf(w, "  report    none: %v\n", err)
		return nil
	}
	printReport(w, rep, rep.FinishedAt.Sub(rep.StartedAt), d.local)
	fmt.Fprintf(w, "  results   bbatch results %s %s\n", runID, t.args())
	return nil
}

// statusWord is the first word of a job status line, for counting.
func statusWord(s string) string {
	word, _, _ := strings.Cut(s, " ")
	return word
}
