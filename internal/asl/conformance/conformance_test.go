package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/bedrock-batch/bedrock-batch/internal/asl"
)

const (
	machineName = "conformance"
	roleARN     = "arn:aws:iam::123456789012:role/conformance"
	execName    = "run"
	machineARN  = "arn:aws:states:us-east-1:123456789012:stateMachine:" + machineName
	execARN     = "arn:aws:states:us-east-1:123456789012:execution:" + machineName + ":" + execName
)

// start is the fake clock's start, also passed to the npm package as Execution.StartTime.
var start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// input is one execution of a case, from testdata/<case>.inputs.json.
type input struct {
	Name        string          `json:"name"`
	Input       json.RawMessage `json:"input"`
	IgnoreCause bool            `json:"ignoreCause"` // the two implementations word this error's cause differently
}

type testCase struct {
	name       string
	definition json.RawMessage
	inputs     []input
}

// job is one execution for run.mjs.
type job struct {
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
	Context    map[string]any  `json:"context"`
}

// outcome is how an execution ended, on either side.
type outcome struct {
	Status string          `json:"status"`
	Output json.RawMessage `json:"output,omitempty"`
	Error  string          `json:"error,omitempty"`
	Cause  string          `json:"cause,omitempty"`
}

func TestConformance(t *testing.T) {
	node := requireNode(t)
	cases := loadCases(t)
	var jobs []job
	for _, c := range cases {
		for _, in := range c.inputs {
			jobs = append(jobs, job{Definition: c.definition, Input: in.Input, Context: contextObject(t, in.Input)})
		}
	}
	want := runNode(t, node, jobs)
	if len(want) != len(jobs) {
		t.Fatalf("run.mjs returned %d results for %d jobs", len(want), len(jobs))
	}
	i := 0
	for _, c := range cases {
		for _, in := range c.inputs {
			js := want[i]
			i++
			t.Run(c.name+"/"+in.Name, func(t *testing.T) {
				got := runGo(t, c.definition, in.Input)
				compare(t, got, js, in.IgnoreCause)
			})
		}
	}
}

// requireNode returns the node binary once node_modules is installed. Missing either skips the
// test locally and fails it in CI.
func requireNode(t *testing.T) string {
	t.Helper()
	missing := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...) + "; install with: npm ci --prefix internal/asl/conformance --no-audit --no-fund"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node not found: %v", err)
	}
	if _, err := os.Stat(filepath.Join("node_modules", "aws-local-stepfunctions", "package.json")); err != nil {
		missing("aws-local-stepfunctions is not installed: %v", err)
	}
	return node
}

func loadCases(t *testing.T) []testCase {
	t.Helper()
	defs, err := filepath.Glob(filepath.Join("testdata", "*.asl.json"))
	if err != nil || len(defs) == 0 {
		t.Fatalf("no testdata/*.asl.json cases (%v)", err)
	}
	var cases []testCase
	for _, def := range defs {
		name := strings.TrimSuffix(filepath.Base(def), ".asl.json")
		src, err := os.ReadFile(def)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(src) {
			t.Fatalf("%s: not valid JSON", def)
		}
		inputsFile := filepath.Join("testdata", name+".inputs.json")
		raw, err := os.ReadFile(inputsFile)
		if err != nil {
			t.Fatalf("case %s needs its inputs: %v", name, err)
		}
		var inputs []input
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&inputs); err != nil {
			t.Fatalf("%s: %v", inputsFile, err)
		}
		if len(inputs) == 0 {
			t.Fatalf("%s: no inputs", inputsFile)
		}
		for i, in := range inputs {
			if in.Name == "" || len(in.Input) == 0 {
				t.Fatalf("%s: input %d needs a name and an input", inputsFile, i)
			}
		}
		cases = append(cases, testCase{name: name, definition: src, inputs: inputs})
	}
	return cases
}

// contextObject is the part of the context object both implementations provide.
func contextObject(t *testing.T, in json.RawMessage) map[string]any {
	t.Helper()
	return map[string]any{
		"Execution": map[string]any{
			"Id":           execARN,
			"Input":        decode(t, in),
			"Name":         execName,
			"RoleArn":      roleARN,
			"StartTime":    start.Format("2006-01-02T15:04:05.000Z"),
			"RedriveCount": 0,
		},
		"StateMachine": map[string]any{"Id": machineARN, "Name": machineName},
	}
}

