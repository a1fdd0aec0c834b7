package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type QuotaError struct{ Model string }

func (e QuotaError) Error() string { return "quota exceeded for " + e.Model }

type JobFailedError struct{ JobARN string }

func (e *JobFailedError) Error() string { return "job failed: " + e.JobARN }

// The aws-lambda-go rule (lambda/errors.go): the Go type name, one pointer level stripped.
func TestErrorTypeName(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"errors.New", errors.New("x"), "errorString"},
		{"fmt.Errorf without wrap", fmt.Errorf("x %d", 1), "errorString"},
		{"fmt.Errorf with wrap", fmt.Errorf("ctx: %w", QuotaError{}), "wrapError"},
		{"value type", QuotaError{}, "QuotaError"},
		{"pointer type", &JobFailedError{}, "JobFailedError"},
		{"invoke response error", messages.InvokeResponse_Error{Type: "Custom.Name", Message: "m"}, "Custom.Name"},
		{"context canceled", context.Canceled, "errorString"},
		{"deadline exceeded", context.DeadlineExceeded, "deadlineExceededError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorTypeName(tt.err); got != tt.want {
				t.Errorf("ErrorTypeName = %q, want %q", got, tt.want)
			}
		})
	}
}

const invokeTask = `"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"fn","Payload.$":"$"}`

// lambda:invoke returns the Invoke API response shape ("Invoke Lambda with Step Functions").
func TestLambdaInvokeResult(t *testing.T) {
	var gotCtx *lambdacontext.LambdaContext
	fns := map[string]Handler{"fn": func(ctx context.Context, p json.RawMessage) (json.RawMessage, error) {
		gotCtx, _ = lambdacontext.FromContext(ctx)
		return json.RawMessage(`{"doubled":` + string(p) + `}`), nil
	}}
	def := `{"StartAt":"T","States":{"T":{` + invokeTask + `,"End":true}}}`
	s, x := runDef(t, Config{Functions: fns}, def, `{"n":1}`)
	if s.Status != StatusSucceeded {
		t.Fatalf("%s %s %s", s.Status, s.Error, s.Cause)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(s.Output), &out); err != nil {
		t.Fatal(err)
	}
	if out["StatusCode"] != 200.0 || out["ExecutedVersion"] != "$LATEST" {
		t.Errorf("StatusCode/ExecutedVersion = %v/%v", out["StatusCode"], out["ExecutedVersion"])
	}
	payload, _ := json.Marshal(out["Payload"])
	if string(payload) != `{"doubled":{"n":1}}` {
		t.Errorf("Payload = %s", payload)
	}
	meta, _ := out["SdkHttpMetadata"].(map[string]any)
	if meta["HttpStatusCode"] != 200.0 {
		t.Errorf("SdkHttpMetadata = %v", meta)
	}
	if rm, _ := out["SdkResponseMetadata"].(map[string]any); rm["RequestId"] == "" || rm["RequestId"] == nil {
		t.Errorf("SdkResponseMetadata = %v", rm)
	}
	if gotCtx == nil || gotCtx.InvokedFunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:fn" || gotCtx.AwsRequestID == "" {
		t.Errorf("lambda context = %+v", gotCtx)
	}
	want := "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSucceeded,TaskStateExited,ExecutionSucceeded"
	if got := strings.Join(eventTypes(x), ","); got != want {
		t.Errorf("events %s\nwant   %s", got, want)
	}
	h := x.History()
	if h[2].ResourceType != "lambda" || h[2].Resource != "invoke" || !strings.Contains(h[2].Parameters, `"FunctionName":"fn"`) {
		t.Errorf("TaskScheduled = %+v", h[2])
	}
	for i, e := range h {
		if e.ID != int64(i+1) || e.PreviousEventID != int64(i) {
			t.Errorf("event %d: id %d previous %d", i, e.ID, e.PreviousEventID)
		}
	}
}

