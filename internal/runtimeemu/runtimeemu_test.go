package runtimeemu

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/bedrock-batch/bedrock-batch/internal/fakemodel"
	"github.com/bedrock-batch/bedrock-batch/internal/faults"
)

// recorder keeps the headers of the last HTTP response the SDK received, and the status of every
// response the SDK read whole. It has a transport of its own: http.DefaultTransport is shared by
// every test in the binary, and closing any httptest server closes its idle connections.
type recorder struct {
	mu        sync.Mutex
	header    http.Header
	status    []int
	transport *http.Transport
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.transport.RoundTrip(req)
	if err == nil {
		r.mu.Lock()
		r.header = resp.Header.Clone()
		r.mu.Unlock()
		resp.Body = &statusBody{ReadCloser: resp.Body, r: r, status: resp.StatusCode}
	}
	return resp, err
}

// statusBody records its response's status once the body has been read without error, to its
// end or until the SDK closed it: a response whose read failed is an attempt the SDK makes again.
type statusBody struct {
	io.ReadCloser
	r        *recorder
	status   int
	failed   bool
	recorded bool
}

func (b *statusBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case errors.Is(err, io.EOF):
		b.record()
	case err != nil:
		b.failed = true
	}
	return n, err
}

func (b *statusBody) Close() error {
	b.record()
	return b.ReadCloser.Close()
}

func (b *statusBody) record() {
	if b.failed || b.recorded {
		return
	}
	b.recorded = true
	b.r.mu.Lock()
	b.r.status = append(b.r.status, b.status)
	b.r.mu.Unlock()
}

// newClient starts the emulator with cfg and returns a real bedrockruntime client pointed at it.
// retryer nil means one attempt per call, except that a call whose response could not be read
// because the client's own transport closed the connection under it ("use of closed network
// connection": net/http's write loop tears the connection down when reading the request body
// fails after the response has come) is made again, as the SDK's standard retryer does in
// production (aws-sdk-go-v2 issue 2737).
func newClient(t *testing.T, cfg Config, retryer aws.Retryer) (*bedrockruntime.Client, *recorder) {
	t.Helper()
	srv := httptest.NewServer(New(cfg))
	t.Cleanup(srv.Close)
	if retryer == nil {
		retryer = retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
			o.Backoff = noBackoff{}
			o.RateLimiter = ratelimit.None
		})
	}
	rec := &recorder{transport: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(rec.transport.CloseIdleConnections)
	client := bedrockruntime.New(bedrockruntime.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer:      retryer,
		HTTPClient:   &http.Client{Transport: rec},
	})
	return client, rec
}

