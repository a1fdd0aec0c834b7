package emulate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrock-batch/bedrock-batch/internal/eventrule"
	"github.com/bedrock-batch/bedrock-batch/internal/faults"
)

// syncBuffer is an io.Writer safe for the bus's concurrent deliveries.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the written lines, each decoded as an event envelope.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("event line %q: %v", sc.Text(), err)
		}
		out = append(out, ev)
	}
	return out
}

const claude = "anthropic.claude-3-5-haiku-20241022-v1:0"

func batchInput(n int) string {
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, `{"recordId":"r%d","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":20,"messages":[{"role":"user","content":"hello %d"}]}}`+"\n", i, i)
	}
	return sb.String()
}

// TestEndToEnd drives every emulator through clients made from AWSConfig, the way bbatch run
// does, and checks the event stream and the pipeline rules on the bus.
func TestEndToEnd(t *testing.T) {
	// A stale export from an earlier session must not win over the emulator's endpoints.
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1")
	var stream syncBuffer
	em, err := Start(Config{Events: &stream})
	if err != nil {
		t.Fatal(err)
	}
	defer em.Close()

	var mu sync.Mutex
	routed := map[string]int{}
	for _, r := range eventrule.Rules(em.Bucket) {
		target := r.Target
		err := em.Bus.AddRule(r.Name, r.Pattern.JSON(), func(context.Context, []byte) error {
			mu.Lock()
			routed[target]++
			mu.Unlock()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	ctx := context.Background()
	cfg := em.AWSConfig()
	s3c := s3.NewFromConfig(cfg)
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(em.Bucket), Key: aws.String("inbox/default/in.jsonl"),
		Body: strings.NewReader(batchInput(100))}); err != nil {
		t.Fatal(err)
	}

	bc := bedrock.NewFromConfig(cfg)
	created, err := bc.CreateModelInvocationJob(ctx, jobInput("e2e-job", em.Bucket, "inbox/default/in.jsonl", "runs/e2e/out/"))
	if err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := em.Bedrock.Wait(waitCtx); err != nil {
		t.Fatal(err)
	}
	job, err := bc.GetModelInvocationJob(ctx, &bedrock.GetModelInvocationJobInput{JobIdentifier: created.JobArn})
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != bedrocktypes.ModelInvocationJobStatusCompleted {
		t.Fatalf("job status %s (%s)", job.Status, aws.ToString(job.Message))
	}
	keys, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(em.Bucket), Prefix: aws.String("runs/e2e/out/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.Contents) != 2 {
		t.Errorf("job wrote %d output objects, want the .out file and the manifest", len(keys.Contents))
	}

	rc := bedrockruntime.NewFromConfig(cfg)
	out, err := rc.InvokeModel(ctx, &bedrockruntime.InvokeModelInput{ModelId: aws.String(claude), ContentType: aws.String("application/json"),
		Body: []byte(`{"anthropic_version":"bedrock-2023-05-31","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(out.Body) {
		t.Errorf("InvokeModel body %q", out.Body)
	}

	em.Close()
	kinds := map[string]int{}
	var statuses []string
	for _, ev := range stream.lines(t) {
		kinds[ev["detail-type"].(string)]++
		if ev["detail-type"] == eventrule.DetailTypeBatchJobStateChange {
			statuses = append(statuses, ev["detail"].(map[string]any)["status"].(string))
		}
	}
	if kinds[eventrule.DetailTypeObjectCreated] != 3 { // the input, the .out file, the manifest
		t.Errorf("stream has %d Object Created events, want 3: %v", kinds[eventrule.DetailTypeObjectCreated], kinds)
	}
	if len(statuses) == 0 || statuses[len(statuses)-1] != "Completed" {
		t.Errorf("job state events %v, want them to end Completed", statuses)
	}
	if routed[eventrule.TargetIntake] != 1 || routed[eventrule.TargetJobEvents] != len(statuses) {
		t.Errorf("routed %v, want 1 to intake and %d to jobevents", routed, len(statuses))
	}
}

func TestWebhookAndFaults(t *testing.T) {
	var mu sync.Mutex
	var posted []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		posted = append(posted, string(b))
		mu.Unlock()
	}))
	defer hook.Close()
	var stream syncBuffer
	em, err := Start(Config{Events: &stream, WebhookURL: hook.URL, Faults: faults.Spec{EventDup: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer em.Close()
	ctx := context.Background()
	if _, err := em.S3Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(em.Bucket), Key: aws.String("in.jsonl"),
		Body: strings.NewReader(batchInput(100))}); err != nil {
		t.Fatal(err)
	}
	_, err = em.BedrockClient().CreateModelInvocationJob(ctx, jobInput("dup-job", em.Bucket, "in.jsonl", "out/"))
	if err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := em.Bedrock.Wait(waitCtx); err != nil {
		t.Fatal(err)
	}
	em.Close()

	// event-dup=1 doubles every job state event and no S3 event.
	count := func(events []string) map[string]int {
		n := map[string]int{}
		for _, e := range events {
			n[e]++
		}
		return n
	}
	var lines []string
	for _, ev := range stream.lines(t) {
		b, _ := json.Marshal(ev)
		lines = append(lines, string(b))
	}
	for name, events := range map[string][]string{"stream": lines, "webhook": posted} {
		jobEvents := 0
		for e, n := range count(events) {
			want := 1
			if strings.Contains(e, eventrule.DetailTypeBatchJobStateChange) {
				want = 2
				jobEvents++
			}
			if n != want {
				t.Errorf("%s: event delivered %d times, want %d: %s", name, n, want, e)
			}
		}
		if jobEvents == 0 {
			t.Errorf("%s: no job state events", name)
		}
	}
}

func TestS3FaultsReachClientsNotBedrock(t *testing.T) {
	em, err := Start(Config{Faults: faults.Spec{S3Error: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer em.Close()
	_, err = em.S3Client(func(o *s3.Options) { o.RetryMaxAttempts = 1 }).ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(em.Bucket)})
	if err == nil || !(strings.Contains(err.Error(), "InternalError") || strings.Contains(err.Error(), "SlowDown")) {
		t.Fatalf("list with s3-5xx=1: %v", err)
	}
}

func TestStartErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if _, err := Start(Config{BedrockPort: port}); err == nil || !strings.Contains(err.Error(), "start local bedrock") {
		t.Errorf("port in use: %v", err)
	}
	if _, err := Start(Config{Bucket: "Bad_Bucket"}); err == nil || !strings.Contains(err.Error(), "Bad_Bucket") {
		t.Errorf("bad bucket: %v", err)
	}
}

func TestFolderData(t *testing.T) {
	dir := t.TempDir()
	em, err := Start(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := em.S3Client().PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(em.Bucket), Key: aws.String("inbox/x.jsonl"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	em.Close()
	em2, err := Start(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer em2.Close()
	got, err := em2.S3Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(em2.Bucket), Key: aws.String("inbox/x.jsonl")})
	if err != nil {
		t.Fatalf("object did not survive a restart: %v", err)
	}
	got.Body.Close()
}

// jobInput is a Claude job reading input and writing under output, both keys in bucket.
func jobInput(name, bucket, input, output string) *bedrock.CreateModelInvocationJobInput {
	return &bedrock.CreateModelInvocationJobInput{
		JobName: aws.String(name),
		ModelId: aws.String(claude),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/bedrock-batch"),
		InputDataConfig: &bedrocktypes.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{Value: bedrocktypes.ModelInvocationJobS3InputDataConfig{
			S3Uri: aws.String("s3://" + bucket + "/" + input)}},
		OutputDataConfig: &bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{Value: bedrocktypes.ModelInvocationJobS3OutputDataConfig{
			S3Uri: aws.String("s3://" + bucket + "/" + output)}},
	}
}