func TestLambdaInvokeDefaults(t *testing.T) {
	var got string
	fns := map[string]Handler{"fn": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
		got = string(p)
		return nil, nil
	}}
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"arn:aws:lambda:us-east-1:123456789012:function:fn:live"},
		"ResultSelector":{"p.$":"$.Payload","code.$":"$.StatusCode"},"ResultPath":"$.r","End":true}}}`
	s, _ := runDef(t, Config{Functions: fns}, def, `{"keep":1}`)
	if s.Status != StatusSucceeded {
		t.Fatalf("%s %s", s.Status, s.Cause)
	}
	if got != "{}" {
		t.Errorf("payload without Payload parameter = %s, want {}", got)
	}
	jsonEqual(t, s.Output, `{"keep":1,"r":{"p":null,"code":200}}`)
}

func TestLambdaFunctionARNResource(t *testing.T) {
	fns := map[string]Handler{"fn": echo}
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:fn","Parameters":{"x.$":"$.a"},"End":true}}}`
	s, x := runDef(t, Config{Functions: fns}, def, `{"a":3}`)
	if s.Status != StatusSucceeded {
		t.Fatalf("%s %s", s.Status, s.Cause)
	}
	jsonEqual(t, s.Output, `{"x":3}`)
	want := "ExecutionStarted,TaskStateEntered,LambdaFunctionScheduled,LambdaFunctionStarted,LambdaFunctionSucceeded,TaskStateExited,ExecutionSucceeded"
	if got := strings.Join(eventTypes(x), ","); got != want {
		t.Errorf("events %s\nwant   %s", got, want)
	}
}

// failing returns a handler that fails with errs[i] on call i and succeeds after them.
func failing(errs ...error) (Handler, *[]string) {
	var mu sync.Mutex
	var payloads []string
	n := 0
	return func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
		mu.Lock()
		defer mu.Unlock()
		payloads = append(payloads, string(p))
		n++
		if n <= len(errs) {
			return nil, errs[n-1]
		}
		return json.RawMessage(`"ok"`), nil
	}, &payloads
}

