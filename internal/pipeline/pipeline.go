package pipeline

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go/middleware"

	"github.com/bedrock-batch/bedrock-batch/functions/chunker"
	"github.com/bedrock-batch/bedrock-batch/functions/intake"
	"github.com/bedrock-batch/bedrock-batch/functions/jobevents"
	"github.com/bedrock-batch/bedrock-batch/functions/reconciler"
	"github.com/bedrock-batch/bedrock-batch/functions/submitter"
	"github.com/bedrock-batch/bedrock-batch/internal/asl"
	"github.com/bedrock-batch/bedrock-batch/internal/bedrockjobs"
	"github.com/bedrock-batch/bedrock-batch/internal/emulate"
	"github.com/bedrock-batch/bedrock-batch/internal/eventrule"
	"github.com/bedrock-batch/bedrock-batch/internal/ledger"
	"github.com/bedrock-batch/bedrock-batch/internal/ondemand"
	"github.com/bedrock-batch/bedrock-batch/internal/pricing"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/report"
	"github.com/bedrock-batch/bedrock-batch/internal/round"
	"github.com/bedrock-batch/bedrock-batch/internal/runclient"
	"github.com/bedrock-batch/bedrock-batch/internal/runevent"
	"github.com/bedrock-batch/bedrock-batch/internal/s3store"
	"github.com/bedrock-batch/bedrock-batch/internal/sfnlocal"
	"github.com/bedrock-batch/bedrock-batch/internal/stepfn"
	"github.com/bedrock-batch/bedrock-batch/internal/submit"
	"github.com/bedrock-batch/bedrock-batch/statemachine"
)

// Names of the local deployment.
const (
	StateMachineName = "bbatch-pipeline"
	roleARN          = "arn:aws:iam::123456789012:role/bbatch-local"
	bedrockRoleARN   = "arn:aws:iam::123456789012:role/bbatch-bedrock-local"
)

// Config configures Start.
type Config struct {
	// Emulate configures the local AWS services (ports, faults, job duration, data folder).
	Emulate emulate.Config
	// Profiles are the pipeline's profiles.
	Profiles profile.Set
	// Clock runs the state machine's waits, retries and heartbeat timeouts; nil is the wall clock.
	// A sped-up clock (asl.NewScaledClock) makes the backoffs of a faulty run take seconds.
	Clock asl.Clock
	// SFNPort is the Step Functions API port; 0 picks a free one.
	SFNPort int
	// Prices prices the report; nil is the embedded table.
	Prices *pricing.Table
	// TailDelay is the on-demand tail's first backoff (doubling up to 32 times it); 0 is 1s.
	TailDelay time.Duration
	// Logger receives the handlers' logs; nil discards them.
	Logger *slog.Logger
}

// Pipeline is a running local deployment. Close it when done.
type Pipeline struct {
	Emu             *emulate.Emulator
	Engine          *asl.Engine
	SFNURL          string
	StateMachineARN string
	SFN             *stepfn.Client
	SFNClient       *sfn.Client
	Store           *s3store.Store
	S3              *s3.Client
	Jobs            *bedrockjobs.Client
	Ledger          *ledger.Ledger

	sfnServer *emulate.Server
	log       *slog.Logger
}

