package main

import (
	"fmt"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/bedrock-batch/bedrock-batch/internal/emulate"
	"github.com/bedrock-batch/bedrock-batch/internal/faults"
)

// Default ports of bbatch emulate: S3, Bedrock control plane, Bedrock runtime.
const (
	defaultS3Port      = 9570
	defaultBedrockPort = 9571
	defaultRuntimePort = 9572
)

func newEmulateCmd() *cobra.Command {
	var (
		s3Port, bedrockPort, runtimePort int
		dataDir, faultSpec, webhook      string
		bucket, region                   string
		jobDuration                      time.Duration
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
(fractions 0-1; event-delay a duration; seed an integer).`,
		Example: `  # terminal 1
  bbatch emulate --job-duration 20s

  # terminal 2: paste the export lines printed by terminal 1, then
  aws s3 cp examples/tickets.jsonl s3://bbatch-local/inbox/default/tickets.jsonl
  aws bedrock create-model-invocation-job --job-name demo-1 \
    --model-id anthropic.claude-3-5-haiku-20241022-v1:0 \
    --role-arn arn:aws:iam::123456789012:role/bedrock-batch \
    --input-data-config '{"s3InputDataConfig":{"s3Uri":"s3://bbatch-local/inbox/default/tickets.jsonl"}}' \
    --output-data-config '{"s3OutputDataConfig":{"s3Uri":"s3://bbatch-local/out/"}}'
  aws bedrock get-model-invocation-job --job-identifier <jobArn>
  aws s3 ls --recursive s3://bbatch-local/out/

  # keep the data in a folder, inject faults, forward events to a webhook
  bbatch emulate --data ./emu-data --faults record-retryable=0.1,event-drop=0.2,seed=7 \
    --webhook http://127.0.0.1:8080/events`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec, err := faults.Parse(faultSpec)
			if err != nil {
				return fmt.Errorf("--faults: %w", err)
			}
			if jobDuration < 0 {
				return fmt.Errorf("--job-duration %s: want zero or more", jobDuration)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			em, err := emulate.Start(emulate.Config{
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
			})
			if err != nil {
				return err
			}
			defer em.Close()
			errw := cmd.ErrOrStderr()
			for _, kv := range em.Env() {
				fmt.Fprintf(errw, "export %s=%s\n", kv[0], kv[1])
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
	return cmd
}
