package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/bedrock-batch/bedrock-batch/internal/asl"
	"github.com/bedrock-batch/bedrock-batch/internal/bedrockjobs"
	"github.com/bedrock-batch/bedrock-batch/internal/emulate"
	"github.com/bedrock-batch/bedrock-batch/internal/faults"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/pipeline"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/report"
)

// builtinProfiles are the profiles bbatch run knows without --profiles: one per example dataset.
var builtinProfiles = map[string]string{
	"claude":      "anthropic.claude-3-5-haiku-20241022-v1:0",
	"nova":        "amazon.nova-lite-v1:0",
	"titan-embed": "amazon.titan-embed-text-v2:0",
	"llama":       "meta.llama3-1-8b-instruct-v1:0",
	"mistral":     "mistral.mistral-large-2407-v1:0",
	"cohere":      "cohere.embed-english-v3",
}

type runFlags struct {
	profileName, model, profilesPath, invocationType string
	out, faultSpec, logPath, dataDir                 string
	jobDuration, timeout                             time.Duration
	speed                                            float64
	pollSeconds                                      int
	target                                           targetFlags
	refresh                                          time.Duration
}

// localOnlyFlags are the run flags that configure the local emulators and pipeline, meaningless
// against a deployed stack.
var localOnlyFlags = []string{"model", "profiles", "invocation-type", "faults", "job-duration", "speed", "poll-seconds", "log"}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a dataset through the whole pipeline: on this machine against local emulators, or on a deployed stack",
		Long: `run executes the real pipeline on one machine with no AWS account: a local S3, a local Bedrock
batch control plane and runtime with deterministic fake models, a local event bus, and the Step
Functions state machine (statemachine/pipeline.asl.json) run by a local interpreter, with the
same Lambda handlers the deployed pipeline runs.

FILE is uploaded into the local inbox (inbox/<profile>/) exactly as a user drop would be; its S3
event starts the run. While it runs, run shows the round, the Bedrock jobs by status and the
records answered. At the end it prints the report's summary and writes the results to --out:
part-NNNNN.jsonl (answers: your recordId, modelOutput, usage, how it was answered),
failed.jsonl, rejected.jsonl, report.json and report.md.

The model comes from --model, or from --profile (built in: ` + strings.Join(sortedNames(builtinProfiles), ", ") + `,
or any name in --profiles FILE), or is inferred from the first record's body.

--faults injects failures into the emulators to watch the pipeline survive them; it takes a
comma list of name=value: ` + strings.Join(faults.Names, ", ") + `.

With --stack NAME or --outputs-file PATH, run uses the deployed pipeline instead (see
bbatch status --help for how it is found): it uploads FILE to s3://<bucket>/inbox/<profile>/ with
your AWS credentials, follows the run's execution and jobs, and downloads results/<runId>/ into
--out. --profile is then required and names a profile configured in the stack; the local-only
flags (` + strings.Join(localOnlyFlags, ", ") + `) are refused. There is no --timeout unless given: Bedrock
jobs can take hours, and interrupting run (Ctrl-C) only stops following; the run goes on
(bbatch status RUNID, bbatch results RUNID, bbatch cancel RUNID).

Exit status: 0 when the run finished, whatever happened to single records (the report says);
1 when the run itself could not finish.`,
		Example: `  bbatch run examples/tickets-claude.jsonl
  bbatch run examples/tickets-nova.jsonl --profile nova --out ./answers
  bbatch run mydata.jsonl --model us.anthropic.claude-3-5-haiku-20241022-v1:0
  bbatch run examples/tickets-claude.jsonl --job-duration 20s \
    --faults record-retryable=0.1,job-fail=0.3,event-drop=1,seed=7
  bbatch run --stack BedrockBatch --profile claude examples/tickets-claude.jsonl
  bbatch run --outputs-file cdk-outputs.json --profile claude examples/tickets-claude.jsonl`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.target.set() {
				for _, name := range localOnlyFlags {
					if cmd.Flags().Changed(name) {
						return fmt.Errorf("--%s configures the local run; it does not apply with %s", name, f.target.args())
					}
				}
				if !cmd.Flags().Changed("timeout") {
					f.timeout = 0
				}
				return runAWS(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], f)
			}
			return runLocal(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.profileName, "profile", "", "profile to run with (built in, or from --profiles)")
	fl.StringVar(&f.model, "model", "", "Bedrock model id, profile id or ARN; overrides the profile's model")
	fl.StringVar(&f.profilesPath, "profiles", "", "JSON file of profiles by name (see examples/profiles.json)")
	fl.StringVar(&f.invocationType, "invocation-type", "", "InvokeModel (default) or Converse")
	fl.StringVar(&f.out, "out", "", "folder for the results (default ./bbatch-out/<runId>)")
	fl.StringVar(&f.faultSpec, "faults", "", "failures to inject, e.g. record-retryable=0.1,event-drop=1,seed=7")
	fl.DurationVar(&f.jobDuration, "job-duration", 2*time.Second, "how long each local Bedrock job takes from submit to end (0s: at once)")
	fl.Float64Var(&f.speed, "speed", 20, "how much faster than real time the state machine's waits, backoffs and polls run")
	fl.IntVar(&f.pollSeconds, "poll-seconds", 30, "state-machine seconds between checks of a job whose event did not come")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Minute, "give up when the run takes longer (against a stack: none unless given)")
	fl.DurationVar(&f.refresh, "refresh", 0, "time between checks of the run's progress (default 250ms locally, 5s against a stack)")
	f.target.add(cmd)
	fl.StringVar(&f.logPath, "log", "", "write the pipeline's JSON logs to this file")
	fl.StringVar(&f.dataDir, "data", "", "keep the local bucket in this folder (default: a temporary folder, removed at the end)")
	return cmd
}