// Retry and Catch rules from "Handling errors in Step Functions workflows".
func TestRetryAndCatch(t *testing.T) {
	quota := QuotaError{Model: "m"}
	tests := []struct {
		name       string
		errs       []error
		retry      string
		catch      string
		wantStatus string
		wantOutput string // for SUCCEEDED
		wantError  string // for FAILED
		wantCalls  int
	}{
		{"no retry fails", []error{quota}, ``, ``, StatusFailed, "", "QuotaError", 1},
		{"retry by type name", []error{quota, quota}, `[{"ErrorEquals":["QuotaError"]}]`, ``, StatusSucceeded, `"ok"`, "", 3},
		{"max attempts exhausted", []error{quota, quota, quota}, `[{"ErrorEquals":["QuotaError"],"MaxAttempts":2}]`, ``, StatusFailed, "", "QuotaError", 3},
		{"max attempts zero never retries", []error{quota}, `[{"ErrorEquals":["QuotaError"],"MaxAttempts":0}]`, ``, StatusFailed, "", "QuotaError", 1},
		{"wrapped error is wrapError", []error{fmt.Errorf("submit: %w", quota)}, `[{"ErrorEquals":["QuotaError"]}]`, ``, StatusFailed, "", "wrapError", 1},
		{"errors.New is errorString", []error{errors.New("x")}, `[{"ErrorEquals":["errorString"]}]`, ``, StatusSucceeded, `"ok"`, "", 2},
		{"States.ALL retries", []error{&JobFailedError{}}, `[{"ErrorEquals":["States.ALL"]}]`, ``, StatusSucceeded, `"ok"`, "", 2},
		{"States.TaskFailed retries", []error{&JobFailedError{}}, `[{"ErrorEquals":["States.TaskFailed"]}]`, ``, StatusSucceeded, `"ok"`, "", 2},
		{"non-matching retrier", []error{&JobFailedError{}}, `[{"ErrorEquals":["QuotaError"]}]`, ``, StatusFailed, "", "JobFailedError", 1},
		{"first matching retrier decides", []error{quota, quota}, `[{"ErrorEquals":["QuotaError"],"MaxAttempts":1},{"ErrorEquals":["States.ALL"],"MaxAttempts":5}]`, ``, StatusFailed, "", "QuotaError", 2},
		{"separate counters per retrier", []error{quota, &JobFailedError{}, quota}, `[{"ErrorEquals":["QuotaError"],"MaxAttempts":2},{"ErrorEquals":["JobFailedError"],"MaxAttempts":1}]`, ``, StatusSucceeded, `"ok"`, "", 4},
		{"catch after retries", []error{quota, quota}, `[{"ErrorEquals":["QuotaError"],"MaxAttempts":1}]`, `[{"ErrorEquals":["QuotaError"],"Next":"Caught"}]`, StatusSucceeded,
			`{"Error":"QuotaError","Cause":"{\"errorMessage\":\"quota exceeded for m\",\"errorType\":\"QuotaError\"}"}`, "", 2},
		{"catch result path keeps input", []error{quota}, ``, `[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Caught"}]`, StatusSucceeded,
			`{"in":1,"error":{"Error":"QuotaError","Cause":"{\"errorMessage\":\"quota exceeded for m\",\"errorType\":\"QuotaError\"}"}}`, "", 1},
		{"catch result path null", []error{quota}, ``, `[{"ErrorEquals":["QuotaError"],"ResultPath":null,"Next":"Caught"}]`, StatusSucceeded, `{"in":1}`, "", 1},
		{"first matching catcher", []error{quota}, ``, `[{"ErrorEquals":["Other"],"Next":"Other"},{"ErrorEquals":["QuotaError","X"],"ResultPath":"$.c","Next":"Caught"},{"ErrorEquals":["States.ALL"],"Next":"Other"}]`, StatusSucceeded,
			`{"in":1,"c":{"Error":"QuotaError","Cause":"{\"errorMessage\":\"quota exceeded for m\",\"errorType\":\"QuotaError\"}"}}`, "", 1},
		{"catch TaskFailed", []error{&JobFailedError{}}, ``, `[{"ErrorEquals":["States.TaskFailed"],"ResultPath":null,"Next":"Caught"}]`, StatusSucceeded, `{"in":1}`, "", 1},
		{"invoke response error name", []error{messages.InvokeResponse_Error{Type: "Lambda.TooManyRequestsException", Message: "slow down"}}, `[{"ErrorEquals":["Lambda.TooManyRequestsException"]}]`, ``, StatusSucceeded, `"ok"`, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, calls := failing(tt.errs...)
			extra := ""
			if tt.retry != "" {
				extra += `,"Retry":` + tt.retry
			}
			if tt.catch != "" {
				extra += `,"Catch":` + tt.catch
			}
			def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"fn","Payload.$":"$"},
				"ResultSelector":{"v.$":"$.Payload"},"OutputPath":"$.v","End":true` + extra + `},
				"Caught":{"Type":"Pass","End":true},"Other":{"Type":"Fail","Error":"WrongCatcher"}}}`
			if tt.catch == "" {
				def = strings.Replace(def, `,
				"Caught":{"Type":"Pass","End":true},"Other":{"Type":"Fail","Error":"WrongCatcher"}`, "", 1)
			} else if !strings.Contains(tt.catch, `"Other"`) {
				def = strings.Replace(def, `,"Other":{"Type":"Fail","Error":"WrongCatcher"}`, "", 1)
			}
			s, x := runDef(t, Config{Functions: map[string]Handler{"fn": h}}, def, `{"in":1}`)
			if s.Status != tt.wantStatus {
				t.Fatalf("status %s %s %s, want %s\n%s", s.Status, s.Error, s.Cause, tt.wantStatus, trace(x))
			}
			if tt.wantStatus == StatusSucceeded {
				jsonEqual(t, s.Output, tt.wantOutput)
			} else if s.Error != tt.wantError {
				t.Errorf("error %s, want %s", s.Error, tt.wantError)
			}
			if len(*calls) != tt.wantCalls {
				t.Errorf("handler called %d times, want %d", len(*calls), tt.wantCalls)
			}
		})
	}
}

// Retry delays: IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds; FULL jitter never
// exceeds the computed delay. $$.State.RetryCount counts the retries.
func TestRetryTiming(t *testing.T) {
	tests := []struct {
		name  string
		retry string
		want  []time.Duration // gaps between attempts
	}{
		{"defaults", `{"ErrorEquals":["States.ALL"]}`, []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second}},
		{"interval and backoff", `{"ErrorEquals":["States.ALL"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":3}`, []time.Duration{2 * time.Second, 6 * time.Second, 18 * time.Second}},
		{"max delay", `{"ErrorEquals":["States.ALL"],"IntervalSeconds":10,"BackoffRate":10,"MaxDelaySeconds":60,"MaxAttempts":3}`, []time.Duration{10 * time.Second, 60 * time.Second, 60 * time.Second}},
		{"backoff one", `{"ErrorEquals":["States.ALL"],"IntervalSeconds":3600,"BackoffRate":1,"MaxAttempts":2}`, []time.Duration{time.Hour, time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, clk := newTestEngine(t, Config{})
			var mu sync.Mutex
			var at []time.Time
			var counts []string
			e.cfg.Functions = map[string]Handler{"fn": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
				mu.Lock()
				defer mu.Unlock()
				at = append(at, clk.Now())
				counts = append(counts, string(p))
				return nil, errors.New("always")
			}}
			def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"fn","Payload":{"n.$":"$$.State.RetryCount"}},"Retry":[` + tt.retry + `],"End":true}}}`
			s, _ := runOn(t, e, def, `{}`)
			if s.Status != StatusFailed {
				t.Fatalf("status %s", s.Status)
			}
			if len(at) != len(tt.want)+1 {
				t.Fatalf("%d attempts, want %d", len(at), len(tt.want)+1)
			}
			for i, want := range tt.want {
				if got := at[i+1].Sub(at[i]); got != want {
					t.Errorf("gap %d = %v, want %v", i, got, want)
				}
				if counts[i+1] != fmt.Sprintf(`{"n":%d}`, i+1) {
					t.Errorf("attempt %d payload %s", i+1, counts[i+1])
				}
			}
		})
	}
	t.Run("full jitter", func(t *testing.T) {
		r := Retrier{IntervalSeconds: 10, BackoffRate: 2, JitterStrategy: "FULL"}
		for attempt := range 5 {
			max := time.Duration(10*(1<<attempt)) * time.Second
			if d := retryDelay(r, attempt); d < 0 || d > max {
				t.Errorf("attempt %d delay %v outside [0, %v]", attempt, d, max)
			}
		}
	})
}

// waitForTaskToken: "Wait for a Callback with Task Token".
func TestWaitForTaskToken(t *testing.T) {
	var e *Engine
	e, _ = newTestEngine(t, Config{})
	e.cfg.Functions = map[string]Handler{"submit": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
		var in struct{ Token, Job string }
		if err := json.Unmarshal(p, &in); err != nil {
			return nil, err
		}
		if err := e.SendTaskSuccess(in.Token, []byte(`{"job":"`+in.Job+`","status":"Completed"}`)); err != nil {
			return nil, err
		}
		return json.RawMessage(`{"submitted":true}`), nil
	}}
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Parameters":{"FunctionName":"submit","Payload":{"Token.$":"$$.Task.Token","Job.$":"$.job"}},"HeartbeatSeconds":60,"ResultPath":"$.result","End":true}}}`
	s, x := runOn(t, e, def, `{"job":"j1"}`)
	if s.Status != StatusSucceeded {
		t.Fatalf("%s %s %s\n%s", s.Status, s.Error, s.Cause, trace(x))
	}
	jsonEqual(t, s.Output, `{"job":"j1","result":{"job":"j1","status":"Completed"}}`)
	types := strings.Join(eventTypes(x), ",")
	if !strings.Contains(types, "TaskScheduled,TaskStarted") || !strings.Contains(types, "TaskSucceeded,TaskStateExited") {
		t.Errorf("events %s", types)
	}
}