func TestInvokeModelEveryFamily(t *testing.T) {
	client, rec := newClient(t, Config{}, nil)
	tests := []struct {
		name, model, body string
		key               string // a member the response must carry
	}{
		{"claude", "anthropic.claude-3-5-haiku-20241022-v1:0", `{"anthropic_version":"bedrock-2023-05-31","max_tokens":50,"messages":[{"role":"user","content":[{"type":"text","text":"Classify: late parcel"}]}]}`, "usage"},
		{"claude profile arn", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0", `{"anthropic_version":"bedrock-2023-05-31","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}`, "usage"},
		{"application profile arn", "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6", `{"anthropic_version":"bedrock-2023-05-31","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}`, "usage"},
		{"nova", "us.amazon.nova-lite-v1:0", `{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"max_new_tokens":20}}`, "output"},
		{"titan", "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0", `{"inputText":"hello","dimensions":256}`, "embedding"},
		{"titan text", "amazon.titan-text-express-v1", `{"inputText":"hello","textGenerationConfig":{"maxTokenCount":20}}`, "results"},
		{"cohere", "cohere.embed-multilingual-v3", `{"texts":["hello"],"input_type":"search_query"}`, "embeddings"},
		{"llama", "meta.llama3-3-70b-instruct-v1:0", `{"prompt":"hello","max_gen_len":20}`, "generation"},
		{"mistral text", "mistral.mistral-small-2402-v1:0", `{"prompt":"<s>[INST] hello [/INST]"}`, "outputs"},
		{"mistral chat", "mistral.mistral-large-2407-v1:0", `{"messages":[{"role":"user","content":"hello"}]}`, "choices"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := client.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
				ModelId:     aws.String(tc.model),
				ContentType: aws.String("application/json"),
				Accept:      aws.String("application/json"),
				Body:        []byte(tc.body),
			})
			if err != nil {
				t.Fatalf("InvokeModel: %v", err)
			}
			want, usage, err := fakemodel.InvokeUsage(tc.model, fakemodel.InvocationInvokeModel, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if string(out.Body) != string(want) {
				t.Errorf("body = %s, want the fake model's %s", out.Body, want)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(out.Body, &m); err != nil || m[tc.key] == nil {
				t.Errorf("body lacks %q: %s", tc.key, out.Body)
			}
			if aws.ToString(out.ContentType) != "application/json" {
				t.Errorf("ContentType = %q", aws.ToString(out.ContentType))
			}
			h := rec.header
			if h.Get("X-Amzn-Bedrock-Input-Token-Count") != strconv.Itoa(usage.InputTokens) ||
				h.Get("X-Amzn-Bedrock-Output-Token-Count") != strconv.Itoa(usage.OutputTokens) {
				t.Errorf("token headers = %q/%q, want %d/%d", h.Get("X-Amzn-Bedrock-Input-Token-Count"),
					h.Get("X-Amzn-Bedrock-Output-Token-Count"), usage.InputTokens, usage.OutputTokens)
			}
			if _, err := strconv.Atoi(h.Get("X-Amzn-Bedrock-Invocation-Latency")); err != nil {
				t.Errorf("invocation latency header %q: %v", h.Get("X-Amzn-Bedrock-Invocation-Latency"), err)
			}
			if h.Get("X-Amzn-Requestid") == "" {
				t.Error("no request id")
			}
		})
	}
}

func TestConverse(t *testing.T) {
	client, _ := newClient(t, Config{}, nil)
	for _, model := range []string{
		"anthropic.claude-3-haiku-20240307-v1:0",
		"arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0",
		"meta.llama3-1-8b-instruct-v1:0",
	} {
		t.Run(model, func(t *testing.T) {
			out, err := client.Converse(context.Background(), &bedrockruntime.ConverseInput{
				ModelId: aws.String(model),
				System:  []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: "abcd"}},
				Messages: []types.Message{{
					Role:    types.ConversationRoleUser,
					Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "abcd efgh ijkl mnop"}},
				}},
				InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(3)},
			})
			if err != nil {
				t.Fatalf("Converse: %v", err)
			}
			msg, ok := out.Output.(*types.ConverseOutputMemberMessage)
			if !ok {
				t.Fatalf("output is %T, want message", out.Output)
			}
			if msg.Value.Role != types.ConversationRoleAssistant || len(msg.Value.Content) != 1 {
				t.Fatalf("message = %+v", msg.Value)
			}
			if _, ok := msg.Value.Content[0].(*types.ContentBlockMemberText); !ok {
				t.Errorf("content is %T, want text", msg.Value.Content[0])
			}
			// 4 + 19 runes = 23 → 6 tokens in; the reply is cut to maxTokens 3.
			u := out.Usage
			if aws.ToInt32(u.InputTokens) != 6 || aws.ToInt32(u.OutputTokens) != 3 || aws.ToInt32(u.TotalTokens) != 9 {
				t.Errorf("usage = %d/%d/%d, want 6/3/9", aws.ToInt32(u.InputTokens), aws.ToInt32(u.OutputTokens), aws.ToInt32(u.TotalTokens))
			}
			if out.StopReason != types.StopReasonMaxTokens {
				t.Errorf("stopReason = %q", out.StopReason)
			}
			if out.Metrics == nil || out.Metrics.LatencyMs == nil {
				t.Error("no metrics.latencyMs")
			}
		})
	}
}

