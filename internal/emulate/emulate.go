package emulate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/bedrock-batch/bedrock-batch/internal/bedrockemu"
	"github.com/bedrock-batch/bedrock-batch/internal/eventbus"
	"github.com/bedrock-batch/bedrock-batch/internal/eventrule"
	"github.com/bedrock-batch/bedrock-batch/internal/faults"
	"github.com/bedrock-batch/bedrock-batch/internal/runtimeemu"
	"github.com/bedrock-batch/bedrock-batch/internal/s3emu"
)

// Defaults for Config fields left zero.
const (
	DefaultBucket = "bbatch-local"
	DefaultRegion = "us-east-1"
	// DefaultAccessKeyID and DefaultSecretAccessKey are the dummy credentials the emulators
	// accept (they accept any).
	DefaultAccessKeyID     = "bbatch"
	DefaultSecretAccessKey = "bbatch"
)

// StreamRule is the name of the bus rule that feeds Config.Events, and WebhookRule the one that
// feeds Config.WebhookURL. Both match every event.
const (
	StreamRule  = "EventStream"
	WebhookRule = "EventWebhook"
)

// matchAll is an EventBridge pattern every event with a string source matches.
var matchAll = []byte(`{"source":[{"prefix":""}]}`)

// Config configures Start. The zero Config serves everything in memory on random loopback ports.
type Config struct {
	// Host is the address to listen on; empty means 127.0.0.1.
	Host string
	// S3Port, BedrockPort and RuntimePort are the ports; 0 picks a free one.
	S3Port, BedrockPort, RuntimePort int
	// DataDir keeps S3 data in a folder (one sub-folder per bucket); empty keeps it in memory.
	DataDir string
	// Bucket is created at start; empty means DefaultBucket.
	Bucket string
	// Region and Account appear in ARNs and events; empty means DefaultRegion and the emulators'
	// default account.
	Region, Account string
	// Faults are the injected failures, shared by every emulator and the bus. The event faults
	// apply to Bedrock job state change events only.
	Faults faults.Spec
	// JobDuration is how long a batch job takes from submit to its end; 0 ends jobs at once.
	JobDuration time.Duration
	// Clock paces jobs; nil means the wall clock.
	Clock bedrockemu.Clock
	// Limits are the Bedrock batch quotas; zero fields take the AWS defaults.
	Limits bedrockemu.Limits
	// WebhookURL, when set, receives every event as an HTTP POST of its JSON.
	WebhookURL string
	// Events, when set, receives every event as one line of compact JSON.
	Events io.Writer
	// Logger reports delivery errors; nil means slog.Default().
	Logger *slog.Logger
}

// Emulator is a running local AWS. Close it when done.
type Emulator struct {
	// S3URL, BedrockURL and RuntimeURL are the base endpoints, e.g. "http://127.0.0.1:9570".
	S3URL, BedrockURL, RuntimeURL string
	// Bucket is the bucket created at start.
	Bucket string
	// Region is the region clients must use.
	Region string
	// Bus receives every S3 and Bedrock event; add rules to route them.
	Bus *eventbus.Bus
	// Bedrock is the control plane, for tests that Wait on it.
	Bedrock *bedrockemu.Emulator

	log       *slog.Logger
	servers   []*Server // public endpoints
	internal  *Server   // the S3 endpoint the Bedrock emulator uses
	closeOnce sync.Once
	serveErrs chan error
}

