package bedrockemu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const (
	testBucket = "batch"
	testModel  = "anthropic.claude-3-5-haiku-20241022-v1:0"
	testRole   = "arn:aws:iam::123456789012:role/BedrockBatchRole"
)

// harness is an emulator behind real HTTP, a gofakes3 S3 behind real HTTP, and the real SDK
// clients pointed at both.
type harness struct {
	emu     *Emulator
	url     string
	bedrock *bedrock.Client
	s3      *s3.Client
	clock   *FakeClock // nil unless the test asked for one

	mu     sync.Mutex
	events [][]byte
}

type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

func newHarness(t testing.TB, configure func(*Config)) *harness {
	t.Helper()
	s3srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(s3srv.Close)
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	s3c := s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(s3srv.URL),
		UsePathStyle:               true,
		Credentials:                creds,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(testBucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	h := &harness{s3: s3c}
	cfg := Config{S3: s3c, OnEvent: func(ev []byte) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.events = append(h.events, ev)
	}}
	if configure != nil {
		configure(&cfg)
	}
	if fc, ok := cfg.Clock.(*FakeClock); ok {
		h.clock = fc
	}
	emu, err := New(cfg)
	if err != nil {
		t.Fatalf("new emulator: %v", err)
	}
	t.Cleanup(emu.Close)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	h.emu, h.url = emu, srv.URL
	h.bedrock = bedrock.New(bedrock.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  creds,
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 2
			o.Backoff = noBackoff{}
			o.RateLimiter = ratelimit.None
		}),
	})
	return h
}

func fakeClock(cfg *Config) *FakeClock {
	c := NewFakeClock(time.Date(2026, 5, 4, 7, 2, 11, 0, time.UTC))
	cfg.Clock = c
	return c
}

// claudeLine is one input line with a valid Claude Messages body.
func claudeLine(id string, i int) string {
	return fmt.Sprintf(`{"recordId":%q,"modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":64,"messages":[{"role":"user","content":"Classify ticket number %d: the parcel arrived late."}]}}`, id, i)
}

// putRecords writes n valid records with ids r0000.. to key and returns their ids.
func (h *harness) putRecords(t *testing.T, key string, n int) []string {
	t.Helper()
	var b strings.Builder
	var ids []string
	for i := range n {
		id := fmt.Sprintf("%s-r%04d", strings.NewReplacer("/", "-", ".", "-").Replace(key), i)
		ids = append(ids, id)
		b.WriteString(claudeLine(id, i) + "\n")
	}
	h.put(t, key, b.String())
	return ids
}

func (h *harness) put(t *testing.T, key, body string) {
	t.Helper()
	_, err := h.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func (h *harness) get(t *testing.T, key string) []byte {
	t.Helper()
	out, err := h.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return b
}

func (h *harness) list(t testing.TB, prefix string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(h.s3, &s3.ListObjectsV2Input{Bucket: aws.String(testBucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list %s: %v", prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	sort.Strings(keys)
	return keys
}

func createInput(name, in, out string) *bedrock.CreateModelInvocationJobInput {
	return &bedrock.CreateModelInvocationJobInput{
		JobName: aws.String(name),
		RoleArn: aws.String(testRole),
		ModelId: aws.String(testModel),
		InputDataConfig: &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{
			Value: types.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://" + testBucket + "/" + in)},
		},
		OutputDataConfig: &types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{
			Value: types.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String("s3://" + testBucket + "/" + out)},
		},
	}
}

func (h *harness) create(t *testing.T, in *bedrock.CreateModelInvocationJobInput) string {
	t.Helper()
	out, err := h.bedrock.CreateModelInvocationJob(context.Background(), in)
	if err != nil {
		t.Fatalf("create %s: %v", aws.ToString(in.JobName), err)
	}
	return aws.ToString(out.JobArn)
}

func (h *harness) job(t testing.TB, id string) *bedrock.GetModelInvocationJobOutput {
	t.Helper()
	out, err := h.bedrock.GetModelInvocationJob(context.Background(), &bedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(id)})
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return out
}

func (h *harness) wait(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.emu.Wait(ctx); err != nil {
		t.Fatalf("wait for the emulator: %v", err)
	}
}

// runUntil steps the fake clock until cond holds for the job, and returns the job then.
func (h *harness) runUntil(t *testing.T, arn string, step time.Duration, cond func(*bedrock.GetModelInvocationJobOutput) bool) *bedrock.GetModelInvocationJobOutput {
	t.Helper()
	for range 1000 {
		h.wait(t)
		j := h.job(t, arn)
		if cond(j) {
			return j
		}
		h.clock.Advance(step)
	}
	t.Fatalf("job %s never reached the wanted state", arn)
	return nil
}

// statuses returns the detail.status of every event about arn, in order.
func (h *harness) statuses(t *testing.T, arn string) []string {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, raw := range h.events {
		var ev BatchJobStateChangeEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("decode event: %v", err)
		}
		if ev.Detail.BatchJobARN == arn {
			out = append(out, ev.Detail.Status)
		}
	}
	return out
}

// outputLine is one line of a .jsonl.out file (reference §2.3).
type outputLine struct {
	RecordID    string          `json:"recordId"`
	ModelInput  json.RawMessage `json:"modelInput"`
	ModelOutput json.RawMessage `json:"modelOutput"`
	Error       *struct {
		ErrorCode    int    `json:"errorCode"`
		ErrorMessage string `json:"errorMessage"`
	} `json:"error"`
}

func parseOutput(t *testing.T, body []byte) []outputLine {
	t.Helper()
	var lines []outputLine
	for i, l := range bytes.Split(bytes.TrimRight(body, "\n"), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var ol outputLine
		dec := json.NewDecoder(bytes.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ol); err != nil {
			t.Fatalf("output line %d: %v", i+1, err)
		}
		if (ol.ModelOutput == nil) == (ol.Error == nil) {
			t.Fatalf("output line %d has neither or both of modelOutput and error", i+1)
		}
		lines = append(lines, ol)
	}
	return lines
}

// readManifest parses manifest.json.out and checks it has exactly the six fields of reference §3.
func readManifest(t *testing.T, body []byte) manifest {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	var got []string
	for k := range fields {
		got = append(got, k)
	}
	sort.Strings(got)
	want := []string{"errorRecordCount", "inputTokenCount", "outputTokenCount", "processedRecordCount", "successRecordCount", "totalRecordCount"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("manifest fields = %v, want %v", got, want)
	}
	var m manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	return m
}

func jobID(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// nopS3 is an S3API for tests that never reach S3.
type nopS3 struct{ S3API }
