package bedrockemu

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrock-batch/bedrock-batch/internal/fakemodel"
	"github.com/bedrock-batch/bedrock-batch/internal/faults"
)

// S3API is the part of the S3 client the emulator uses to read job input and write job output.
// *s3.Client satisfies it.
type S3API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// Limits are the batch inference quotas the emulator enforces. A zero field takes the default
// from the AWS quota table (reference §5).
type Limits struct {
	MinRecords        int   // minimum records per job, across all files; default 100 (Llama 4 Scout 50)
	MaxRecords        int   // maximum records per job, across all files; default 50,000
	MaxRecordsPerFile int   // maximum records per input file; default 50,000
	MaxFileBytes      int64 // maximum size of one input file; default 1 GB
	MaxJobBytes       int64 // maximum size of all input files of a job; default 5 GB (Nova Pro 100 GB)
	MaxActiveJobs     int   // per-model cap on unfinished jobs (see doc.go); default 20
}

// Config configures an Emulator. Only S3 is required; every other zero field has a default.
type Config struct {
	Region    string // default "us-east-1"
	AccountID string // default "123456789012"

	// S3 reads job input and writes job output, like the job's service role would.
	S3 S3API

	// Clock paces job lifecycles. Default: the wall clock.
	Clock Clock
	// JobDuration is how long a job takes from submit to its end, spread over its phases
	// (5% Submitted, 15% Validating, 15% Scheduled, 65% InProgress). 0 runs jobs at once.
	JobDuration time.Duration

	// Faults chooses the injected failures; the zero Spec injects none.
	Faults faults.Spec
	// Limits are the quotas; zero fields take the AWS defaults.
	Limits Limits

	// OnEvent receives every "Batch Inference Job State Change" event, as the full EventBridge
	// envelope, in the order the changes happened. It is called without the emulator's lock held,
	// so it may call back into the emulator. Nil drops events.
	OnEvent func(event []byte)

	// Invoke runs a model on one record. It is called from several goroutines at once (jobs
	// run concurrently, and a job answers a slice of records on every free CPU), so it must be
	// safe for concurrent use. Default: fakemodel.Invoke.
	Invoke func(modelID, invocationType string, body []byte) ([]byte, error)
	// Known reports whether a model id names a served model. Default: fakemodel.Known.
	Known func(modelID string) bool
}

func (c Config) withDefaults() Config {
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.AccountID == "" {
		c.AccountID = "123456789012"
	}
	if c.Clock == nil {
		c.Clock = WallClock{}
	}
	if c.Invoke == nil {
		c.Invoke = fakemodel.Invoke
	}
	if c.Known == nil {
		c.Known = fakemodel.Known
	}
	l := &c.Limits
	if l.MaxRecords == 0 {
		l.MaxRecords = 50000
	}
	if l.MaxRecordsPerFile == 0 {
		l.MaxRecordsPerFile = 50000
	}
	if l.MaxFileBytes == 0 {
		l.MaxFileBytes = 1 << 30
	}
	if l.MaxActiveJobs == 0 {
		l.MaxActiveJobs = 20
	}
	return c
}

// limitsFor returns the limits for a job on base model, filling the two quotas whose AWS default
// depends on the model (reference §5) when the Config left them zero.
func (l Limits) limitsFor(base string) Limits {
	if l.MinRecords == 0 {
		l.MinRecords = 100
		if base == "meta.llama4-scout-17b-instruct-v1:0" {
			l.MinRecords = 50
		}
	}
	if l.MaxJobBytes == 0 {
		l.MaxJobBytes = 5 << 30
		if base == "amazon.nova-pro-v1:0" {
			l.MaxJobBytes = 100 << 30
		}
	}
	return l
}
