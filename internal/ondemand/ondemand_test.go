package ondemand

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/bedrock-batch/bedrock-batch/internal/runtimeemu"
)

func newRunner(t *testing.T, cfg runtimeemu.Config, model, invocationType string) *Runner {
	t.Helper()
	srv := httptest.NewServer(runtimeemu.New(cfg))
	t.Cleanup(srv.Close)
	client := bedrockruntime.New(bedrockruntime.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		Retryer:     aws.NopRetryer{},
	})
	return &Runner{API: client, ModelID: model, InvocationType: invocationType, Concurrency: 4, MaxAttempts: 5,
		BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond,
		Sleep: func(context.Context, time.Duration) error { return nil }}
}

func collect(t *testing.T, r *Runner, reqs []Request) map[string]Outcome {
	t.Helper()
	got := map[string]Outcome{}
	err := r.Run(context.Background(), reqs, func(o Outcome) error {
		if _, dup := got[o.ID]; dup {
			t.Errorf("record %s emitted twice", o.ID)
		}
		got[o.ID] = o
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(reqs) {
		t.Fatalf("%d outcomes for %d requests", len(got), len(reqs))
	}
	return got
}

func claude(i int) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"anthropic_version":"bedrock-2023-05-31","max_tokens":32,"messages":[{"role":"user","content":"ticket %d"}]}`, i))
}

func TestInvokeModelAnswersEveryRecordThroughRetries(t *testing.T) {
	r := newRunner(t, runtimeemu.Config{Throttle: 0.3, ModelTimeout: 0.1, ServerError: 0.1, Seed: 3}, "us.anthropic.claude-3-5-haiku-20241022-v1:0", "InvokeModel")
	r.MaxAttempts = 30
	var reqs []Request
	for i := range 60 {
		reqs = append(reqs, Request{ID: fmt.Sprint(i), Input: claude(i)})
	}
	retried := 0
	for id, o := range collect(t, r, reqs) {
		if o.Err != nil {
			t.Fatalf("record %s: %+v after %d attempts", id, o.Err, o.Attempts)
		}
		var body struct {
			Usage struct {
				InputTokens int `json:"input_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal(o.Output, &body); err != nil || body.Usage.InputTokens == 0 {
			t.Fatalf("record %s: output %s", id, o.Output)
		}
		if o.Attempts > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Fatal("no record needed a retry; the faults were not exercised")
	}
}

func TestPermanentErrorsAreNotRetried(t *testing.T) {
	r := newRunner(t, runtimeemu.Config{}, "anthropic.claude-3-5-haiku-20241022-v1:0", "InvokeModel")
	got := collect(t, r, []Request{{ID: "bad", Input: json.RawMessage(`{"messages":[]}`)}, {ID: "good", Input: claude(1)}})
	if o := got["bad"]; o.Err == nil || o.Err.Code != "ValidationException" || o.Err.Retryable || o.Attempts != 1 {
		t.Fatalf("bad record: %+v %+v", o, o.Err)
	}
	if got["good"].Err != nil {
		t.Fatalf("good record: %+v", got["good"].Err)
	}
}

func TestRetryableErrorsGiveUpAtTheBound(t *testing.T) {
	r := newRunner(t, runtimeemu.Config{Throttle: 1}, "anthropic.claude-3-5-haiku-20241022-v1:0", "InvokeModel")
	r.MaxAttempts = 3
	o := collect(t, r, []Request{{ID: "x", Input: claude(1)}})["x"]
	if o.Err == nil || o.Err.Code != "ThrottlingException" || !o.Err.Retryable || o.Attempts != 3 {
		t.Fatalf("outcome %+v %+v", o, o.Err)
	}
}

func TestConverse(t *testing.T) {
	r := newRunner(t, runtimeemu.Config{}, "amazon.nova-lite-v1:0", "Converse")
	body := json.RawMessage(`{"system":[{"text":"Answer with one label."}],"messages":[{"role":"user","content":[{"text":"Classify: the parcel was late."}]}],"inferenceConfig":{"maxTokens":16,"temperature":0}}`)
	image := json.RawMessage(`{"messages":[{"role":"user","content":[{"image":{"format":"png","source":{"bytes":"AA=="}}}]}]}`)
	got := collect(t, r, []Request{{ID: "text", Input: body}, {ID: "image", Input: image}})
	var resp struct {
		Output struct {
			Message struct {
				Content []struct{ Text string } `json:"content"`
			} `json:"message"`
		} `json:"output"`
		Usage struct {
			InputTokens, OutputTokens int
		} `json:"usage"`
	}
	if o := got["text"]; o.Err != nil || json.Unmarshal(o.Output, &resp) != nil || len(resp.Output.Message.Content) == 0 || resp.Usage.InputTokens == 0 {
		t.Fatalf("converse: %+v %s", o.Err, o.Output)
	}
	if o := got["image"]; o.Err == nil || o.Err.Retryable {
		t.Fatalf("image block: %+v", o.Err)
	}
}

func TestRunStopsWhenEmitFails(t *testing.T) {
	r := newRunner(t, runtimeemu.Config{}, "anthropic.claude-3-5-haiku-20241022-v1:0", "InvokeModel")
	var reqs []Request
	for i := range 50 {
		reqs = append(reqs, Request{ID: fmt.Sprint(i), Input: claude(i)})
	}
	n := 0
	err := r.Run(context.Background(), reqs, func(Outcome) error {
		n++
		if n == 3 {
			return fmt.Errorf("disk full")
		}
		return nil
	})
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("Run = %v, want the emit error", err)
	}
}
