package ondemand

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"
)

// Runtime is the part of the Bedrock runtime client the tail uses.
type Runtime interface {
	InvokeModel(ctx context.Context, in *bedrockruntime.InvokeModelInput, optFns ...func(*bedrockruntime.Options)) (*bedrockruntime.InvokeModelOutput, error)
	Converse(ctx context.Context, in *bedrockruntime.ConverseInput, optFns ...func(*bedrockruntime.Options)) (*bedrockruntime.ConverseOutput, error)
}

var _ Runtime = (*bedrockruntime.Client)(nil)

// Request is one record to answer.
type Request struct {
	ID    string          // the caller's key for the record
	Input json.RawMessage // the record's modelInput
}

// Outcome is what became of one record. Exactly one of Output and Err is set.
type Outcome struct {
	ID       string
	Output   json.RawMessage // the model's response body (InvokeModel) or a Converse response
	Err      *Error
	Attempts int // calls made for this record
}

// Error is a failed call, as Bedrock named it.
type Error struct {
	Code      string `json:"code"`    // the Bedrock error type, e.g. ThrottlingException
	Message   string `json:"message"` // Bedrock's message
	Retryable bool   `json:"retryable"`
}

// Runner answers records.
type Runner struct {
	API            Runtime
	ModelID        string
	InvocationType string // InvokeModel or Converse
	Concurrency    int    // calls in flight; at least 1
	MaxAttempts    int    // calls per record; at least 1
	BaseDelay      time.Duration
	MaxDelay       time.Duration
	// Sleep waits between attempts; it returns ctx's error if ctx ends first. Tests pass one
	// that does not wait.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Run answers every request and calls emit once per request, from one goroutine at a time, in no
// particular order. It stops early only if ctx ends or emit fails, and then returns that error.
func (r *Runner) Run(ctx context.Context, reqs []Request, emit func(Outcome) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan Request)
	var (
		mu      sync.Mutex
		emitErr error
		wg      sync.WaitGroup
	)
	for range max(1, r.Concurrency) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for req := range work {
				out := r.answer(ctx, req)
				mu.Lock()
				if emitErr == nil {
					if err := emit(out); err != nil {
						emitErr = err
						cancel()
					}
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, req := range reqs {
		select {
		case work <- req:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if emitErr != nil {
		return emitErr
	}
	return ctx.Err()
}

func (r *Runner) answer(ctx context.Context, req Request) Outcome {
	var last *Error
	attempts := max(1, r.MaxAttempts)
	for attempt := 1; attempt <= attempts; attempt++ {
		out, err := r.call(ctx, req.Input)
		if err == nil {
			return Outcome{ID: req.ID, Output: out, Attempts: attempt}
		}
		last = err
		if !err.Retryable || attempt == attempts {
			return Outcome{ID: req.ID, Err: err, Attempts: attempt}
		}
		if serr := r.Sleep(ctx, r.backoff(attempt)); serr != nil {
			return Outcome{ID: req.ID, Err: &Error{Code: "Canceled", Message: serr.Error(), Retryable: true}, Attempts: attempt}
		}
	}
	return Outcome{ID: req.ID, Err: last, Attempts: attempts}
}

// backoff is exponential with full jitter, capped.
func (r *Runner) backoff(attempt int) time.Duration {
	d := r.BaseDelay << (attempt - 1)
	if d <= 0 || d > r.MaxDelay {
		d = r.MaxDelay
	}
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d)) + 1)
}

func (r *Runner) call(ctx context.Context, input json.RawMessage) (json.RawMessage, *Error) {
	if r.InvocationType == "Converse" {
		return r.converse(ctx, input)
	}
	out, err := r.API.InvokeModel(ctx, &bedrockruntime.InvokeModelInput{
		ModelId: aws.String(r.ModelID), Body: input,
		ContentType: aws.String("application/json"), Accept: aws.String("application/json"),
	})
	if err != nil {
		return nil, classify(err)
	}
	if !json.Valid(out.Body) {
		return nil, &Error{Code: "InvalidResponse", Message: "model response is not JSON", Retryable: true}
	}
	return out.Body, nil
}

// classify names a runtime error and decides whether another attempt may succeed.
func classify(err error) *Error {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return &Error{Code: "RequestError", Message: err.Error(), Retryable: true}
	}
	code := api.ErrorCode()
	switch code {
	case "ThrottlingException", "ModelTimeoutException", "ModelNotReadyException", "ServiceUnavailableException",
		"InternalServerException", "ModelErrorException", "ServiceQuotaExceededException":
		return &Error{Code: code, Message: api.ErrorMessage(), Retryable: true}
	}
	return &Error{Code: code, Message: api.ErrorMessage(), Retryable: api.ErrorFault() == smithy.FaultServer}
}