// A heartbeat timeout is retried with a new token; the old token is then TaskTimedOut.
func TestHeartbeatTimeoutRetry(t *testing.T) {
	e, clk := newTestEngine(t, Config{})
	var mu sync.Mutex
	var tokens []string
	var at []time.Time
	e.cfg.Functions = map[string]Handler{"submit": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
		var in struct{ Token string }
		if err := json.Unmarshal(p, &in); err != nil {
			return nil, err
		}
		mu.Lock()
		tokens = append(tokens, in.Token)
		at = append(at, clk.Now())
		n := len(tokens)
		mu.Unlock()
		if n == 3 {
			if err := e.SendTaskSuccess(in.Token, []byte(`"done"`)); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}}
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Parameters":{"FunctionName":"submit","Payload":{"Token.$":"$$.Task.Token"}},"HeartbeatSeconds":300,
		"Retry":[{"ErrorEquals":["States.HeartbeatTimeout"],"IntervalSeconds":1,"BackoffRate":1,"MaxAttempts":5}],"End":true}}}`
	s, x := runOn(t, e, def, `{}`)
	if s.Status != StatusSucceeded || s.Output != `"done"` {
		t.Fatalf("%s %s %s %s\n%s", s.Status, s.Output, s.Error, s.Cause, trace(x))
	}
	if len(tokens) != 3 || tokens[0] == tokens[1] || tokens[1] == tokens[2] {
		t.Fatalf("tokens %v", tokens)
	}
	for i := 1; i < 3; i++ {
		if gap := at[i].Sub(at[i-1]); gap != 301*time.Second {
			t.Errorf("attempt gap %v, want 301s", gap)
		}
	}
	if err := e.SendTaskSuccess(tokens[0], []byte(`{}`)); !errors.Is(err, ErrTaskTimedOut) {
		t.Errorf("old token: %v, want ErrTaskTimedOut", err)
	}
	if err := e.SendTaskHeartbeat(tokens[2]); !errors.Is(err, ErrTaskTimedOut) {
		t.Errorf("used token heartbeat: %v, want ErrTaskTimedOut", err)
	}
	n := strings.Count(strings.Join(eventTypes(x), ","), "TaskTimedOut")
	if n != 2 {
		t.Errorf("%d TaskTimedOut events, want 2", n)
	}
	for _, ev := range x.History() {
		if ev.Type == "TaskTimedOut" && ev.Error != ErrHeartbeatTimeout {
			t.Errorf("TaskTimedOut error %s", ev.Error)
		}
	}
}

// With a manual clock: heartbeats restart HeartbeatSeconds; silence times the task out.
func TestHeartbeatResets(t *testing.T) {
	tests := []struct {
		name      string
		heartbeat bool
		want      string
		wantErr   string
	}{
		{"heartbeat keeps the task alive", true, StatusSucceeded, ""},
		{"silence times out", false, StatusFailed, ErrHeartbeatTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := NewFakeClock(testStart, false)
			tokens := make(chan string, 1)
			e := New(Config{Clock: clk, Functions: map[string]Handler{"f": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
				var in struct{ Token string }
				_ = json.Unmarshal(p, &in)
				tokens <- in.Token
				return nil, nil
			}}})
			def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
				"Parameters":{"FunctionName":"f","Payload":{"Token.$":"$$.Task.Token"}},"HeartbeatSeconds":60,"TimeoutSeconds":3600,"End":true}}}`
			m, err := e.AddMachine("m", "", []byte(def), nil)
			if err != nil {
				t.Fatal(err)
			}
			x, _, err := e.Start(m, "x", nil)
			if err != nil {
				t.Fatal(err)
			}
			tok := <-tokens
			clk.Advance(50 * time.Second)
			if tt.heartbeat {
				if err := e.SendTaskHeartbeat(tok); err != nil {
					t.Fatal(err)
				}
			}
			clk.Advance(50 * time.Second)
			if tt.heartbeat {
				if err := e.SendTaskSuccess(tok, []byte(`{"ok":true}`)); err != nil {
					t.Fatalf("SendTaskSuccess after heartbeat: %v", err)
				}
			}
			s, err := x.Wait(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if s.Status != tt.want || s.Error != tt.wantErr {
				t.Fatalf("%s %s, want %s %s\n%s", s.Status, s.Error, tt.want, tt.wantErr, trace(x))
			}
		})
	}
}