func runLocal(ctx context.Context, stdout, stderr io.Writer, path string, f runFlags) error {
	spec, err := faults.Parse(f.faultSpec)
	if err != nil {
		return fmt.Errorf("--faults: %w", err)
	}
	if _, err := os.Stat(path); err != nil {
		return err
	}
	prof, how, err := chooseProfile(path, f)
	if err != nil {
		return err
	}
	logger := slog.New(slog.DiscardHandler)
	if f.logPath != "" {
		lf, err := os.Create(f.logPath)
		if err != nil {
			return fmt.Errorf("--log: %w", err)
		}
		defer lf.Close()
		logger = slog.New(slog.NewJSONHandler(lf, nil))
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()

	// The local bucket lives on disk, not in memory, so a large dataset is bounded by the disk.
	dataDir := f.dataDir
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "bbatch-run-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dataDir = tmp
	}
	fmt.Fprintf(stderr, "profile %s: model %s (%s)\n", prof.Name, prof.ModelID, how)
	pl, err := pipeline.Start(pipeline.Config{
		Emulate:  emulate.Config{Faults: spec, JobDuration: f.jobDuration, Logger: logger, DataDir: dataDir},
		Profiles: profile.Set{prof.Name: prof},
		Clock:    asl.NewScaledClock(f.speed),
		Logger:   logger,
	})
	if err != nil {
		return err
	}
	defer pl.Close()
	d := localDeployment(pl)
	started := time.Now()
	runID, key, err := d.Drop(ctx, prof.Name, path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "uploaded %s to %s: run %s\n", path, layout.S3URI(d.Bucket, key), runID)
	err = d.follow(ctx, stdout, stderr, runID, followOptions{every: cmp.Or(f.refresh, 250*time.Millisecond), out: f.out, started: started})
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("run %s did not finish within --timeout %s", runID, f.timeout)
	}
	return err
}

// runAWS runs the file through the deployed pipeline f.target names: the same upload, the same
// runId and the same following as the local run, over the user's AWS configuration.
func runAWS(ctx context.Context, stdout, stderr io.Writer, path string, f runFlags) error {
	if f.profileName == "" {
		return fmt.Errorf("--profile is required with %s: name a profile configured in the stack", f.target.args())
	}
	if _, err := os.Stat(path); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if f.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	d, outs, err := connect(ctx, f.target)
	if err != nil {
		return err
	}
	started := time.Now()
	runID, key, err := d.Drop(ctx, f.profileName, path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "uploaded %s to %s: run %s (stack %s, %s)\n", path, layout.S3URI(d.Bucket, key), runID, outs.Stack, outs.Region)
	err = d.follow(ctx, stdout, stderr, runID, followOptions{
		every: cmp.Or(f.refresh, 5*time.Second), out: f.out, started: started,
		notStartedAfter: 2 * time.Minute,
		notStartedHint: fmt.Sprintf("run %s has not started after 2 minutes: is profile %q configured in stack %s? The intake function's logs say why.",
			runID, f.profileName, outs.Stack),
	})
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("stopped following run %s; it goes on in AWS: bbatch status %s %s", runID, runID, f.target.args())
	}
	return err
}

// chooseProfile picks the run's profile: --profile (built in or from --profiles), --model, or
// the family the first record's body belongs to.
func chooseProfile(path string, f runFlags) (profile.Profile, string, error) {
	p := profile.Profile{Name: f.profileName}
	how := "--profile " + f.profileName
	switch {
	case f.profileName != "" && f.profilesPath != "":
		data, err := os.ReadFile(f.profilesPath)
		if err != nil {
			return p, "", fmt.Errorf("--profiles: %w", err)
		}
		set, err := profile.Parse(data)
		if err != nil {
			return p, "", fmt.Errorf("--profiles %s: %w", f.profilesPath, err)
		}
		got, ok := set[f.profileName]
		if !ok {
			return p, "", fmt.Errorf("--profile %s: not in %s (have %s)", f.profileName, f.profilesPath, strings.Join(set.Names(), ", "))
		}
		p = got
		how += " from " + f.profilesPath
	case f.profileName != "":
		model, ok := builtinProfiles[f.profileName]
		if !ok && f.model == "" {
			return p, "", fmt.Errorf("--profile %s: no such built-in profile (have %s); give --profiles FILE or --model", f.profileName, strings.Join(sortedNames(builtinProfiles), ", "))
		}
		p.ModelID = model
	case f.model != "":
		p.Name, how = "default", "--model"
	default:
		name, err := inferProfile(path)
		if err != nil {
			return p, "", err
		}
		p = profile.Profile{Name: name, ModelID: builtinProfiles[name]}
		how = "inferred from the first record; choose with --profile or --model"
	}
	if f.model != "" {
		p.ModelID = f.model
	}
	if f.invocationType != "" {
		p.InvocationType = f.invocationType
	}
	if p.PollSeconds == 0 {
		p.PollSeconds = f.pollSeconds
	}
	p = p.Normalize()
	return p, how, p.Validate()
}