func runNode(t *testing.T, node string, jobs []job) []outcome {
	t.Helper()
	stdin, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "run.mjs"))
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node testdata/run.mjs: %v\n%s", err, stderr.String())
	}
	var out []outcome
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("run.mjs output: %v\n%s", err, stdout.String())
	}
	return out
}

func runGo(t *testing.T, definition, in json.RawMessage) outcome {
	t.Helper()
	eng := asl.New(asl.Config{Clock: asl.NewFakeClock(start, true), Functions: mocks()})
	m, err := eng.AddMachine(machineName, roleARN, definition, nil)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	x, _, err := eng.Start(m, execName, in)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	snap, err := x.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	switch snap.Status {
	case asl.StatusSucceeded:
		return outcome{Status: snap.Status, Output: json.RawMessage(snap.Output)}
	case asl.StatusFailed:
		return outcome{Status: snap.Status, Error: snap.Error, Cause: snap.Cause}
	}
	t.Fatalf("execution ended %s (%s: %s)", snap.Status, snap.Error, snap.Cause)
	return outcome{}
}

// mocks are the Go twins of run.mjs's mock Lambda functions, fresh per execution.
func mocks() map[string]asl.Handler {
	var flakyCalls atomic.Int64
	return map[string]asl.Handler{
		"echo": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) { return p, nil },
		"add": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
			var in struct{ A, B float64 }
			if err := json.Unmarshal(p, &in); err != nil {
				return nil, fmt.Errorf("add: %w", err)
			}
			return json.RawMessage(strconv.FormatFloat(in.A+in.B, 'g', -1, 64)), nil
		},
		"fail": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
			in := struct {
				Error   string `json:"error"`
				Message string `json:"message"`
			}{Error: "CustomError", Message: "boom"}
			if err := json.Unmarshal(p, &in); err != nil {
				return nil, fmt.Errorf("fail: %w", err)
			}
			return nil, messages.InvokeResponse_Error{Type: in.Error, Message: in.Message}
		},
		"flaky": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
			var in struct {
				Failures int64 `json:"failures"`
			}
			if err := json.Unmarshal(p, &in); err != nil {
				return nil, fmt.Errorf("flaky: %w", err)
			}
			n := flakyCalls.Add(1)
			if n <= in.Failures {
				return nil, messages.InvokeResponse_Error{Type: "Transient", Message: fmt.Sprintf("attempt %d", n)}
			}
			return json.RawMessage(fmt.Sprintf(`{"attempts":%d}`, n)), nil
		},
	}
}

func compare(t *testing.T, got, want outcome, ignoreCause bool) {
	t.Helper()
	t.Logf("Go: %s %s%s %s", got.Status, got.Error, canonical(t, got.Output), got.Cause)
	if got.Status != want.Status {
		t.Fatalf("Go ended %s %s%s (%s), aws-local-stepfunctions ended %s %s%s (%s)",
			got.Status, got.Error, canonical(t, got.Output), got.Cause, want.Status, want.Error, canonical(t, want.Output), want.Cause)
	}
	if got.Status == asl.StatusSucceeded {
		if g, w := canonical(t, got.Output), canonical(t, want.Output); g != w {
			t.Errorf("output differs\n     Go: %s\n    npm: %s", g, w)
		}
		return
	}
	if got.Error != want.Error {
		t.Errorf("error name: Go %q, npm %q (causes: %q, %q)", got.Error, want.Error, got.Cause, want.Cause)
	}
	if !ignoreCause && got.Cause != want.Cause {
		t.Errorf("cause differs\n     Go: %s\n    npm: %s", got.Cause, want.Cause)
	}
}

func decode(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// canonical renders a JSON document with sorted keys and numbers by value (1.50 and 1.5 agree:
// JavaScript does not keep a number's spelling).
func canonical(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	if len(raw) == 0 {
		return ""
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(normalize(decode(t, raw))); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(out.String(), "\n")
}

func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case json.Number:
		r, ok := new(big.Rat).SetString(string(x))
		if !ok {
			return x
		}
		if r.IsInt() {
			return json.Number(r.Num().String())
		}
		f, _ := r.Float64()
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return v
}
