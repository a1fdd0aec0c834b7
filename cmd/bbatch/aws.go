package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/spf13/cobra"

	"github.com/bedrock-batch/bedrock-batch/internal/bedrockjobs"
	"github.com/bedrock-batch/bedrock-batch/internal/pipeline"
	"github.com/bedrock-batch/bedrock-batch/internal/report"
	"github.com/bedrock-batch/bedrock-batch/internal/runclient"
	"github.com/bedrock-batch/bedrock-batch/internal/s3store"
	"github.com/bedrock-batch/bedrock-batch/internal/stackout"
	"github.com/bedrock-batch/bedrock-batch/internal/stepfn"
)

// targetFlags name a deployed pipeline: a CloudFormation stack, or the file `cdk deploy
// --outputs-file` (or `bbatch emulate --pipeline`) wrote.
type targetFlags struct {
	stack, outputsFile string
}

func (t *targetFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&t.stack, "stack", "", "name of the deployed stack (its outputs are read with CloudFormation DescribeStacks, or from --outputs-file)")
	fl.StringVar(&t.outputsFile, "outputs-file", "", "PATH of the JSON file that cdk deploy --outputs-file or bbatch emulate --pipeline wrote")
}

// set reports whether a deployed pipeline was named.
func (t targetFlags) set() bool { return t.stack != "" || t.outputsFile != "" }

// args returns the flags that name the target again, for hints printed to the user.
func (t targetFlags) args() string {
	var parts []string
	if t.stack != "" {
		parts = append(parts, "--stack "+t.stack)
	}
	if t.outputsFile != "" {
		parts = append(parts, "--outputs-file "+t.outputsFile)
	}
	return strings.Join(parts, " ")
}

// errNoTarget is the error of a command that reads a deployed run without being told where.
var errNoTarget = errors.New("name the deployed pipeline with --stack NAME or --outputs-file PATH")

// deployment is a running pipeline the CLI talks to through the AWS SDK: the one bbatch run
// starts on this machine, or a deployed stack (or bbatch emulate --pipeline) reached through
// the environment's AWS configuration.
type deployment struct {
	*runclient.Client
	local bool // the pipeline runs in this process, with fake models
}

func newDeployment(bucket, stateMachineARN string, s3c s3store.API, sfnc stepfn.API, jobs bedrockjobs.API) *deployment {
	return &deployment{Client: runclient.New(bucket, stateMachineARN, s3c, sfnc, jobs)}
}

// localDeployment is the deployment of a pipeline running in this process.
func localDeployment(pl *pipeline.Pipeline) *deployment {
	return &deployment{Client: pl.Client(), local: true}
}

// connect reads the target's stack outputs and makes the S3, Step Functions and Bedrock clients
// from the default AWS configuration (environment, shared config files, SSO, instance roles),
// in the stack's region. AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL redirect the clients
// (LocalStack, bbatch emulate --pipeline); S3 is then addressed path-style.
func connect(ctx context.Context, t targetFlags) (*deployment, stackout.Outputs, error) {
	var outs stackout.Outputs
	if !t.set() {
		return nil, outs, errNoTarget
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, outs, fmt.Errorf("load AWS configuration: %w", err)
	}
	if t.outputsFile != "" {
		outs, err = stackout.ReadFile(t.outputsFile, t.stack)
	} else {
		if cfg.Region == "" {
			return nil, outs, fmt.Errorf("--stack %s: no AWS region to look for it in: set AWS_REGION or the region of your AWS profile", t.stack)
		}
		outs, err = stackout.FromStack(ctx, cloudformation.NewFromConfig(cfg), t.stack)
	}
	if err != nil {
		return nil, outs, err
	}
	cfg.Region = outs.Region
	pathStyle := os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle })
	return newDeployment(outs.Bucket, outs.StateMachineARN, s3c, sfn.NewFromConfig(cfg), bedrock.NewFromConfig(cfg)), outs, nil
}

// followOptions configure follow.
type followOptions struct {
	every   time.Duration // between polls
	out     string        // results folder; empty is ./bbatch-out/<runId>
	started time.Time     // when the user started the run, for the elapsed time
	// notStartedHint is printed once when the execution still does not exist after
	// notStartedAfter.
	notStartedAfter time.Duration
	notStartedHint  string
}

// follow shows the run's progress until its execution ends, then prints the report's summary
// and downloads the results. An execution that ended without a report is an error naming its
// status and error. Context errors are returned wrapped, for the caller to explain.
func (d *deployment) follow(ctx context.Context, stdout, stderr io.Writer, runID string, o followOptions) error {
	prog := newProgress(stderr)
	hinted := false
	x, err := d.Wait(ctx, runID, o.every, func(_ stepfn.Execution, found bool) {
		if !found {
			if !hinted && o.notStartedHint != "" && time.Since(o.started) > o.notStartedAfter {
				fmt.Fprintln(stderr, o.notStartedHint)
				hinted = true
			}
			return
		}
		if jobs, err := d.Jobs.ListByName(ctx, runID); err == nil {
			prog.show(time.Since(o.started), jobs)
		}
	})
	prog.done()
	if err != nil {
		return fmt.Errorf("run %s: %w", runID, err)
	}
	rep, err := d.Report(ctx, runID)
	if err != nil {
		return fmt.Errorf("run %s ended %s%s without a report: %w", runID, x.Status, why(x), err)
	}
	out := o.out
	if out == "" {
		out = filepath.Join("bbatch-out", runID)
	}
	files, err := d.Download(ctx, runID, out)
	if err != nil {
		return err
	}
	printSummary(stdout, rep, out, len(files), time.Since(o.started), d.local)
	return nil
}

// reportOrExplain reads the run's report; a run without one is an error saying where the run is.
func (d *deployment) reportOrExplain(ctx context.Context, runID string, t targetFlags) (report.Report, error) {
	rep, err := d.Report(ctx, runID)
	if !errors.Is(err, fs.ErrNotExist) {
		return rep, err
	}
	x, found, derr := d.Describe(ctx, runID)
	switch {
	case derr != nil:
		return rep, fmt.Errorf("run %s has no report yet, and its execution cannot be read: %w", runID, derr)
	case !found:
		return rep, fmt.Errorf("run %s: no report and no execution %s: not started yet, or not a run of this stack", runID, d.ExecutionARN(runID))
	case x.Status == "RUNNING":
		return rep, fmt.Errorf("run %s has no report yet: it is still running (see bbatch status %s %s)", runID, runID, t.args())
	}
	return rep, fmt.Errorf("run %s ended %s%s without a report", runID, x.Status, why(x))
}

// why returns " (error: cause)" of an execution that ended with either, or "".
func why(x stepfn.Execution) string {
	var parts []string
	for _, s := range []string{x.Error, x.Cause} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ": ") + ")"
}