// inferProfile names the built-in profile whose body shape the first record has.
func inferProfile(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 32<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var rec struct {
			ModelInput map[string]json.RawMessage `json:"modelInput"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil || rec.ModelInput == nil {
			break
		}
		has := func(k string) bool { _, ok := rec.ModelInput[k]; return ok }
		switch {
		case has("anthropic_version"):
			return "claude", nil
		case has("schemaVersion") || has("inferenceConfig"):
			return "nova", nil
		case has("inputText"):
			return "titan-embed", nil
		case has("texts"):
			return "cohere", nil
		case has("prompt"):
			return "llama", nil
		}
		break
	}
	return "", fmt.Errorf("%s: cannot tell the model from the first record; give --model or --profile", path)
}

func sortedNames(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// progress prints one status line, rewritten in place on a terminal and printed when it changes
// otherwise.
type progress struct {
	w    io.Writer
	tty  bool
	last string
}

func newProgress(w io.Writer) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, tty: tty}
}

func (p *progress) show(elapsed time.Duration, jobs []bedrockjobs.Job) {
	byStatus := map[string]int{}
	round := 0
	var answered, errored int64
	for _, j := range jobs {
		byStatus[j.Status]++
		answered += j.Succeeded
		errored += j.Errored
		if ref, ok := layout.ParseJobName(j.Name); ok && ref.Round > round {
			round = ref.Round
		}
	}
	var parts []string
	for _, s := range sortedKeys(byStatus) {
		parts = append(parts, fmt.Sprintf("%d %s", byStatus[s], s))
	}
	jobsText := "none yet"
	if len(parts) > 0 {
		jobsText = strings.Join(parts, ", ")
	}
	line := fmt.Sprintf("round %d · jobs: %s · records answered %d, errors %d", max(round, 1), jobsText, answered, errored)
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K[%s] %s", elapsed.Round(time.Second), line)
	} else if line != p.last {
		fmt.Fprintf(p.w, "[%s] %s\n", elapsed.Round(time.Second), line)
	}
	p.last = line
}

func (p *progress) done() {
	if p.tty && p.last != "" {
		fmt.Fprintln(p.w)
	}
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// printSummary prints the report's key numbers and where the results are; local says the run
// used the local fake models.
func printSummary(w io.Writer, r report.Report, out string, files int, took time.Duration, local bool) {
	printReport(w, r, took, local)
	fmt.Fprintf(w, "  results   %d file(s) in %s (report.md is the full report)\n", files, out)
}

// printReport prints the report's key numbers; local says the run used the local fake models.
func printReport(w io.Writer, r report.Report, took time.Duration, local bool) {
	rec := r.Records
	check := "holds"
	if !rec.Conserved {
		check = "FAILS"
	}
	fmt.Fprintf(w, "\nRun %s: %s in %s\n", r.RunID, r.Status, took.Round(100*time.Millisecond))
	if r.Error != nil {
		fmt.Fprintf(w, "  stopped early: %s: %s\n", r.Error.Error, r.Error.Cause)
	}
	fmt.Fprintf(w, "  records   %d in: %d answered (%d batch, %d on-demand), %d failed, %d rejected; conservation check %s\n",
		rec.In, rec.Answered, rec.ByBatch, rec.ByOnDemand, rec.Failed, rec.Rejected, check)
	jobs := 0
	for _, j := range r.Jobs {
		jobs += j.Attempts
	}
	switch {
	case jobs == 0 && rec.ByOnDemand > 0:
		fmt.Fprintf(w, "  jobs      none: too few records for a batch job, so they were answered on-demand\n")
	case jobs == 0:
		fmt.Fprintf(w, "  jobs      none\n")
	default:
		fmt.Fprintf(w, "  jobs      %d Bedrock batch job(s) for %d chunk(s) over %d round(s)\n", jobs, len(r.Jobs), len(r.Rounds))
	}
	fmt.Fprintf(w, "  tokens    %d in, %d out\n", r.Tokens.Total.InputTokens, r.Tokens.Total.OutputTokens)
	if r.Cost != nil {
		note := ""
		if local {
			note = "; local fake models, so the numbers illustrate"
		}
		fmt.Fprintf(w, "  cost      $%.4f at the batch price vs $%.4f on-demand: %.1f%% saved (prices as of %s%s)\n",
			r.Cost.Batch, r.Cost.OnDemand, r.Cost.SavingPercent, r.Price.AsOf, note)
	} else {
		fmt.Fprintf(w, "  cost      not computed: %s\n", r.PriceNote)
	}
}
