package asl

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// Cases follow "Processing input and output in Step Functions" and the Pass, Succeed, Fail and
// Wait state pages of the Step Functions Developer Guide.
func TestPassAndDataFlow(t *testing.T) {
	tests := []struct {
		name   string
		state  string // the single state "S" (End: true is added)
		input  string
		output string
	}{
		{"pass through", `{"Type":"Pass"}`, `{"a":1}`, `{"a":1}`},
		{"result replaces input", `{"Type":"Pass","Result":{"x":1}}`, `{"a":1}`, `{"x":1}`},
		{"result path nested", `{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r.s"}`, `{"a":1}`, `{"a":1,"r":{"s":{"x":1}}}`},
		{"result path null discards", `{"Type":"Pass","Result":{"x":1},"ResultPath":null}`, `{"a":1}`, `{"a":1}`},
		{"result path dollar", `{"Type":"Pass","Result":"v","ResultPath":"$"}`, `{"a":1}`, `"v"`},
		{"input path", `{"Type":"Pass","InputPath":"$.a"}`, `{"a":{"b":2}}`, `{"b":2}`},
		{"input path null gives empty object", `{"Type":"Pass","InputPath":null}`, `{"a":1}`, `{}`},
		{"output path", `{"Type":"Pass","OutputPath":"$.a.b"}`, `{"a":{"b":[1,2]}}`, `[1,2]`},
		{"output path null", `{"Type":"Pass","OutputPath":null}`, `{"a":1}`, `{}`},
		{"result path applies to raw input not input path", `{"Type":"Pass","InputPath":"$.a","ResultPath":"$.copy"}`, `{"a":{"b":1},"c":2}`, `{"a":{"b":1},"c":2,"copy":{"b":1}}`},
		{"parameters with paths", `{"Type":"Pass","Parameters":{"static":"s","dyn.$":"$.a","nested":{"n.$":"$.b[1]"}}}`, `{"a":"A","b":[0,7]}`, `{"static":"s","dyn":"A","nested":{"n":7}}`},
		{"parameters see effective input", `{"Type":"Pass","InputPath":"$.in","Parameters":{"v.$":"$.v"}}`, `{"in":{"v":3}}`, `{"v":3}`},
		{"parameters context object", `{"Type":"Pass","Parameters":{"state.$":"$$.State.Name","exec.$":"$$.Execution.Name","input.$":"$$.Execution.Input.a","retry.$":"$$.State.RetryCount","machine.$":"$$.StateMachine.Name","entered.$":"$$.State.EnteredTime"}}`,
			`{"a":5}`, `{"state":"S","exec":"run-1","input":5,"retry":0,"machine":"MACHINE","entered":"2026-01-02T03:04:05.000Z"}`},
		{"parameters intrinsic", `{"Type":"Pass","Parameters":{"s.$":"States.Format('{}-{}', $.a, $.b)"}}`, `{"a":"x","b":2}`, `{"s":"x-2"}`},
		{"result then output path", `{"Type":"Pass","Result":{"k":{"v":9}},"ResultPath":"$.r","OutputPath":"$.r.k"}`, `{}`, `{"v":9}`},
		{"succeed with paths", `{"Type":"Succeed","InputPath":"$.a","OutputPath":"$.b"}`, `{"a":{"b":1}}`, `1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := tt.state
			if !strings.Contains(st, `"Succeed"`) {
				st = strings.TrimSuffix(st, "}") + `,"End":true}`
			}
			def := `{"StartAt":"S","States":{"S":` + st + `}}`
			e, _ := newTestEngine(t, Config{})
			m, err := e.AddMachine("MACHINE", "", []byte(def), nil)
			if err != nil {
				t.Fatal(err)
			}
			x, _, err := e.Start(m, "run-1", []byte(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			<-x.Done()
			s := x.Snapshot()
			if s.Status != StatusSucceeded {
				t.Fatalf("status %s %s %s\n%s", s.Status, s.Error, s.Cause, trace(x))
			}
			jsonEqual(t, s.Output, tt.output)
		})
	}
}

func TestRuntimeErrorsFailExecution(t *testing.T) {
	tests := []struct {
		name, state, input, wantErr string
	}{
		{"input path missing", `{"Type":"Pass","InputPath":"$.missing","End":true}`, `{}`, ErrRuntime},
		{"parameters path missing", `{"Type":"Pass","Parameters":{"a.$":"$.missing"},"End":true}`, `{}`, ErrRuntime},
		{"result path into scalar", `{"Type":"Pass","Result":1,"ResultPath":"$.a.b","End":true}`, `{"a":"str"}`, "States.ResultPathMatchFailure"},
		{"seconds path not integer", `{"Type":"Wait","SecondsPath":"$.s","End":true}`, `{"s":"ten"}`, ErrRuntime},
		{"timestamp path not timestamp", `{"Type":"Wait","TimestampPath":"$.s","End":true}`, `{"s":"tomorrow"}`, ErrRuntime},
		{"no choice matched", `{"Type":"Choice","Choices":[{"Variable":"$.a","IsPresent":true,"Next":"S"}]}`, `{}`, ErrNoChoiceMatched},
		{"choice variable missing", `{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":1,"Next":"S"}],"Default":"S"}`, `{}`, ErrRuntime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, x := runDef(t, Config{}, `{"StartAt":"S","States":{"S":`+tt.state+`}}`, tt.input)
			if s.Status != StatusFailed || s.Error != tt.wantErr {
				t.Fatalf("got %s %s (%s), want FAILED %s\n%s", s.Status, s.Error, s.Cause, tt.wantErr, trace(x))
			}
		})
	}
}