func TestTaskTimeouts(t *testing.T) {
	t.Run("token task times out", func(t *testing.T) {
		fns := map[string]Handler{"f": echo}
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
			"Parameters":{"FunctionName":"f","Payload":{"t.$":"$$.Task.Token"}},"TimeoutSecondsPath":"$.timeout",
			"Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"Wrong"},{"ErrorEquals":["States.Timeout"],"ResultPath":"$.err","Next":"Done"}],"End":true},
			"Wrong":{"Type":"Fail"},"Done":{"Type":"Succeed"}}}`
		s, x := runDef(t, Config{Functions: fns}, def, `{"timeout":7200}`)
		if s.Status != StatusSucceeded || !strings.Contains(s.Output, `"Error":"States.Timeout"`) {
			t.Fatalf("%s %s\n%s", s.Status, s.Output, trace(x))
		}
		var scheduled, timedOut time.Time
		for _, e := range x.History() {
			switch e.Type {
			case "TaskStarted":
				scheduled = e.Timestamp
			case "TaskTimedOut":
				timedOut = e.Timestamp
			}
		}
		if timedOut.Sub(scheduled) != 2*time.Hour {
			t.Errorf("timed out after %v, want 2h", timedOut.Sub(scheduled))
		}
	})
	t.Run("running handler times out", func(t *testing.T) {
		clk := NewFakeClock(testStart, false)
		started := make(chan struct{})
		var handlerErr error
		done := make(chan struct{})
		e := New(Config{Clock: clk, Functions: map[string]Handler{"slow": func(ctx context.Context, _ json.RawMessage) (json.RawMessage, error) {
			close(started)
			<-ctx.Done()
			handlerErr = ctx.Err()
			close(done)
			return nil, ctx.Err()
		}}})
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:slow","TimeoutSeconds":30,"End":true}}}`
		m, err := e.AddMachine("m", "", []byte(def), nil)
		if err != nil {
			t.Fatal(err)
		}
		x, _, _ := e.Start(m, "x", nil)
		<-started
		clk.Advance(30 * time.Second)
		s, _ := x.Wait(context.Background())
		if s.Status != StatusFailed || s.Error != ErrTimeout {
			t.Fatalf("%s %s\n%s", s.Status, s.Error, trace(x))
		}
		<-done
		if !errors.Is(handlerErr, context.Canceled) {
			t.Errorf("handler context: %v", handlerErr)
		}
		if !strings.Contains(strings.Join(eventTypes(x), ","), "LambdaFunctionTimedOut") {
			t.Errorf("events %v", eventTypes(x))
		}
	})
}