// Start brings up the emulators, the Step Functions API, the handlers and the event rules.
func Start(cfg Config) (*Pipeline, error) {
	if len(cfg.Profiles) == 0 {
		return nil, errors.New("start pipeline: no profiles")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Emulate.Logger == nil {
		cfg.Emulate.Logger = log
	}
	prices := cfg.Prices
	if prices == nil {
		var err error
		if prices, err = pricing.Default(); err != nil {
			return nil, fmt.Errorf("start pipeline: %w", err)
		}
	}
	emu, err := emulate.Start(cfg.Emulate)
	if err != nil {
		return nil, fmt.Errorf("start pipeline: %w", err)
	}
	p := &Pipeline{Emu: emu, log: log}
	ok := false
	defer func() {
		if !ok {
			p.Close()
		}
	}()

	p.S3 = S3Client(emu)
	p.Store = s3store.New(p.S3, emu.Bucket)
	p.Jobs = &bedrockjobs.Client{API: emu.BedrockClient()}
	p.Ledger = &ledger.Ledger{Store: p.Store}
	runtime := emu.RuntimeClient()
	lookup := func(name string) (profile.Profile, bool) { pr, ok := cfg.Profiles[name]; return pr, ok }
	tailDelay := cfg.TailDelay
	if tailDelay == 0 {
		tailDelay = time.Second
	}
	rounds := &round.Rounds{
		Store: p.Store, Ledger: p.Ledger, Jobs: p.Jobs, Profile: lookup,
		NewTail: func(pr profile.Profile) round.Tail {
			return &ondemand.Runner{API: runtime, ModelID: pr.ModelID, InvocationType: pr.InvocationType, Concurrency: pr.TailConcurrency,
				MaxAttempts: pr.MaxAttempts, BaseDelay: tailDelay, MaxDelay: 32 * tailDelay, Sleep: ondemand.SleepContext}
		},
		Now: time.Now, Log: log,
	}
	finalizer := &report.Finalizer{
		Store: p.Store, Rounds: rounds, Ledger: p.Ledger, Prices: prices, Profile: lookup,
		Publisher: runevent.Func(func(_ context.Context, detailType string, detail any) error {
			return emu.Bus.Put(envelope(emu.Region, runevent.Source, detailType, detail))
		}),
		Now: time.Now, Log: log,
	}

	// The submitter answers task tokens through the Step Functions API, so its address must be
	// known before the interpreter that serves it is built.
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", cfg.SFNPort))
	if err != nil {
		return nil, fmt.Errorf("start step functions: %w", err)
	}
	p.SFNURL = "http://" + ln.Addr().String()
	sfnClient := sfn.New(sfn.Options{Region: emu.Region, BaseEndpoint: aws.String(p.SFNURL),
		Credentials: credentials.NewStaticCredentialsProvider(emulate.DefaultAccessKeyID, emulate.DefaultSecretAccessKey, "")})
	p.SFN, p.SFNClient = &stepfn.Client{API: sfnClient}, sfnClient
	protocol := &submit.Protocol{
		Ledger: p.Ledger, Jobs: p.Jobs, Tasks: p.SFN, Profiles: cfg.Profiles, RoleARN: bedrockRoleARN, Now: time.Now, Log: log,
	}
	engine := asl.New(asl.Config{
		Clock:  cfg.Clock,
		Region: emu.Region,
		Functions: map[string]asl.Handler{
			"bbatch-chunker":    asl.Typed((&chunker.Handler{Store: p.Store, Rounds: rounds, Profiles: cfg.Profiles, Log: log}).Handle),
			"bbatch-reconciler": asl.Typed((&reconciler.Handler{Rounds: rounds, Finalizer: finalizer}).Handle),
			"bbatch-submitter": asl.Typed(func(ctx context.Context, req submit.Request) (struct{}, error) {
				return struct{}{}, (&submitter.Handler{Submitter: protocol}).Handle(ctx, req)
			}),
		},
		Objects: objects{p.S3},
	})
	p.Engine = engine
	p.sfnServer = emulate.NewServer(sfnlocal.New(engine, nil), log)
	go func() { _ = p.sfnServer.Serve(ln) }()
	m, err := engine.AddMachine(StateMachineName, roleARN, statemachine.Definition, Substitutions(emu.Region))
	if err != nil {
		return nil, fmt.Errorf("load the state machine: %w", err)
	}
	p.StateMachineARN = m.ARN

	in := &intake.Handler{Store: p.Store, SFN: p.SFN, Bucket: emu.Bucket, StateMachineARN: m.ARN, Profiles: cfg.Profiles, Now: time.Now, Log: log}
	je := &jobevents.Handler{Waker: protocol}
	for _, r := range eventrule.Rules(emu.Bucket) {
		var target func(context.Context, events.CloudWatchEvent) error
		switch r.Target {
		case eventrule.TargetIntake:
			target = func(ctx context.Context, ev events.CloudWatchEvent) error { _, err := in.Handle(ctx, ev); return err }
		case eventrule.TargetJobEvents:
			target = je.Handle
		default:
			return nil, fmt.Errorf("rule %s: unknown target %q", r.Name, r.Target)
		}
		if err := emu.Bus.AddRule(r.Name, r.Pattern.JSON(), eventTarget(target, log, r.Target)); err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.Name, err)
		}
	}
	ok = true
	return p, nil
}