func TestFailState(t *testing.T) {
	tests := []struct {
		name, state, input, wantErr, wantCause string
	}{
		{"static", `{"Type":"Fail","Error":"MyError","Cause":"because"}`, `{}`, "MyError", "because"},
		{"empty", `{"Type":"Fail"}`, `{}`, "", ""},
		{"paths", `{"Type":"Fail","ErrorPath":"$.e","CausePath":"$.c.msg"}`, `{"e":"E1","c":{"msg":"M1"}}`, "E1", "M1"},
		{"intrinsic cause", `{"Type":"Fail","Error":"E","CausePath":"States.Format('item {} failed', $.id)"}`, `{"id":7}`, "E", "item 7 failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, x := runDef(t, Config{}, `{"StartAt":"S","States":{"S":`+tt.state+`}}`, tt.input)
			if s.Status != StatusFailed || s.Error != tt.wantErr || s.Cause != tt.wantCause {
				t.Fatalf("got %s %q %q, want FAILED %q %q", s.Status, s.Error, s.Cause, tt.wantErr, tt.wantCause)
			}
			want := []string{"ExecutionStarted", "FailStateEntered", "ExecutionFailed"}
			if got := eventTypes(x); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("events %v, want %v", got, want)
			}
		})
	}
}

// Choice rules from "Choice workflow state": comparison operators, ...Path variants, type
// mismatches (false, not an error), IsPresent on a missing path, timestamps and StringMatches.
func TestChoiceRules(t *testing.T) {
	input := `{"s":"banana","s2":"cherry","n":10,"n2":10.0,"f":2.5,"b":true,"z":null,
		"t":"2026-01-02T03:04:05Z","t2":"2026-01-02T04:04:05+01:00","file":"log-2026*.txt","arr":[1]}`
	tests := []struct {
		rule string
		want bool
	}{
		{`{"Variable":"$.s","StringEquals":"banana"}`, true},
		{`{"Variable":"$.s","StringEquals":"Banana"}`, false},
		{`{"Variable":"$.s","StringLessThan":"cherry"}`, true},
		{`{"Variable":"$.s","StringGreaterThan":"apple"}`, true},
		{`{"Variable":"$.s","StringLessThanEquals":"banana"}`, true},
		{`{"Variable":"$.s","StringGreaterThanEquals":"banana"}`, true},
		{`{"Variable":"$.s","StringEqualsPath":"$.s2"}`, false},
		{`{"Variable":"$.s","StringLessThanPath":"$.s2"}`, true},
		{`{"Variable":"$.n","StringEquals":"10"}`, false},
		{`{"Variable":"$.n","NumericEquals":10}`, true},
		{`{"Variable":"$.n","NumericEqualsPath":"$.n2"}`, true},
		{`{"Variable":"$.f","NumericLessThan":3}`, true},
		{`{"Variable":"$.f","NumericGreaterThan":2.5}`, false},
		{`{"Variable":"$.f","NumericGreaterThanEquals":2.5}`, true},
		{`{"Variable":"$.f","NumericLessThanEquals":2}`, false},
		{`{"Variable":"$.n","NumericGreaterThanPath":"$.f"}`, true},
		{`{"Variable":"$.n","NumericLessThanEqualsPath":"$.n2"}`, true},
		{`{"Variable":"$.s","NumericEquals":1}`, false},
		{`{"Variable":"$.b","BooleanEquals":true}`, true},
		{`{"Variable":"$.b","BooleanEqualsPath":"$.b"}`, true},
		{`{"Variable":"$.s","BooleanEquals":false}`, false},
		{`{"Variable":"$.t","TimestampEquals":"2026-01-02T03:04:05Z"}`, true},
		{`{"Variable":"$.t","TimestampEqualsPath":"$.t2"}`, true},
		{`{"Variable":"$.t","TimestampLessThan":"2026-01-02T03:04:06Z"}`, true},
		{`{"Variable":"$.t","TimestampGreaterThan":"2026-01-02T03:04:06Z"}`, false},
		{`{"Variable":"$.t","TimestampLessThanEquals":"2026-01-02T03:04:05Z"}`, true},
		{`{"Variable":"$.t","TimestampGreaterThanEquals":"2026-01-02T03:04:05.001Z"}`, false},
		{`{"Variable":"$.t","TimestampGreaterThanPath":"$.t2"}`, false},
		{`{"Variable":"$.s","TimestampEquals":"2026-01-02T03:04:05Z"}`, false},
		{`{"Variable":"$.s","StringMatches":"ban*"}`, true},
		{`{"Variable":"$.s","StringMatches":"*nan*"}`, true},
		{`{"Variable":"$.s","StringMatches":"b*n*a"}`, true},
		{`{"Variable":"$.s","StringMatches":"b*x"}`, false},
		{`{"Variable":"$.file","StringMatches":"log-2026\\*.txt"}`, true},
		{`{"Variable":"$.file","StringMatches":"log-2027\\*.txt"}`, false},
		{`{"Variable":"$.s","StringMatches":"banana\\*"}`, false},
		{`{"Variable":"$.z","IsNull":true}`, true},
		{`{"Variable":"$.s","IsNull":true}`, false},
		{`{"Variable":"$.missing","IsPresent":false}`, true},
		{`{"Variable":"$.s","IsPresent":true}`, true},
		{`{"Variable":"$.z","IsPresent":true}`, true},
		{`{"Variable":"$.n","IsNumeric":true}`, true},
		{`{"Variable":"$.s","IsNumeric":false}`, true},
		{`{"Variable":"$.s","IsString":true}`, true},
		{`{"Variable":"$.b","IsBoolean":true}`, true},
		{`{"Variable":"$.arr","IsBoolean":true}`, false},
		{`{"Variable":"$.t","IsTimestamp":true}`, true},
		{`{"Variable":"$.s","IsTimestamp":true}`, false},
		{`{"And":[{"Variable":"$.n","NumericEquals":10},{"Variable":"$.b","BooleanEquals":true}]}`, true},
		{`{"And":[{"Variable":"$.n","NumericEquals":10},{"Variable":"$.b","BooleanEquals":false}]}`, false},
		{`{"Or":[{"Variable":"$.n","NumericEquals":1},{"Variable":"$.b","BooleanEquals":true}]}`, true},
		{`{"Not":{"Variable":"$.s","StringEquals":"banana"}}`, false},
		{`{"Not":{"Variable":"$.missing","IsPresent":true}}`, true},
		{`{"Variable":"$$.State.Name","StringEquals":"C"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			rule := strings.TrimSuffix(tt.rule, "}") + `,"Next":"Yes"}`
			def := `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[` + rule + `],"Default":"No"},
				"Yes":{"Type":"Pass","Result":true,"End":true},"No":{"Type":"Pass","Result":false,"End":true}}}`
			s, x := runDef(t, Config{}, def, input)
			if s.Status != StatusSucceeded {
				t.Fatalf("status %s %s %s\n%s", s.Status, s.Error, s.Cause, trace(x))
			}
			if s.Output != map[bool]string{true: "true", false: "false"}[tt.want] {
				t.Errorf("rule matched = %s, want %v", s.Output, tt.want)
			}
		})
	}
}

func TestChoicePathsAndOrder(t *testing.T) {
	def := `{"StartAt":"C","States":{"C":{"Type":"Choice","InputPath":"$.in","OutputPath":"$.v",
		"Choices":[{"Variable":"$.v","NumericGreaterThan":5,"Next":"Big"},{"Variable":"$.v","NumericGreaterThan":0,"Next":"Small"}],"Default":"Zero"},
		"Big":{"Type":"Pass","Result":"big","ResultPath":"$.kind","End":true},
		"Small":{"Type":"Pass","Parameters":{"kind":"small","v.$":"$"},"End":true},
		"Zero":{"Type":"Succeed"}}}`
	for input, want := range map[string]string{
		`{"in":{"v":9}}`: `9`, // Pass with ResultPath on a number input: ResultPath into a scalar fails, see below
		`{"in":{"v":3}}`: `{"kind":"small","v":3}`,
		`{"in":{"v":0}}`: `0`,
	} {
		s, x := runDef(t, Config{}, def, input)
		if input == `{"in":{"v":9}}` {
			if s.Status != StatusFailed || s.Error != "States.ResultPathMatchFailure" {
				t.Errorf("input %s: got %s %s, want ResultPathMatchFailure\n%s", input, s.Status, s.Error, trace(x))
			}
			continue
		}
		if s.Status != StatusSucceeded {
			t.Fatalf("input %s: %s %s\n%s", input, s.Status, s.Cause, trace(x))
		}
		jsonEqual(t, s.Output, want)
	}
}

func TestStringMatches(t *testing.T) {
	tests := []struct {
		s, pat string
		want   bool
	}{
		{"", "", true},
		{"", "*", true},
		{"a", "", false},
		{"abc", "a*c", true},
		{"ac", "a*c", true},
		{"abcbc", "a*bc", true},
		{"a*c", `a\*c`, true},
		{"abc", `a\*c`, false},
		{`a\c`, `a\\c`, true},
		{"x.log", "*.log", true},
		{"x.log.gz", "*.log", false},
		{"héllo", "h?llo", false},
		{"héllo", "h*o", true},
	}
	for _, tt := range tests {
		if got := stringMatches(tt.s, tt.pat); got != tt.want {
			t.Errorf("stringMatches(%q, %q) = %v, want %v", tt.s, tt.pat, got, tt.want)
		}
	}
}

func TestWaitState(t *testing.T) {
	tests := []struct {
		name, state, input string
		want               time.Duration
	}{
		{"seconds", `{"Type":"Wait","Seconds":3600,"End":true}`, `{}`, time.Hour},
		{"seconds zero", `{"Type":"Wait","Seconds":0,"End":true}`, `{}`, 0},
		{"seconds path", `{"Type":"Wait","SecondsPath":"$.s","End":true}`, `{"s":90}`, 90 * time.Second},
		{"timestamp", `{"Type":"Wait","Timestamp":"2026-01-03T03:04:05Z","End":true}`, `{}`, 24 * time.Hour},
		{"timestamp path", `{"Type":"Wait","TimestampPath":"$.t","End":true}`, `{"t":"2026-01-02T05:04:05+02:00"}`, 0},
		{"timestamp in the past", `{"Type":"Wait","Timestamp":"2020-01-01T00:00:00Z","End":true}`, `{}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, x := runDef(t, Config{}, `{"StartAt":"W","States":{"W":`+tt.state+`}}`, tt.input)
			if s.Status != StatusSucceeded {
				t.Fatalf("%s %s", s.Status, s.Cause)
			}
			jsonEqual(t, s.Output, tt.input)
			h := x.History()
			var entered, exited time.Time
			for _, e := range h {
				switch e.Type {
				case "WaitStateEntered":
					entered = e.Timestamp
				case "WaitStateExited":
					exited = e.Timestamp
				}
			}
			if got := exited.Sub(entered); got != tt.want {
				t.Errorf("waited %v, want %v", got, tt.want)
			}
		})
	}
}