func TestTaskTokenErrors(t *testing.T) {
	e, _ := newTestEngine(t, Config{})
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"empty", "", ErrInvalidToken},
		{"garbage", "not a token!", ErrInvalidToken},
		{"well formed but unknown", strings.Repeat("A", 64), ErrTaskDoesNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := e.SendTaskSuccess(tt.token, []byte(`{}`)); !errors.Is(err, tt.want) {
				t.Errorf("SendTaskSuccess: %v, want %v", err, tt.want)
			}
			if err := e.SendTaskFailure(tt.token, "E", "c"); !errors.Is(err, tt.want) {
				t.Errorf("SendTaskFailure: %v, want %v", err, tt.want)
			}
			if err := e.SendTaskHeartbeat(tt.token); !errors.Is(err, tt.want) {
				t.Errorf("SendTaskHeartbeat: %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("invalid output", func(t *testing.T) {
		if err := e.SendTaskSuccess(strings.Repeat("A", 64), []byte(`{not json`)); !errors.Is(err, ErrInvalidOutput) {
			t.Errorf("got %v", err)
		}
	})
}

func TestSendTaskFailureIsCaught(t *testing.T) {
	var e *Engine
	e, _ = newTestEngine(t, Config{})
	e.cfg.Functions = map[string]Handler{"f": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
		var in struct{ T string }
		_ = json.Unmarshal(p, &in)
		return nil, e.SendTaskFailure(in.T, "JobFailed", "model error")
	}}
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Parameters":{"FunctionName":"f","Payload":{"T.$":"$$.Task.Token"}},
		"Catch":[{"ErrorEquals":["JobFailed"],"Next":"Failed"}],"End":true},"Failed":{"Type":"Pass","End":true}}}`
	s, x := runOn(t, e, def, `{}`)
	if s.Status != StatusSucceeded {
		t.Fatalf("%s %s\n%s", s.Status, s.Error, trace(x))
	}
	jsonEqual(t, s.Output, `{"Error":"JobFailed","Cause":"model error"}`)
}

func TestBinding(t *testing.T) {
	var got Call
	bindings := map[string]Binding{
		"arn:aws:states:::events:putEvents": func(_ context.Context, c Call) (any, error) {
			got = c
			return map[string]any{"FailedEntryCount": json.Number("0")}, nil
		},
		"arn:aws:states:::aws-sdk:bedrock:getModelInvocationJob": func(_ context.Context, c Call) (any, error) {
			return nil, (&Failure{Error: "Bedrock.ValidationException", Cause: "bad"}).Err()
		},
	}
	def := `{"StartAt":"Put","States":{"Put":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents","Parameters":{"Entries":[{"Detail.$":"$"}]},"ResultPath":"$.put","Next":"Get"},
		"Get":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:bedrock:getModelInvocationJob","Parameters":{"JobIdentifier":"j"},
		"Catch":[{"ErrorEquals":["Bedrock.ValidationException"],"ResultPath":"$.err","Next":"Done"}],"End":true},"Done":{"Type":"Succeed"}}}`
	s, x := runDef(t, Config{Bindings: bindings}, def, `{"a":1}`)
	if s.Status != StatusSucceeded {
		t.Fatalf("%s %s %s\n%s", s.Status, s.Error, s.Cause, trace(x))
	}
	jsonEqual(t, s.Output, `{"a":1,"put":{"FailedEntryCount":0},"err":{"Error":"Bedrock.ValidationException","Cause":"bad"}}`)
	if got.Resource != "arn:aws:states:::events:putEvents" || got.TaskToken != "" {
		t.Errorf("call %+v", got)
	}
	for _, ev := range x.History() {
		if ev.Type == "TaskScheduled" && ev.ResourceType == "aws-sdk:bedrock" && ev.Resource != "getModelInvocationJob" {
			t.Errorf("aws-sdk TaskScheduled resource %q", ev.Resource)
		}
	}
}

func TestHandlerPanic(t *testing.T) {
	fns := map[string]Handler{"p": func(context.Context, json.RawMessage) (json.RawMessage, error) { panic("boom") }}
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"p"},"End":true}}}`
	s, _ := runDef(t, Config{Functions: fns}, def, `{}`)
	if s.Status != StatusFailed || s.Error != "string" || !strings.Contains(s.Cause, `"errorMessage":"boom"`) {
		t.Fatalf("%s %s %s", s.Status, s.Error, s.Cause)
	}
}

