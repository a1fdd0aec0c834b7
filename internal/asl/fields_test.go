package asl

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestContextObjectIdentity(t *testing.T) {
	def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"id.$":"$$.Execution.Id","start.$":"$$.Execution.StartTime",
		"role.$":"$$.Execution.RoleArn","sm.$":"$$.StateMachine.Id","redrive.$":"$$.Execution.RedriveCount"},"End":true}}}`
	e, _ := newTestEngine(t, Config{Region: "eu-west-1", AccountID: "111122223333"})
	m, err := e.AddMachine("pipeline", "arn:aws:iam::111122223333:role/sfn", []byte(def), nil)
	if err != nil {
		t.Fatal(err)
	}
	x, _, err := e.Start(m, "run-7", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := x.Wait(context.Background())
	jsonEqual(t, s.Output, `{"id":"arn:aws:states:eu-west-1:111122223333:execution:pipeline:run-7","start":"2026-01-02T03:04:05.000Z",
		"role":"arn:aws:iam::111122223333:role/sfn","sm":"arn:aws:states:eu-west-1:111122223333:stateMachine:pipeline","redrive":0}`)
}

// States.Runtime is terminal: neither Retry nor Catch with States.ALL handles it.
func TestRuntimeErrorIsNotCaught(t *testing.T) {
	calls := 0
	fns := map[string]Handler{"fn": func(context.Context, json.RawMessage) (json.RawMessage, error) { calls++; return nil, nil }}
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"fn","Payload":{"x.$":"$.missing"}},
		"Retry":[{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},"C":{"Type":"Succeed"}}}`
	s, x := runDef(t, Config{Functions: fns}, def, `{}`)
	if s.Status != StatusFailed || s.Error != ErrRuntime || calls != 0 {
		t.Fatalf("%s %s, %d calls\n%s", s.Status, s.Error, calls, trace(x))
	}
}

func TestHeartbeatSecondsPath(t *testing.T) {
	tests := []struct {
		name, input, wantErr string
		want                 time.Duration
	}{
		{"from input", `{"hb":120}`, ErrHeartbeatTimeout, 120 * time.Second},
		{"not a number", `{"hb":"soon"}`, ErrRuntime, 0},
		{"zero", `{"hb":0}`, ErrRuntime, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
				"Parameters":{"FunctionName":"fn","Payload":{"t.$":"$$.Task.Token"}},"HeartbeatSecondsPath":"$.hb","End":true}}}`
			s, x := runDef(t, Config{Functions: map[string]Handler{"fn": echo}}, def, tt.input)
			if s.Status != StatusFailed || s.Error != tt.wantErr {
				t.Fatalf("%s %s, want %s\n%s", s.Status, s.Error, tt.wantErr, trace(x))
			}
			if tt.want == 0 {
				return
			}
			h := x.History()
			var started, timedOut time.Time
			for _, e := range h {
				switch e.Type {
				case "TaskStarted":
					started = e.Timestamp
				case "TaskTimedOut":
					timedOut = e.Timestamp
				case "TaskScheduled":
					if e.HeartbeatSeconds != 120 {
						t.Errorf("TaskScheduled heartbeat %d", e.HeartbeatSeconds)
					}
				}
			}
			if got := timedOut.Sub(started); got != tt.want {
				t.Errorf("timed out after %v, want %v", got, tt.want)
			}
		})
	}
}

func TestToleratedFailureCountPath(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ToleratedFailureCountPath":"$.tolerate","ResultSelector":{"n.$":"States.ArrayLength($)"},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$","BooleanEquals":false,"Next":"F"}],"Default":"P"},
			"F":{"Type":"Fail","Error":"Bad"},"P":{"Type":"Pass","End":true}}},"End":true}}}`
	tests := []struct {
		input, wantStatus, want string
	}{
		{`{"tolerate":1,"items":[true,false,true]}`, StatusSucceeded, `{"n":3}`},
		{`{"tolerate":0,"items":[true,false,true]}`, StatusFailed, ``},
		{`{"tolerate":-1,"items":[true]}`, StatusFailed, ``},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			s, x := runDef(t, Config{}, def, tt.input)
			if s.Status != tt.wantStatus {
				t.Fatalf("%s %s %s\n%s", s.Status, s.Error, s.Cause, trace(x))
			}
			if tt.want != "" {
				jsonEqual(t, s.Output, tt.want)
			}
		})
	}
}

// A Choice loop (the pipeline's bounded rounds) re-enters states; each entry is in the history.
func TestChoiceLoop(t *testing.T) {
	def := `{"StartAt":"Round","States":{
		"Round":{"Type":"Pass","Parameters":{"round.$":"States.MathAdd($.round, 1)"},"Next":"More"},
		"More":{"Type":"Choice","Choices":[{"Variable":"$.round","NumericLessThan":3,"Next":"Round"}],"Default":"Done"},
		"Done":{"Type":"Succeed"}}}`
	s, x := runDef(t, Config{}, def, `{"round":0}`)
	if s.Status != StatusSucceeded {
		t.Fatalf("%s %s", s.Status, s.Cause)
	}
	jsonEqual(t, s.Output, `{"round":3}`)
	if n := strings.Count(strings.Join(eventTypes(x), ","), "PassStateEntered"); n != 3 {
		t.Errorf("Round entered %d times, want 3", n)
	}
}

func TestDynamicFunctionName(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName.$":"$.fn","Payload":{"v":1}},
		"OutputPath":"$.Payload","End":true}}}`
	tests := []struct {
		fn, wantStatus, wantErr string
	}{
		{"echo", StatusSucceeded, ""},
		{"arn:aws:lambda:us-east-1:123456789012:function:echo:prod", StatusSucceeded, ""},
		{"missing", StatusFailed, "Lambda.ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			s, _ := runDef(t, Config{Functions: map[string]Handler{"echo": echo}}, def, `{"fn":"`+tt.fn+`"}`)
			if s.Status != tt.wantStatus || s.Error != tt.wantErr {
				t.Fatalf("%s %s %s", s.Status, s.Error, s.Cause)
			}
			if tt.wantStatus == StatusSucceeded {
				jsonEqual(t, s.Output, `{"v":1}`)
			}
		})
	}
}

func TestClip(t *testing.T) {
	if got := clip("héé", 2); got != "h…" {
		t.Errorf("clip = %q", got)
	}
	if got := clip("abc", 3); got != "abc" {
		t.Errorf("clip = %q", got)
	}
}
