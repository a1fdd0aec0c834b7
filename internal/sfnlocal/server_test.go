package sfnlocal

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/bedrock-batch/bedrock-batch/internal/asl"
)

type harness struct {
	engine *asl.Engine
	clock  *asl.FakeClock
	client *sfn.Client
	url    string
	tokens chan string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{tokens: make(chan string, 16)}
	h.clock = asl.NewFakeClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), true)
	h.engine = asl.New(asl.Config{Clock: h.clock, Functions: map[string]asl.Handler{
		"park": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
			var in struct{ Token string }
			if err := json.Unmarshal(p, &in); err != nil {
				return nil, err
			}
			h.tokens <- in.Token
			return nil, nil
		},
		"echo": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) { return p, nil },
	}})
	ts := httptest.NewServer(New(h.engine, map[string]string{"ParkFn": "arn:aws:lambda:us-east-1:123456789012:function:park"}))
	t.Cleanup(ts.Close)
	h.url = ts.URL
	h.client = sfn.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}, func(o *sfn.Options) { o.BaseEndpoint = aws.String(ts.URL) })
	return h
}

func (h *harness) create(t *testing.T, name, def string) string {
	t.Helper()
	out, err := h.client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::123456789012:role/sfn"),
	})
	if err != nil {
		t.Fatalf("CreateStateMachine: %v", err)
	}
	return *out.StateMachineArn
}

func (h *harness) wait(t *testing.T, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	x, ok := h.engine.ExecutionByARN(arn)
	if !ok {
		t.Fatalf("no execution %s", arn)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := x.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := h.client.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("DescribeExecution: %v", err)
	}
	return out
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

const parkDef = `{"StartAt":"Park","States":{"Park":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
	"Parameters":{"FunctionName":"${ParkFn}","Payload":{"Token.$":"$$.Task.Token"}},"Next":"Done"},"Done":{"Type":"Pass","End":true}}}`

func TestExecutionLifecycle(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	smARN := h.create(t, "echoes", `{"StartAt":"E","States":{"E":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Parameters":{"FunctionName":"echo","Payload.$":"$"},"OutputPath":"$.Payload","Next":"W"},"W":{"Type":"Wait","Seconds":60,"End":true}}}`)
	if smARN != "arn:aws:states:us-east-1:123456789012:stateMachine:echoes" {
		t.Errorf("state machine ARN %s", smARN)
	}
	start, err := h.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String("run-1"), Input: aws.String(`{"n":1}`)})
	if err != nil {
		t.Fatalf("StartExecution: %v", err)
	}
	if *start.ExecutionArn != "arn:aws:states:us-east-1:123456789012:execution:echoes:run-1" || !start.StartDate.Equal(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)) {
		t.Errorf("start %s %v", *start.ExecutionArn, start.StartDate)
	}
	desc := h.wait(t, *start.ExecutionArn)
	if desc.Status != types.ExecutionStatusSucceeded || *desc.Output != `{"n":1}` || *desc.Input != `{"n":1}` || *desc.Name != "run-1" || *desc.StateMachineArn != smARN {
		t.Fatalf("describe %+v", desc)
	}
	if got := desc.StopDate.Sub(*desc.StartDate); got != time.Minute {
		t.Errorf("ran %v, want 1m of simulated time", got)
	}

	t.Run("history paging and order", func(t *testing.T) {
		var all []types.HistoryEvent
		p := sfn.NewGetExecutionHistoryPaginator(h.client, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, MaxResults: 3})
		pages := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			all = append(all, out.Events...)
		}
		var names []string
		for _, e := range all {
			names = append(names, string(e.Type))
		}
		want := "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSucceeded,TaskStateExited,WaitStateEntered,WaitStateExited,ExecutionSucceeded"
		if strings.Join(names, ",") != want || pages != 3 {
			t.Fatalf("%d pages: %s", pages, strings.Join(names, ","))
		}
		if all[0].ExecutionStartedEventDetails == nil || *all[0].ExecutionStartedEventDetails.Input != `{"n":1}` || *all[0].ExecutionStartedEventDetails.RoleArn != "arn:aws:iam::123456789012:role/sfn" {
			t.Errorf("ExecutionStarted details %+v", all[0].ExecutionStartedEventDetails)
		}
		sched := all[2].TaskScheduledEventDetails
		if sched == nil || *sched.ResourceType != "lambda" || *sched.Resource != "invoke" || *sched.Region != "us-east-1" || !strings.Contains(*sched.Parameters, `"FunctionName":"echo"`) {
			t.Errorf("TaskScheduled details %+v", sched)
		}
		if all[1].StateEnteredEventDetails == nil || *all[1].StateEnteredEventDetails.Name != "E" {
			t.Errorf("StateEntered details %+v", all[1].StateEnteredEventDetails)
		}
		if all[4].PreviousEventId != 4 || all[4].Id != 5 {
			t.Errorf("ids %d/%d", all[4].Id, all[4].PreviousEventId)
		}
		rev, err := h.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, ReverseOrder: true, MaxResults: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(rev.Events) != 1 || rev.Events[0].Type != types.HistoryEventTypeExecutionSucceeded || rev.NextToken == nil {
			t.Errorf("reverse first page %+v", rev.Events)
		}
		noData, err := h.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, IncludeExecutionData: aws.Bool(false)})
		if err != nil {
			t.Fatal(err)
		}
		if noData.Events[0].ExecutionStartedEventDetails.Input != nil {
			t.Errorf("input included with includeExecutionData=false")
		}
		_, err = h.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, NextToken: aws.String("bogus")})
		if apiCode(err) != "InvalidToken" {
			t.Errorf("bad page token: %v", err)
		}
	})

	t.Run("list executions", func(t *testing.T) {
		for _, n := range []string{"run-2", "run-3"} {
			if _, err := h.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String(n)}); err != nil {
				t.Fatal(err)
			}
			h.wait(t, "arn:aws:states:us-east-1:123456789012:execution:echoes:"+n)
		}
		var names []string
		p := sfn.NewListExecutionsPaginator(h.client, &sfn.ListExecutionsInput{StateMachineArn: aws.String(smARN), MaxResults: 2})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range out.Executions {
				names = append(names, *e.Name)
			}
		}
		if strings.Join(names, ",") != "run-3,run-2,run-1" {
			t.Errorf("listed %v", names)
		}
		out, err := h.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(smARN), StatusFilter: types.ExecutionStatusRunning})
		if err != nil || len(out.Executions) != 0 {
			t.Errorf("RUNNING filter: %v %v", out, err)
		}
	})
}