// S3Client returns the S3 client of the local deployment: emu's, signing every request with
// UNSIGNED-PAYLOAD as the SDK does for S3 uploads over HTTPS. The emulator speaks plain HTTP, where
// the SDK would otherwise SHA-256 each PutObject and UploadPart body for the signature: work no
// deployed Lambda does, for a hash the emulator does not check. The body's integrity checksum
// (CRC32) is still sent. optFns apply after.
func S3Client(emu *emulate.Emulator, optFns ...func(*s3.Options)) *s3.Client {
	return emu.S3Client(append([]func(*s3.Options){func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Finalize.Add(unsignedPayload{}, middleware.Before)
		})
	}}, optFns...)...)
}

// unsignedPayload sets the request's payload hash before the checksum and signing middlewares
// run: each of them then uses it instead of hashing the body.
type unsignedPayload struct{}

func (unsignedPayload) ID() string { return "UnsignedPayloadOverHTTP" }

func (unsignedPayload) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	return next.HandleFinalize(v4.SetPayloadHash(ctx, "UNSIGNED-PAYLOAD"), in)
}

// Substitutions are the definition substitutions of the local deployment.
func Substitutions(region string) map[string]string {
	fn := func(name string) string { return "arn:aws:lambda:" + region + ":123456789012:function:" + name }
	return map[string]string{
		statemachine.ChunkerFunctionArn:    fn("bbatch-chunker"),
		statemachine.SubmitterFunctionArn:  fn("bbatch-submitter"),
		statemachine.ReconcilerFunctionArn: fn("bbatch-reconciler"),
	}
}

// eventTarget delivers a bus event to a handler as EventBridge invokes a Lambda target:
// asynchronously, with Lambda's two retries of a failed invocation.
func eventTarget(h func(context.Context, events.CloudWatchEvent) error, log *slog.Logger, name string) func(context.Context, []byte) error {
	return func(ctx context.Context, raw []byte) error {
		var ev events.CloudWatchEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return fmt.Errorf("%s: decode event: %w", name, err)
		}
		var err error
		for attempt := 1; attempt <= asyncAttempts; attempt++ {
			if err = h(ctx, ev); err == nil {
				return nil
			}
			log.WarnContext(ctx, "event handler failed", "target", name, "attempt", attempt, "error", err)
		}
		return err
	}
}

// asyncAttempts is how often Lambda runs an asynchronous invocation that keeps failing.
const asyncAttempts = 3

// envelope wraps a detail in an EventBridge event.
func envelope(region, source, detailType string, detail any) []byte {
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	b, _ := json.Marshal(map[string]any{
		"version": "0", "id": hex.EncodeToString(id), "detail-type": detailType, "source": source,
		"account": "123456789012", "time": time.Now().UTC().Format(time.RFC3339), "region": region,
		"resources": []string{}, "detail": detail,
	})
	return b
}

// objects is the S3 access the Distributed Map's ItemReader needs.
type objects struct{ s3 *s3.Client }

func (o objects) GetObject(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	out, err := o.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	return out.Body, nil
}

func (o objects) PutObject(ctx context.Context, bucket, key string, body []byte) error {
	_, err := o.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	return err
}

// Close stops everything.
func (p *Pipeline) Close() {
	if p.sfnServer != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		p.sfnServer.Stop(ctx)
		cancel()
	}
	if p.Emu != nil {
		p.Emu.Close()
	}
}

// Client returns a client for the runs of this deployment, the one the CLI uses against AWS,
// which also learns from the engine the moment a run's execution ends.
func (p *Pipeline) Client() *runclient.Client {
	c := runclient.New(p.Emu.Bucket, p.StateMachineARN, p.S3, p.SFNClient, p.Jobs.API)
	c.Ended = func(runID string) <-chan struct{} {
		if x, ok := p.Engine.ExecutionByARN(c.ExecutionARN(runID)); ok {
			return x.Done()
		}
		return nil
	}
	return c
}
