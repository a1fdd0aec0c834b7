package asl

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		def       string
		wantState string
		wantField string
		wantText  string
	}{
		{"jsonata", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Succeed"}}}`, "", "QueryLanguage", "only JSONPath"},
		{"jsonata per state", `{"StartAt":"A","States":{"A":{"Type":"Succeed","QueryLanguage":"JSONata"}}}`, "A", "QueryLanguage", "JSONPath"},
		{"unknown top-level", `{"StartAt":"A","Foo":1,"States":{"A":{"Type":"Succeed"}}}`, "", "Foo", "unknown"},
		{"unknown state field", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Resultt":1}}}`, "A", "Resultt", "unknown field"},
		{"field of another type", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Retry":[]}}}`, "A", "Retry", "unknown field"},
		{"assign unsupported", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Assign":{"x":1}}}}`, "A", "Assign", "not supported"},
		{"unknown type", `{"StartAt":"A","States":{"A":{"Type":"Sleep","End":true}}}`, "A", "Type", "unknown state type"},
		{"missing next", `{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`, "A", "Next", "needs Next"},
		{"next and end", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B","End":true},"B":{"Type":"Succeed"}}}`, "A", "Next", "both"},
		{"end false", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":false}}}`, "A", "End", "must be true"},
		{"unknown target", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"}}}`, "A", "Next", "unknown state"},
		{"unknown start", `{"StartAt":"Z","States":{"A":{"Type":"Succeed"}}}`, "", "StartAt", "unknown state"},
		{"unreachable", `{"StartAt":"A","States":{"A":{"Type":"Succeed"},"B":{"Type":"Succeed"}}}`, "B", "", "unreachable"},
		{"choice without choices", `{"StartAt":"A","States":{"A":{"Type":"Choice","Default":"B"},"B":{"Type":"Succeed"}}}`, "A", "Choices", "non-empty"},
		{"choice rule without next", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true}],"Default":"B"},"B":{"Type":"Succeed"}}}`, "A", "Choices[0].Next", "missing"},
		{"nested rule with next", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.x","IsPresent":true,"Next":"B"},"Next":"B"}]},"B":{"Type":"Succeed"}}}`, "A", "Choices[0].Not.Next", "only top-level"},
		{"choice two operators", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"IsNull":false,"Next":"B"}]},"B":{"Type":"Succeed"}}}`, "A", "Choices[0]", "exactly one"},
		{"choice wrong operand type", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":"1","Next":"B"}]},"B":{"Type":"Succeed"}}}`, "A", "Choices[0].NumericEquals", "number"},
		{"choice bad timestamp", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","TimestampEquals":"yesterday","Next":"B"}]},"B":{"Type":"Succeed"}}}`, "A", "Choices[0].TimestampEquals", "RFC3339"},
		{"choice unknown operator", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","StringContains":"a","Next":"B"}]},"B":{"Type":"Succeed"}}}`, "A", "Choices[0].StringContains", "unknown"},
		{"retry ALL not last", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true,
			"Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}]}}}`, "A", "Retry[0].ErrorEquals", "last"},
		{"catch ALL not alone", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true,
			"Catch":[{"ErrorEquals":["States.ALL","X"],"Next":"A"}]}}}`, "A", "Catch[0].ErrorEquals", "alone"},
		{"retry bad backoff", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true,
			"Retry":[{"ErrorEquals":["X"],"BackoffRate":0.5}]}}}`, "A", "Retry[0].BackoffRate", "at least 1.0"},
		{"retry bad jitter", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true,
			"Retry":[{"ErrorEquals":["X"],"JitterStrategy":"HALF"}]}}}`, "A", "Retry[0].JitterStrategy", "FULL or NONE"},
		{"retry unknown field", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true,
			"Retry":[{"ErrorEquals":["X"],"Attempts":2}]}}}`, "A", "Retry[0].Attempts", "unknown"},
		{"catch unknown next", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true,
			"Catch":[{"ErrorEquals":["X"],"Next":"Gone"}]}}}`, "A", "Catch[0].Next", "unknown state"},
		{"sync unsupported", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::batch:submitJob.sync","End":true}}}`, "A", "Resource", ".sync"},
		{"activity unsupported", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:x","End":true}}}`, "A", "Resource", "not a supported resource"},
		{"heartbeat >= timeout", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true,
			"TimeoutSeconds":10,"HeartbeatSeconds":10}}}`, "A", "HeartbeatSeconds", "smaller"},
		{"timeout and path", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true,
			"TimeoutSeconds":10,"TimeoutSecondsPath":"$.t"}}}`, "A", "TimeoutSecondsPath", "both"},
		{"wait two durations", `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}}}`, "A", "Seconds", "exactly one"},
		{"wait none", `{"StartAt":"A","States":{"A":{"Type":"Wait","End":true}}}`, "A", "Seconds", "exactly one"},
		{"fail error and path", `{"StartAt":"A","States":{"A":{"Type":"Fail","Error":"E","ErrorPath":"$.e"}}}`, "A", "ErrorPath", "both"},
		{"fail with next", `{"StartAt":"A","States":{"A":{"Type":"Fail","Next":"A"}}}`, "A", "Next", "unknown field"},
		{"bad template", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"a.$":"nope"},"End":true}}}`, "A", "Parameters", ""},
		{"bad result path", `{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$.a[*]","End":true}}}`, "A", "ResultPath", ""},
		{"inline tolerated failure", `{"StartAt":"A","States":{"A":{"Type":"Map","ToleratedFailureCount":1,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`, "A", "ToleratedFailureCount", "DISTRIBUTED"},
		{"map csv reader", `{"StartAt":"A","States":{"A":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV"},"Parameters":{"Bucket":"b","Key":"k"}},
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`, "A", "ItemReader.ReaderConfig.InputType", "not supported"},
		{"map item batcher", `{"StartAt":"A","States":{"A":{"Type":"Map","ItemBatcher":{"MaxItemsPerBatch":2},
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`, "A", "ItemBatcher", "not supported"},
		{"map both processors", `{"StartAt":"A","States":{"A":{"Type":"Map","Iterator":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
			"ItemProcessor":{"StartAt":"Q","States":{"Q":{"Type":"Pass","End":true}}},"End":true}}}`, "A", "ItemProcessor", "exactly one"},
		{"duplicate name in branch", `{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}],"End":true}}}`, "A", "", "more than once"},
		{"branch unreachable", `{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"B1","States":{"B1":{"Type":"Succeed"},"B2":{"Type":"Succeed"}}}],"End":true}}}`, "B2", "", "unreachable"},
		{"not json", `{"StartAt":`, "", "", "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.def), nil)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Parse error = %v, want *LoadError", err)
			}
			if le.State != tt.wantState || le.Field != tt.wantField || !strings.Contains(le.Reason, tt.wantText) {
				t.Errorf("got state=%q field=%q reason=%q; want state=%q field=%q reason containing %q",
					le.State, le.Field, le.Reason, tt.wantState, tt.wantField, tt.wantText)
			}
		})
	}
}