// Start listens on the configured ports and serves every emulator. It returns once all accept
// connections. A port in use, a bad data folder or an invalid bucket name is an error, and
// nothing is left running.
func Start(cfg Config) (*Emulator, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Bucket == "" {
		cfg.Bucket = DefaultBucket
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	e := &Emulator{Bucket: cfg.Bucket, Region: cfg.Region, log: cfg.Logger, serveErrs: make(chan error, 4)}
	ok := false
	defer func() {
		if !ok {
			e.Close()
		}
	}()

	e.Bus = eventbus.New(eventbus.Config{Faults: cfg.Faults, FaultSources: []string{eventrule.SourceBedrock}, Logger: cfg.Logger})
	if cfg.Events != nil {
		if err := e.Bus.AddRule(StreamRule, matchAll, lineWriter(cfg.Events)); err != nil {
			return nil, err
		}
	}
	if cfg.WebhookURL != "" {
		if err := e.Bus.AddRule(WebhookRule, matchAll, eventbus.Webhook(cfg.WebhookURL, nil)); err != nil {
			return nil, err
		}
	}
	put := func(event []byte) {
		if err := e.Bus.Put(event); err != nil && !errors.Is(err, eventbus.ErrClosed) {
			cfg.Logger.Error("event not routed", "err", err)
		}
	}

	var backend gofakes3.Backend = s3mem.New()
	if cfg.DataDir != "" {
		fb, err := s3emu.NewFolderBackend(cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("start local s3: %w", err)
		}
		backend = fb
	}
	s3cfg := s3emu.Config{Backend: backend, Faults: cfg.Faults, OnEvent: put, Region: cfg.Region, Account: cfg.Account, Logger: cfg.Logger}
	public := s3emu.New(s3cfg)
	if err := public.CreateBucket(cfg.Bucket); err != nil {
		return nil, fmt.Errorf("start local s3: %w", err)
	}
	var err error
	if e.S3URL, err = e.serve(cfg.Host, cfg.S3Port, public); err != nil {
		return nil, fmt.Errorf("start local s3: %w", err)
	}
	s3cfg.Faults = faults.Spec{}
	internalURL, err := e.serve("127.0.0.1", 0, s3emu.New(s3cfg))
	if err != nil {
		return nil, fmt.Errorf("start local s3 for bedrock: %w", err)
	}
	e.internal, e.servers = e.servers[len(e.servers)-1], e.servers[:len(e.servers)-1]

	e.Bedrock, err = bedrockemu.New(bedrockemu.Config{
		Region:      cfg.Region,
		AccountID:   cfg.Account,
		S3:          s3.New(s3Options(internalURL, cfg.Region)),
		Clock:       cfg.Clock,
		JobDuration: cfg.JobDuration,
		Faults:      cfg.Faults,
		Limits:      cfg.Limits,
		OnEvent:     put,
	})
	if err != nil {
		return nil, fmt.Errorf("start local bedrock: %w", err)
	}
	if e.BedrockURL, err = e.serve(cfg.Host, cfg.BedrockPort, e.Bedrock); err != nil {
		return nil, fmt.Errorf("start local bedrock: %w", err)
	}
	if e.RuntimeURL, err = e.serve(cfg.Host, cfg.RuntimePort, runtimeemu.New(runtimeemu.FromFaults(cfg.Faults))); err != nil {
		return nil, fmt.Errorf("start local bedrock runtime: %w", err)
	}
	ok = true
	return e, nil
}

// serve listens on host:port and serves h in the background, returning the base URL.
func (e *Emulator) serve(host string, port int, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return "", err
	}
	srv := NewServer(h, e.log)
	e.servers = append(e.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.serveErrs <- err
		}
	}()
	return "http://" + ln.Addr().String(), nil
}

// Err returns a channel that receives an error if a server stops serving on its own.
func (e *Emulator) Err() <-chan error { return e.serveErrs }

// Close stops the public servers (waiting up to five seconds for requests in flight), then the
// job scheduler and the S3 endpoint it uses, then the bus after delivering the events in flight.
// It is idempotent.
func (e *Emulator) Close() {
	e.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, srv := range e.servers {
			srv.Stop(ctx)
		}
		if e.Bedrock != nil {
			e.Bedrock.Close()
		}
		if e.internal != nil {
			e.internal.Stop(ctx)
		}
		if e.Bus != nil {
			e.Bus.Close()
		}
	})
}