// converseBody is the Converse request body of a Converse-type batch record (reference §8).
type converseBody struct {
	Messages []struct {
		Role    string            `json:"role"`
		Content []json.RawMessage `json:"content"`
	} `json:"messages"`
	System          []json.RawMessage `json:"system"`
	InferenceConfig *struct {
		MaxTokens     *int32   `json:"maxTokens"`
		Temperature   *float32 `json:"temperature"`
		TopP          *float32 `json:"topP"`
		StopSequences []string `json:"stopSequences"`
	} `json:"inferenceConfig"`
	AdditionalModelRequestFields map[string]any `json:"additionalModelRequestFields"`
}

func invalid(format string, args ...any) *Error {
	return &Error{Code: "ValidationException", Message: fmt.Sprintf(format, args...)}
}

// textOf returns the text of a {"text": ...} block and false for any other block.
func textOf(block json.RawMessage) (string, bool) {
	var b map[string]json.RawMessage
	if json.Unmarshal(block, &b) != nil || len(b) != 1 {
		return "", false
	}
	var s string
	if raw, ok := b["text"]; ok && json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	return "", false
}

func (r *Runner) converse(ctx context.Context, input json.RawMessage) (json.RawMessage, *Error) {
	var body converseBody
	if err := json.Unmarshal(input, &body); err != nil {
		return nil, invalid("converse body: %v", err)
	}
	in := &bedrockruntime.ConverseInput{ModelId: aws.String(r.ModelID)}
	for i, m := range body.Messages {
		msg := types.Message{Role: types.ConversationRole(m.Role)}
		for j, block := range m.Content {
			text, ok := textOf(block)
			if !ok {
				return nil, invalid("messages[%d].content[%d]: the on-demand tail supports text content only", i, j)
			}
			msg.Content = append(msg.Content, &types.ContentBlockMemberText{Value: text})
		}
		in.Messages = append(in.Messages, msg)
	}
	for i, block := range body.System {
		text, ok := textOf(block)
		if !ok {
			return nil, invalid("system[%d]: the on-demand tail supports text system prompts only", i)
		}
		in.System = append(in.System, &types.SystemContentBlockMemberText{Value: text})
	}
	if c := body.InferenceConfig; c != nil {
		in.InferenceConfig = &types.InferenceConfiguration{MaxTokens: c.MaxTokens, Temperature: c.Temperature, TopP: c.TopP, StopSequences: c.StopSequences}
	}
	if body.AdditionalModelRequestFields != nil {
		in.AdditionalModelRequestFields = document.NewLazyDocument(body.AdditionalModelRequestFields)
	}
	out, err := r.API.Converse(ctx, in)
	if err != nil {
		return nil, classify(err)
	}
	resp := map[string]any{"stopReason": string(out.StopReason)}
	if msg, ok := out.Output.(*types.ConverseOutputMemberMessage); ok {
		var content []map[string]string
		for _, c := range msg.Value.Content {
			if t, ok := c.(*types.ContentBlockMemberText); ok {
				content = append(content, map[string]string{"text": t.Value})
			}
		}
		resp["output"] = map[string]any{"message": map[string]any{"role": string(msg.Value.Role), "content": content}}
	}
	if u := out.Usage; u != nil {
		resp["usage"] = map[string]any{"inputTokens": aws.ToInt32(u.InputTokens), "outputTokens": aws.ToInt32(u.OutputTokens), "totalTokens": aws.ToInt32(u.TotalTokens)}
	}
	if m := out.Metrics; m != nil {
		resp["metrics"] = map[string]any{"latencyMs": aws.ToInt64(m.LatencyMs)}
	}
	b, merr := json.Marshal(resp)
	if merr != nil {
		return nil, &Error{Code: "InvalidResponse", Message: merr.Error()}
	}
	return b, nil
}

// SleepContext waits for d or until ctx ends, for Runner.Sleep on the real clock.
func SleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