func TestParseAcceptsExplicitJSONPath(t *testing.T) {
	src := `{"QueryLanguage":"JSONPath","StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}}`
	if _, err := Parse([]byte(src), nil); err != nil {
		t.Fatal(err)
	}
}

func TestSubstitute(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		subs    map[string]string
		want    string
		wantErr string
	}{
		{"replaced", `{"a":"${Fn}","b":"x${Fn}y"}`, map[string]string{"Fn": "arn:1"}, `{"a":"arn:1","b":"xarn:1y"}`, ""},
		{"unused substitution is fine", `{"a":1}`, map[string]string{"X": "y"}, `{"a":1}`, ""},
		{"unresolved", `{"a":"${Fn}","b":"${Other}"}`, map[string]string{"Fn": "f"}, "", "${Other}"},
		{"intrinsic braces untouched", `{"a.$":"States.Format('{}', $.x)"}`, nil, `{"a.$":"States.Format('{}', $.x)"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Substitute([]byte(tt.src), tt.subs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestAddMachineChecksBindings(t *testing.T) {
	fns := map[string]Handler{"known": echo}
	tests := []struct {
		name, def, wantField, wantText string
	}{
		{"unregistered function name", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"unknown"},"End":true}}}`, "Parameters.FunctionName", `"unknown"`},
		{"unregistered function arn", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:other","End":true}}}`, "Resource", `"other"`},
		{"unbound integration", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents","End":true}}}`, "Resource", "no binding"},
		{"unsupported invoke parameter", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"known","LogType":"Tail"},"End":true}}}`, "Parameters.LogType", "unsupported"},
		{"missing function name", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"Payload":{}},"End":true}}}`, "Parameters.FunctionName", "missing"},
		{"reader without store", `{"StartAt":"A","States":{"A":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"b","Key":"k"}},
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`, "ItemReader", "ObjectStore"},
		{"nested in parallel", `{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}],"End":true}}}`, "Resource", "no binding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(Config{Functions: fns})
			_, err := e.AddMachine("m", "", []byte(tt.def), nil)
			var le *LoadError
			if !errors.As(err, &le) || le.Field != tt.wantField || !strings.Contains(le.Reason, tt.wantText) {
				t.Fatalf("err = %v, want field %s containing %q", err, tt.wantField, tt.wantText)
			}
		})
	}
	t.Run("function resolved through substitution", func(t *testing.T) {
		e := New(Config{Functions: fns})
		def := `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${Fn}","End":true}}}`
		if _, err := e.AddMachine("m", "", []byte(def), map[string]string{"Fn": "arn:aws:lambda:eu-west-1:111122223333:function:known"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("binding with wait for token", func(t *testing.T) {
		e := New(Config{Bindings: map[string]Binding{"arn:aws:states:::events:putEvents": func(context.Context, Call) (any, error) { return nil, nil }}})
		def := `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents.waitForTaskToken","End":true}}}`
		if _, err := e.AddMachine("m", "", []byte(def), nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("same name different definition", func(t *testing.T) {
		e := New(Config{Functions: fns})
		if _, err := e.AddMachine("m", "", []byte(`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := e.AddMachine("m", "", []byte(`{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}`), nil); !errors.Is(err, ErrStateMachineExists) {
			t.Fatalf("err = %v, want ErrStateMachineExists", err)
		}
	})
}

func TestFunctionName(t *testing.T) {
	for in, want := range map[string]string{
		"fn":                       "fn",
		"fn:live":                  "fn",
		"123456789012:function:fn": "fn",
		"arn:aws:lambda:us-east-1:123456789012:function:fn":   "fn",
		"arn:aws:lambda:us-east-1:123456789012:function:fn:3": "fn",
	} {
		if got := functionName(in); got != want {
			t.Errorf("functionName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseKeepsNumbersExact(t *testing.T) {
	def, err := Parse([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"n":12345678901234567890},"End":true}}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(def.States["A"].Result)
	if string(got) != `{"n":12345678901234567890}` {
		t.Fatalf("Result = %s", got)
	}
}

func TestErrorNames(t *testing.T) {
	def, err := Parse([]byte(`{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"M","States":{"M":{"Type":"Map","End":true,
		"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true,
			"Retry":[{"ErrorEquals":["QuotaError","States.Timeout"]}],"Catch":[{"ErrorEquals":["JobFailedError"],"Next":"F"}]},"F":{"Type":"Fail"}}}}}}],
		"Retry":[{"ErrorEquals":["QuotaError"]},{"ErrorEquals":["States.ALL"]}],"End":true}}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(def.ErrorNames(), ","); got != "JobFailedError,QuotaError" {
		t.Errorf("ErrorNames = %s", got)
	}
}