func TestErrors(t *testing.T) {
	claude := `{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`
	force := func(typ string, status int) Config {
		return Config{Fault: func(Call) *fakemodel.Error {
			return &fakemodel.Error{Status: status, Type: typ, Message: "forced " + typ}
		}}
	}
	tests := []struct {
		name   string
		cfg    Config
		model  string
		body   string
		status int
		check  func(error) bool
	}{
		{"throttling", force("ThrottlingException", 429), "anthropic.claude-3-haiku-20240307-v1:0", claude, 429,
			func(err error) bool { var e *types.ThrottlingException; return errors.As(err, &e) }},
		{"model timeout", force("ModelTimeoutException", 408), "anthropic.claude-3-haiku-20240307-v1:0", claude, 408,
			func(err error) bool { var e *types.ModelTimeoutException; return errors.As(err, &e) }},
		{"internal", force("InternalServerException", 500), "anthropic.claude-3-haiku-20240307-v1:0", claude, 500,
			func(err error) bool { var e *types.InternalServerException; return errors.As(err, &e) }},
		{"unavailable", force("ServiceUnavailableException", 503), "anthropic.claude-3-haiku-20240307-v1:0", claude, 503,
			func(err error) bool { var e *types.ServiceUnavailableException; return errors.As(err, &e) }},
		{"schema break", Config{}, "anthropic.claude-3-haiku-20240307-v1:0", `{"anthropic_version":"bedrock-2023-05-31","messages":[]}`, 400,
			func(err error) bool {
				var e *types.ValidationException
				return errors.As(err, &e) && e.ErrorMessage() == "Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again."
			}},
		{"unknown model", Config{}, "anthropic.claude-9-v1:0", claude, 404,
			func(err error) bool { var e *types.ResourceNotFoundException; return errors.As(err, &e) }},
		{"permanent fraction", Config{Invalid: 1}, "anthropic.claude-3-haiku-20240307-v1:0", claude, 400,
			func(err error) bool { var e *types.ValidationException; return errors.As(err, &e) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client, rec := newClient(t, tc.cfg, nil)
			_, err := client.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
				ModelId: aws.String(tc.model), ContentType: aws.String("application/json"), Body: []byte(tc.body),
			})
			if err == nil || !tc.check(err) {
				t.Fatalf("err = %v (%T), want the typed error", err, err)
			}
			if len(rec.status) != 1 || rec.status[0] != tc.status {
				t.Errorf("statuses = %v, want one %d", rec.status, tc.status)
			}
			if rec.header.Get("X-Amzn-Errortype") == "" || rec.header.Get("X-Amzn-Requestid") == "" {
				t.Errorf("headers = %v, want X-Amzn-ErrorType and x-amzn-RequestId", rec.header)
			}
		})
	}
	t.Run("converse validation", func(t *testing.T) {
		client, _ := newClient(t, Config{}, nil)
		_, err := client.Converse(context.Background(), &bedrockruntime.ConverseInput{
			ModelId: aws.String("amazon.titan-embed-text-v2:0"),
			Messages: []types.Message{{Role: types.ConversationRoleUser,
				Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "x"}}}},
		})
		var e *types.ValidationException
		if !errors.As(err, &e) {
			t.Fatalf("err = %v, want ValidationException", err)
		}
	})
}

type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

func TestFaultFractionsDeterministic(t *testing.T) {
	cfg := Config{Throttle: 0.2, ModelTimeout: 0.2, ServerError: 0.2, Seed: 7}
	outcomes := func() []string {
		client, _ := newClient(t, cfg, nil)
		var got []string
		for i := range 40 {
			body := `{"prompt":"record ` + strconv.Itoa(i%10) + `"}`
			_, err := client.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
				ModelId: aws.String("meta.llama3-1-8b-instruct-v1:0"), ContentType: aws.String("application/json"), Body: []byte(body),
			})
			var code string
			var ae interface{ ErrorCode() string }
			switch {
			case err == nil:
				code = "ok"
			case errors.As(err, &ae):
				code = ae.ErrorCode()
			default:
				t.Fatalf("untyped error: %v", err)
			}
			got = append(got, code)
		}
		return got
	}
	first, second := outcomes(), outcomes()
	counts := map[string]int{}
	for i := range first {
		if first[i] != second[i] {
			t.Fatalf("call %d: %s then %s with the same seed", i, first[i], second[i])
		}
		counts[first[i]]++
	}
	for _, code := range []string{"ok", "ThrottlingException", "ModelTimeoutException"} {
		if counts[code] == 0 {
			t.Errorf("no %s in 40 calls at these fractions: %v", code, counts)
		}
	}
	if counts["InternalServerException"]+counts["ServiceUnavailableException"] == 0 {
		t.Errorf("no 5xx in 40 calls: %v", counts)
	}
}

