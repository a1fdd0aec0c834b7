package sfnlocal

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrock-batch/bedrock-batch/internal/asl"
)

// Every event type the interpreter writes is a HistoryEventType of the real API, and every
// event renders its detail object; runs cover each state type, success, failure, timeout,
// retry, catch, Map, Distributed Map and abort.
func TestEventTypesAreRealHistoryEventTypes(t *testing.T) {
	known := types.HistoryEventType("").Values()
	fail := true
	e := asl.New(asl.Config{Clock: asl.NewFakeClock(time.Unix(0, 0), true), Functions: map[string]asl.Handler{
		"flaky": func(context.Context, json.RawMessage) (json.RawMessage, error) {
			if fail {
				fail = false
				return nil, context.Canceled
			}
			return json.RawMessage(`{}`), nil
		},
		"quiet": func(context.Context, json.RawMessage) (json.RawMessage, error) { return nil, nil },
	}})
	defs := map[string]string{
		"everything": `{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"C"},
			"C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":false,"Next":"W"}],"Default":"W"},
			"W":{"Type":"Wait","Seconds":1,"Next":"L"},
			"L":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:flaky","Retry":[{"ErrorEquals":["States.ALL"]}],"ResultPath":null,"Next":"I"},
			"I":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"flaky"},"ResultPath":null,"Next":"T"},
			"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"quiet","Payload":{"t.$":"$$.Task.Token"}},
				"TimeoutSeconds":5,"Catch":[{"ErrorEquals":["States.Timeout"],"ResultPath":"$.err","Next":"Par"}],"Next":"Par"},
			"Par":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],"ResultPath":"$.par","Next":"M"},
			"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"MI","States":{"MI":{"Type":"Pass","End":true}}},"ResultPath":"$.m","Next":"D"},
			"D":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"DF","States":{"DF":{"Type":"Fail","Error":"E"}}},
				"Catch":[{"ErrorEquals":["States.ALL"],"Next":"S"}],"End":true},
			"S":{"Type":"Succeed"}}}`,
		"fails":     `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}}`,
		"times out": `{"TimeoutSeconds":1,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`,
		"aborted":   `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"quiet","Payload":{"t.$":"$$.Task.Token"}},"End":true}}}`,
	}
	seen := map[string]bool{}
	for name, def := range defs {
		m, err := e.AddMachine(slug(name), "", []byte(def), nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		x, _, err := e.Start(m, "x", []byte(`{"items":[1,2]}`))
		if err != nil {
			t.Fatal(err)
		}
		if name == "aborted" {
			for len(x.History()) < 4 {
				time.Sleep(time.Millisecond)
			}
			x.Stop("", "")
		}
		<-x.Done()
		if name == "everything" {
			if s := x.Snapshot(); s.Status != asl.StatusSucceeded {
				var b strings.Builder
				_ = asl.WriteTrace(&b, x.History())
				t.Fatalf("%s: %s %s %s\n%s", name, s.Status, s.Error, s.Cause, b.String())
			}
		}
		all := []*asl.Execution{x}
		for _, ev := range x.History() {
			if ev.MapRunARN != "" {
				all = append(all, e.MapRunExecutions(ev.MapRunARN)...)
			}
		}
		for _, ex := range all {
			for _, ev := range ex.History() {
				seen[ev.Type] = true
				w := wireEvent(ev, true, "us-east-1")
				if _, ok := w["type"]; !ok {
					t.Errorf("no type in %v", w)
				}
			}
		}
	}
	for typ := range seen {
		if !slices.Contains(known, types.HistoryEventType(typ)) {
			t.Errorf("event type %q is not a Step Functions HistoryEventType", typ)
		}
	}
	for _, want := range []string{"TaskStateAborted", "MapRunFailed", "TaskTimedOut", "LambdaFunctionFailed", "TaskSubmitted", "ExecutionTimedOut", "WaitStateAborted", "ExecutionAborted"} {
		if !seen[want] {
			t.Errorf("runs did not produce %s", want)
		}
	}
}

func slug(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == ' ' {
			b[i] = '-'
		}
	}
	return string(b)
}