// States.DataLimitExceeded is terminal: even a States.ALL catcher does not handle it
// ("Handling errors in Step Functions workflows").
func TestPayloadLimit(t *testing.T) {
	def := `{"StartAt":"Par","States":{"Par":{"Type":"Parallel","Branches":[{"StartAt":"Double","States":{
			"Double":{"Type":"Pass","Parameters":{"a.$":"$.b","c.$":"$.b"},"End":true}}}],
		"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true},
		"Caught":{"Type":"Succeed"}}}`
	tests := []struct {
		name       string
		size       int
		wantStatus string
	}{
		{"under the limit", 400, StatusSucceeded},
		{"over the limit", 600, StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newTestEngine(t, Config{PayloadLimit: 1024})
			in, _ := json.Marshal(map[string]string{"b": strings.Repeat("x", tt.size)})
			s, x := runOn(t, e, def, string(in))
			if s.Status != tt.wantStatus {
				t.Fatalf("status %s %s %s\n%s", s.Status, s.Error, s.Cause, trace(x))
			}
			if tt.wantStatus == StatusFailed && s.Error != ErrDataLimitExceeded {
				t.Errorf("error %s, want %s", s.Error, ErrDataLimitExceeded)
			}
		})
	}
	t.Run("execution input over the limit", func(t *testing.T) {
		e, _ := newTestEngine(t, Config{PayloadLimit: 1024})
		m, err := e.AddMachine("m", "", []byte(def), nil)
		if err != nil {
			t.Fatal(err)
		}
		in, _ := json.Marshal(map[string]string{"b": strings.Repeat("x", 2000)})
		if _, _, err := e.Start(m, "big", in); !errors.Is(err, ErrInvalidExecutionInput) {
			t.Fatalf("err = %v, want ErrInvalidExecutionInput", err)
		}
	})
}