func TestRetryAfterForcedThrottle(t *testing.T) {
	cfg := Config{Fault: func(c Call) *fakemodel.Error {
		if c.Attempt == 1 {
			return &fakemodel.Error{Status: 429, Type: "ThrottlingException", Message: "slow down"}
		}
		return nil
	}}
	retryer := retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.Backoff = noBackoff{}
		o.RateLimiter = ratelimit.None
	})
	client, rec := newClient(t, cfg, retryer)
	_, err := client.Converse(context.Background(), &bedrockruntime.ConverseInput{
		ModelId: aws.String("amazon.nova-micro-v1:0"),
		Messages: []types.Message{{Role: types.ConversationRoleUser,
			Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "x"}}}},
	})
	if err != nil {
		t.Fatalf("Converse after one throttle: %v", err)
	}
	if len(rec.status) != 2 || rec.status[0] != 429 || rec.status[1] != 200 {
		t.Errorf("statuses = %v, want [429 200]", rec.status)
	}
}

func TestFromFaults(t *testing.T) {
	spec, err := faults.Parse("record-retryable=0.3,record-permanent=0.1,seed=9")
	if err != nil {
		t.Fatal(err)
	}
	cfg := FromFaults(spec)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(cfg.Throttle, 0.1) || !near(cfg.ModelTimeout, 0.1) || !near(cfg.ServerError, 0.1) || cfg.Invalid != 0.1 || cfg.Seed != 9 {
		t.Errorf("FromFaults = %+v", cfg)
	}
}

func TestRouting(t *testing.T) {
	srv := httptest.NewServer(New(Config{}))
	defer srv.Close()
	tests := []struct {
		name, method, path, contentType string
		status                          int
		errType                         string
	}{
		{"unknown operation", http.MethodPost, "/model/amazon.nova-lite-v1:0/invoke-with-response-stream", "application/json", 404, "UnknownOperationException"},
		{"wrong method", http.MethodGet, "/model/amazon.nova-lite-v1:0/invoke", "", 404, "UnknownOperationException"},
		{"bad content type", http.MethodPost, "/model/amazon.nova-lite-v1:0/invoke", "text/plain", 400, "ValidationException"},
		{"escaped profile arn", http.MethodPost, "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.amazon.nova-lite-v1%3A0/invoke", "application/json", 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(`{"messages":[{"role":"user","content":[{"text":"x"}]}]}`))
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status || resp.Header.Get("X-Amzn-ErrorType") != tc.errType {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), tc.status, tc.errType)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	client, _ := newClient(t, Config{Latency: time.Millisecond}, nil)
	in := &bedrockruntime.InvokeModelInput{
		ModelId: aws.String("amazon.titan-embed-text-v2:0"), ContentType: aws.String("application/json"), Body: []byte(`{"inputText":"x"}`),
	}
	if _, err := client.InvokeModel(context.Background(), in); err != nil {
		t.Fatalf("InvokeModel with latency: %v", err)
	}
	// A request whose caller went away stops waiting: with an hour of latency this returns at
	// once, writing nothing (a handler that ignored cancellation would hang the test).
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/model/amazon.titan-embed-text-v2:0/invoke", strings.NewReader(`{"inputText":"x"}`))
	w := httptest.NewRecorder()
	New(Config{Latency: time.Hour}).ServeHTTP(w, req)
	if w.Body.Len() != 0 {
		t.Errorf("cancelled call answered %s", w.Body)
	}
}

func TestInvokeModelWithoutContentType(t *testing.T) {
	// Without ContentType the SDK sends application/octet-stream; Bedrock still reads JSON.
	client, _ := newClient(t, Config{}, nil)
	out, err := client.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
		ModelId: aws.String("amazon.nova-micro-v1:0"),
		Body:    []byte(`{"messages":[{"role":"user","content":[{"text":"x"}]}]}`),
	})
	if err != nil {
		t.Fatalf("InvokeModel: %v", err)
	}
	if !json.Valid(out.Body) {
		t.Errorf("body %s is not JSON", out.Body)
	}
}