func TestStartExecutionIdempotency(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	smARN := h.create(t, "parked", parkDef)
	first, err := h.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String("run"), Input: aws.String(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	token := <-h.tokens
	tests := []struct {
		name, input, wantCode string
	}{
		{"same name and input while running", `{"a":1}`, ""},
		{"different input", `{"a":2}`, "ExecutionAlreadyExists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			again, err := h.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String("run"), Input: aws.String(tt.input)})
			if apiCode(err) != tt.wantCode {
				t.Fatalf("err %v, want code %q", err, tt.wantCode)
			}
			if err == nil && (*again.ExecutionArn != *first.ExecutionArn || !again.StartDate.Equal(*first.StartDate)) {
				t.Errorf("second start %s %v, first %s %v", *again.ExecutionArn, again.StartDate, *first.ExecutionArn, first.StartDate)
			}
		})
	}
	if _, err := h.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)}); err != nil {
		t.Fatal(err)
	}
	h.wait(t, *first.ExecutionArn)
	t.Run("same name and input after it finished", func(t *testing.T) {
		_, err := h.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String("run"), Input: aws.String(`{"a":1}`)})
		if apiCode(err) != "ExecutionAlreadyExists" {
			t.Fatalf("err %v", err)
		}
	})
}

func TestTaskTokenCallbacks(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	smARN := h.create(t, "parked", parkDef)
	start, err := h.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Input: aws.String(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	token := <-h.tokens
	if _, err := h.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)}); err != nil {
		t.Fatalf("heartbeat: %v", err)
	}
	if _, err := h.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"job":"done"}`)}); err != nil {
		t.Fatalf("success: %v", err)
	}
	desc := h.wait(t, *start.ExecutionArn)
	if desc.Status != types.ExecutionStatusSucceeded || *desc.Output != `{"job":"done"}` {
		t.Fatalf("%s %v", desc.Status, aws.ToString(desc.Output))
	}
	tests := []struct {
		name, token, wantCode string
	}{
		{"used token", token, "TaskTimedOut"},
		{"malformed token", "not-a-token", "InvalidToken"},
		{"unknown token", strings.Repeat("Q", 64), "TaskDoesNotExist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tt.token), Output: aws.String(`{}`)})
			if apiCode(err) != tt.wantCode {
				t.Errorf("SendTaskSuccess: %v, want %s", err, tt.wantCode)
			}
			_, err = h.client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(tt.token), Error: aws.String("E")})
			if apiCode(err) != tt.wantCode {
				t.Errorf("SendTaskFailure: %v, want %s", err, tt.wantCode)
			}
			_, err = h.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(tt.token)})
			if apiCode(err) != tt.wantCode {
				t.Errorf("SendTaskHeartbeat: %v, want %s", err, tt.wantCode)
			}
		})
	}
	t.Run("failure and invalid output", func(t *testing.T) {
		start, err := h.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN)})
		if err != nil {
			t.Fatal(err)
		}
		token := <-h.tokens
		_, err = h.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{oops`)})
		if apiCode(err) != "InvalidOutput" {
			t.Errorf("invalid output: %v", err)
		}
		if _, err := h.client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String("JobFailed"), Cause: aws.String("expired")}); err != nil {
			t.Fatal(err)
		}
		desc := h.wait(t, *start.ExecutionArn)
		if desc.Status != types.ExecutionStatusFailed || *desc.Error != "JobFailed" || *desc.Cause != "expired" {
			t.Errorf("%s %v %v", desc.Status, desc.Error, desc.Cause)
		}
	})
}