func TestExecutionTimeoutAndStop(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		def := `{"TimeoutSeconds":60,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`
		s, x := runDef(t, Config{}, def, `{}`)
		if s.Status != StatusTimedOut || s.Error != ErrTimeout {
			t.Fatalf("%s %s\n%s", s.Status, s.Error, trace(x))
		}
		h := x.History()
		if last := h[len(h)-1]; last.Type != "ExecutionTimedOut" || last.Timestamp.Sub(h[0].Timestamp) != time.Minute {
			t.Errorf("last event %+v", last)
		}
	})
	t.Run("stop while waiting for a token", func(t *testing.T) {
		e, clk := newTestEngine(t, Config{})
		release := clk.Hold()
		tokens := make(chan string, 1)
		e.cfg.Functions = map[string]Handler{"f": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
			tokens <- string(p)
			return nil, nil
		}}
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
			"Parameters":{"FunctionName":"f","Payload.$":"$$.Task.Token"},"HeartbeatSeconds":10,"End":true}}}`
		m, err := e.AddMachine("m", "", []byte(def), nil)
		if err != nil {
			t.Fatal(err)
		}
		x, _, _ := e.Start(m, "x", nil)
		var tok string
		_ = json.Unmarshal([]byte(<-tokens), &tok)
		x.Stop("Operator", "stopped by test")
		release()
		s, _ := x.Wait(context.Background())
		if s.Status != StatusAborted || s.Error != "Operator" {
			t.Fatalf("%s %s\n%s", s.Status, s.Error, trace(x))
		}
		if err := e.SendTaskSuccess(tok, []byte(`{}`)); !errors.Is(err, ErrTaskTimedOut) {
			t.Errorf("token after abort: %v", err)
		}
		if h := x.History(); h[len(h)-1].Type != "ExecutionAborted" {
			t.Errorf("last event %s", h[len(h)-1].Type)
		}
	})
}

// A token that arrives while the handler still works does not cancel the handler.
func TestTokenDoesNotCancelRunningHandler(t *testing.T) {
	var e *Engine
	e, _ = newTestEngine(t, Config{})
	handlerErr := make(chan error, 1)
	e.cfg.Functions = map[string]Handler{"f": func(ctx context.Context, p json.RawMessage) (json.RawMessage, error) {
		var tok string
		_ = json.Unmarshal(p, &tok)
		if err := e.SendTaskSuccess(tok, []byte(`"early"`)); err != nil {
			return nil, err
		}
		x, _ := e.ExecutionByARN("arn:aws:states:us-east-1:123456789012:execution:" + "m" + ":run")
		<-x.Done() // the task and the execution finish while this handler is still running
		handlerErr <- ctx.Err()
		return nil, nil
	}}
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Parameters":{"FunctionName":"f","Payload.$":"$$.Task.Token"},"End":true}}}`
	m, err := e.AddMachine("m", "", []byte(def), nil)
	if err != nil {
		t.Fatal(err)
	}
	x, _, err := e.Start(m, "run", nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := x.Wait(context.Background())
	if s.Status != StatusSucceeded || s.Output != `"early"` {
		t.Fatalf("%s %s", s.Status, s.Output)
	}
	if err := <-handlerErr; err != nil {
		t.Errorf("handler context canceled after the token completed the task: %v", err)
	}
}
