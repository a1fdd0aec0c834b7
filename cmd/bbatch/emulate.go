package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/bedrock-batch/bedrock-batch/internal/emulate"
	"github.com/bedrock-batch/bedrock-batch/internal/faults"
	"github.com/bedrock-batch/bedrock-batch/internal/pipeline"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/stackout"
)

// Default ports of bbatch emulate: S3, Bedrock control plane, Bedrock runtime.
const (
	defaultS3Port      = 9570
	defaultBedrockPort = 9571
	defaultRuntimePort = 9572
	defaultSFNPort     = 9573
)

// localEventBus is the EventBusName the outputs file of bbatch emulate --pipeline names: the local
// bus stands for the account's default bus.
const localEventBus = "default"

func newEmulateCmd() *cobra.Command {
	var (
		s3Port, bedrockPort, runtimePort int
		dataDir, faultSpec, webhook      string
		bucket, region                   string
		jobDuration                      time.Duration
		withPipeline                     bool
		profilesPath, outputsPath        string
		stackName                        string
		sfnPort                          int
	)
	cmd := &cobra.Command{
		Use:   "emulate",
		Short: "Serve a local S3, Bedrock batch control plane, Bedrock runtime and event stream on 127.0.0.1",
		Long: `emulate serves, on 127.0.0.1, the same emulators bbatch run uses: a local S3 (path-style),
the Bedrock batch inference control plane (CreateModelInvocationJob, GetModelInvocationJob,
ListModelInvocationJobs, StopModelInvocationJob) and the Bedrock runtime (InvokeModel, Converse),
answered by deterministic fake models. Any AWS SDK or the AWS CLI can use them: export the lines
printed on stderr at start.

Every event (S3 "Object Created", Bedrock "Batch Inference Job State Change") is written to stdout
as one JSON line and POSTed to --webhook if given, as a consumer would receive it: the event
faults (event-drop, event-dup, event-delay) hit the Bedrock job state events. It runs until
interrupted (Ctrl-C or SIGTERM).

--faults takes a comma list of name=value: ` + strings.Join(faults.Names, ", ") + `
(fractions 0-1; event-delay a duration; seed an integer).

--pipeline also hosts the whole pipeline on top: the five handlers, the event rules, and the
state machine (statemachine/pipeline.asl.json) run by a local interpreter behind the Step
Functions API (StartExecution, DescribeExecution, StopExecution, ... on their real wire protocol,
on --sfn-port). A file dropped under s3://<bucket>/inbox/<profile>/ starts a run. It writes
--outputs-file in the format of "cdk deploy --outputs-file", under --stack-name, so that
bbatch run/status/results/cancel --outputs-file reach it exactly as they reach a deployed stack.
Profiles come from --profiles FILE (see examples/profiles.json), or are the built-in ones of
bbatch run. The handlers' warnings and errors go to stderr.`,
		Example: `  # terminal 1
  bbatch emulate --job-duration 20s

  # terminal 2: paste the export lines printed by terminal 1, then
  aws s3 cp examples/tickets-claude.jsonl s3://bbatch-local/inbox/default/tickets.jsonl
  aws bedrock create-model-invocation-job --job-name demo-1 \
    --model-id anthropic.claude-3-5-haiku-20241022-v1:0 \
    --role-arn arn:aws:iam::123456789012:role/bedrock-batch \
    --input-data-config '{"s3InputDataConfig":{"s3Uri":"s3://bbatch-local/inbox/default/tickets.jsonl"}}' \
    --output-data-config '{"s3OutputDataConfig":{"s3Uri":"s3://bbatch-local/out/"}}'
  aws bedrock get-model-invocation-job --job-identifier <jobArn>
  aws s3 ls --recursive s3://bbatch-local/out/

  # keep the data in a folder, inject faults, forward events to a webhook
  bbatch emulate --data ./emu-data --faults record-retryable=0.1,event-drop=0.2,seed=7 \
    --webhook http://127.0.0.1:8080/events

  # the whole pipeline, then the CLI against it as against AWS (another terminal, after the exports)
  bbatch emulate --pipeline --job-duration 10s
  bbatch run --outputs-file bbatch-outputs.json --profile claude examples/tickets-claude.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec, err := faults.Parse(faultSpec)
			if err != nil {
				return fmt.Errorf("--faults: %w", err)
			}
			if jobDuration < 0 {
				return fmt.Errorf("--job-duration %s: want zero or more", jobDuration)
			}
			if !withPipeline {
				for _, name := range []string{"profiles", "sfn-port", "outputs-file", "stack-name"} {
					if cmd.Flags().Changed(name) {
						return fmt.Errorf("--%s needs --pipeline", name)
					}
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			errw := cmd.ErrOrStderr()
			ecfg := emulate.Config{
				S3Port:      s3Port,
				BedrockPort: bedrockPort,
				RuntimePort: runtimePort,
				DataDir:     dataDir,
				Bucket:      bucket,
				Region:      region,
				Faults:      spec,
				JobDuration: jobDuration,
				WebhookURL:  webhook,
				Events:      cmd.OutOrStdout(),
			}
			var (
				em  *emulate.Emulator
				env [][2]string
			)
			if withPipeline {
				pl, err := startPipeline(ecfg, profilesPath, sfnPort, errw)
				if err != nil {
					return err
				}
				defer pl.Close()
				em = pl.Emu
				for _, kv := range em.Env() {
					env = append(env, kv)
					if kv[0] == "AWS_ENDPOINT_URL_BEDROCK_RUNTIME" {
						env = append(env, [2]string{"AWS_ENDPOINT_URL_SFN", pl.SFNURL})
					}
				}
				outs := stackout.Outputs{Stack: stackName, Bucket: em.Bucket, StateMachineARN: pl.StateMachineARN, EventBusName: localEventBus, Region: em.Region}
				if err := stackout.WriteFile(outputsPath, outs); err != nil {
					return fmt.Errorf("--outputs-file: %w", err)
				}
			} else {
				var err error
				if em, err = emulate.Start(ecfg); err != nil {
					return err
				}
				defer em.Close()
				env = em.Env()
			}
			for _, kv := range env {
				fmt.Fprintf(errw, "export %s=%s\n", kv[0], kv[1])
			}
			if withPipeline {
				fmt.Fprintf(errw, "# stack outputs of %s written to %s (use --outputs-file %s)\n", stackName, outputsPath, outputsPath)
			}
			storage := "memory"
			if dataDir != "" {
				storage = dataDir
			}
			fmt.Fprintf(errw, "# bucket s3://%s, data in %s, jobs take %s, faults %q; events on stdout; Ctrl-C to stop\n",
				em.Bucket, storage, jobDuration, spec.String())
			select {
			case <-ctx.Done():
			case err := <-em.Err():
				return fmt.Errorf("emulator stopped: %w", err)
			}
			em.Close()
			st := em.Bus.Stats()
			fmt.Fprintf(errw, "# stopped; events: %d emitted, %d dropped, %d duplicated, %d delivery errors\n",
				st.Put, st.Dropped, st.Duplicated, st.Failed)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&s3Port, "s3-port", defaultS3Port, "port of the local S3 (0 picks a free one)")
	f.IntVar(&bedrockPort, "bedrock-port", defaultBedrockPort, "port of the Bedrock control plane (0 picks a free one)")
	f.IntVar(&runtimePort, "runtime-port", defaultRuntimePort, "port of the Bedrock runtime (0 picks a free one)")
	f.StringVar(&dataDir, "data", "", "keep S3 data in this folder, one sub-folder per bucket (default: in memory)")
	f.DurationVar(&jobDuration, "job-duration", 30*time.Second, "how long a batch job takes from submit to its end (0s: at once)")
	f.StringVar(&faultSpec, "faults", "", "faults to inject, e.g. record-retryable=0.1,event-dup=0.5,seed=7")
	f.StringVar(&webhook, "webhook", "", "also POST every event as JSON to this URL")
	f.StringVar(&bucket, "bucket", emulate.DefaultBucket, "bucket created at start")
	f.StringVar(&region, "region", emulate.DefaultRegion, "region of the emulated services")
	f.BoolVar(&withPipeline, "pipeline", false, "also host the whole pipeline: handlers, event rules and the state machine behind a local Step Functions API")
	f.StringVar(&profilesPath, "profiles", "", "with --pipeline: JSON file of the pipeline's profiles (default: the built-in ones)")
	f.IntVar(&sfnPort, "sfn-port", defaultSFNPort, "with --pipeline: port of the Step Functions API (0 picks a free one)")
	f.StringVar(&outputsPath, "outputs-file", "bbatch-outputs.json", "with --pipeline: write the stack outputs here, in the cdk deploy --outputs-file format")
	f.StringVar(&stackName, "stack-name", "BedrockBatch", "with --pipeline: the stack name the outputs file gives")
	return cmd
}

// startPipeline starts the whole local pipeline over the emulators cfg describes, with the
// profiles of the file at profilesPath (the built-in ones when empty). The handlers' warnings
// and errors go to logw.
func startPipeline(cfg emulate.Config, profilesPath string, sfnPort int, logw io.Writer) (*pipeline.Pipeline, error) {
	profiles := profile.Set{}
	if profilesPath != "" {
		data, err := os.ReadFile(profilesPath)
		if err != nil {
			return nil, fmt.Errorf("--profiles: %w", err)
		}
		if profiles, err = profile.Parse(data); err != nil {
			return nil, fmt.Errorf("--profiles %s: %w", profilesPath, err)
		}
	} else {
		for name, model := range builtinProfiles {
			profiles[name] = profile.Profile{Name: name, ModelID: model}.Normalize()
		}
	}
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return pipeline.Start(pipeline.Config{Emulate: cfg, Profiles: profiles, SFNPort: sfnPort, Logger: log})
}