// lineWriter is a bus target writing each event to w as one line of compact JSON.
func lineWriter(w io.Writer) eventbus.Target {
	var mu sync.Mutex
	return func(_ context.Context, event []byte) error {
		var buf bytes.Buffer
		if err := json.Compact(&buf, event); err != nil {
			return fmt.Errorf("write event line: %w", err)
		}
		buf.WriteByte('\n')
		mu.Lock()
		defer mu.Unlock()
		if _, err := w.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("write event line: %w", err)
		}
		return nil
	}
}

// Env returns the environment variables that point the AWS CLI and SDKs at the emulator, in the
// order bbatch emulate prints them. Both region variables are set: SDKs read AWS_REGION, the AWS
// CLI AWS_DEFAULT_REGION.
func (e *Emulator) Env() [][2]string {
	return [][2]string{
		{"AWS_ENDPOINT_URL_S3", e.S3URL},
		{"AWS_ENDPOINT_URL_BEDROCK", e.BedrockURL},
		{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME", e.RuntimeURL},
		{"AWS_ACCESS_KEY_ID", DefaultAccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", DefaultSecretAccessKey},
		{"AWS_REGION", e.Region},
		{"AWS_DEFAULT_REGION", e.Region},
	}
}

// endpoints is an aws.Config configuration source naming the base endpoint of each service, the
// hook the SDK's service clients read AWS_ENDPOINT_URL_<SERVICE> through.
type endpoints map[string]string

// GetServiceBaseEndpoint returns the emulator endpoint for an SDK service id ("S3", "Bedrock",
// "Bedrock Runtime").
func (m endpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	v, ok := m[sdkID]
	return v, ok, nil
}

// AWSConfig returns an aws.Config whose S3, Bedrock and Bedrock Runtime clients (made with
// NewFromConfig) reach the emulator, with dummy credentials. The S3 endpoint is an IP address, so
// the S3 client addresses buckets path-style. One caveat of the SDK: if the environment sets
// AWS_ENDPOINT_URL without the service-specific variable, that global endpoint wins; the client
// constructors below are immune.
func (e *Emulator) AWSConfig() aws.Config {
	return aws.Config{
		Region:      e.Region,
		Credentials: credentials.NewStaticCredentialsProvider(DefaultAccessKeyID, DefaultSecretAccessKey, ""),
		ConfigSources: []any{endpoints{
			"S3":              e.S3URL,
			"Bedrock":         e.BedrockURL,
			"Bedrock Runtime": e.RuntimeURL,
		}},
	}
}

func s3Options(url, region string) s3.Options {
	return s3.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(DefaultAccessKeyID, DefaultSecretAccessKey, ""),
	}
}

// S3Client returns an S3 client for the emulator, path-style, whatever the environment says.
func (e *Emulator) S3Client(optFns ...func(*s3.Options)) *s3.Client {
	return s3.NewFromConfig(e.AWSConfig(), append([]func(*s3.Options){func(o *s3.Options) {
		o.BaseEndpoint = aws.String(e.S3URL)
		o.UsePathStyle = true
	}}, optFns...)...)
}

// BedrockClient returns a Bedrock control-plane client for the emulator.
func (e *Emulator) BedrockClient(optFns ...func(*bedrock.Options)) *bedrock.Client {
	return bedrock.NewFromConfig(e.AWSConfig(), append([]func(*bedrock.Options){func(o *bedrock.Options) {
		o.BaseEndpoint = aws.String(e.BedrockURL)
	}}, optFns...)...)
}

// RuntimeClient returns a Bedrock runtime client for the emulator.
func (e *Emulator) RuntimeClient(optFns ...func(*bedrockruntime.Options)) *bedrockruntime.Client {
	return bedrockruntime.NewFromConfig(e.AWSConfig(), append([]func(*bedrockruntime.Options){func(o *bedrockruntime.Options) {
		o.BaseEndpoint = aws.String(e.RuntimeURL)
	}}, optFns...)...)
}