func TestStopExecution(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	smARN := h.create(t, "parked", parkDef)
	start, err := h.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN)})
	if err != nil {
		t.Fatal(err)
	}
	<-h.tokens
	if _, err := h.client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: start.ExecutionArn, Error: aws.String("Cancelled"), Cause: aws.String("by test")}); err != nil {
		t.Fatal(err)
	}
	desc := h.wait(t, *start.ExecutionArn)
	if desc.Status != types.ExecutionStatusAborted || aws.ToString(desc.Error) != "Cancelled" {
		t.Fatalf("%s %v", desc.Status, aws.ToString(desc.Error))
	}
	hist, err := h.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, ReverseOrder: true, MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := hist.Events[0].ExecutionAbortedEventDetails; d == nil || *d.Cause != "by test" {
		t.Errorf("last event %+v", hist.Events[0])
	}
}

func TestAPIErrors(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	smARN := h.create(t, "ok", `{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`)
	tests := []struct {
		name     string
		call     func() error
		wantCode string
	}{
		{"invalid definition", func() error {
			_, err := h.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad"), RoleArn: aws.String("r"), Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`)})
			return err
		}, "InvalidDefinition"},
		{"unresolved substitution", func() error {
			_, err := h.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad2"), RoleArn: aws.String("r"), Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"${Nope}","End":true}}}`)})
			return err
		}, "InvalidDefinition"},
		{"express rejected", func() error {
			_, err := h.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("x"), RoleArn: aws.String("r"), Type: types.StateMachineTypeExpress, Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`)})
			return err
		}, "ValidationException"},
		{"machine does not exist", func() error {
			_, err := h.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:nope")})
			return err
		}, "StateMachineDoesNotExist"},
		{"invalid arn", func() error {
			_, err := h.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String("nope")})
			return err
		}, "InvalidArn"},
		{"invalid name", func() error {
			_, err := h.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String("has space")})
			return err
		}, "InvalidName"},
		{"invalid input", func() error {
			_, err := h.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Input: aws.String(`{`)})
			return err
		}, "InvalidExecutionInput"},
		{"execution does not exist", func() error {
			_, err := h.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:ok:nope")})
			return err
		}, "ExecutionDoesNotExist"},
		{"bad status filter", func() error {
			_, err := h.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(smARN), StatusFilter: "SLEEPING"})
			return err
		}, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); apiCode(err) != tt.wantCode {
				t.Errorf("err %v, want %s", err, tt.wantCode)
			}
		})
	}
	t.Run("unknown operation on the wire", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, h.url+"/", strings.NewReader(`{}`))
		req.Header.Set("X-Amz-Target", "AWSStepFunctions.CreateActivity")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if resp.StatusCode != 400 || json.Unmarshal(body, &e) != nil || e.Type != "UnknownOperationException" || resp.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
			t.Errorf("%d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})
}

func TestDistributedMapChildrenThroughAPI(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	smARN := h.create(t, "fan", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","Label":"Fan",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`)
	start, err := h.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Input: aws.String(`{"items":[1,2,3]}`)})
	if err != nil {
		t.Fatal(err)
	}
	desc := h.wait(t, *start.ExecutionArn)
	if *desc.Output != `[1,2,3]` {
		t.Fatalf("output %s", *desc.Output)
	}
	hist, err := h.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var mapRun string
	for _, e := range hist.Events {
		if e.MapRunStartedEventDetails != nil {
			mapRun = *e.MapRunStartedEventDetails.MapRunArn
		}
	}
	out, err := h.client.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: aws.String(mapRun)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Executions) != 3 {
		t.Fatalf("%d children", len(out.Executions))
	}
	child, err := h.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: out.Executions[0].ExecutionArn})
	if err != nil || child.Status != types.ExecutionStatusSucceeded || aws.ToString(child.MapRunArn) != mapRun {
		t.Fatalf("child %+v %v", child, err)
	}
}
