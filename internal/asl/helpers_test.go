package asl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

var testStart = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newTestEngine returns an engine on an auto-advancing fake clock.
func newTestEngine(t *testing.T, cfg Config) (*Engine, *FakeClock) {
	t.Helper()
	clk := NewFakeClock(testStart, true)
	cfg.Clock = clk
	return New(cfg), clk
}

// runDef registers def and runs it to completion with input.
func runDef(t *testing.T, cfg Config, def, input string) (Snapshot, *Execution) {
	t.Helper()
	e, _ := newTestEngine(t, cfg)
	return runOn(t, e, def, input)
}

func runOn(t *testing.T, e *Engine, def, input string) (Snapshot, *Execution) {
	t.Helper()
	m, err := e.AddMachine(fmt.Sprintf("m%d", time.Now().UnixNano()), "arn:aws:iam::123456789012:role/test", []byte(def), nil)
	if err != nil {
		t.Fatalf("AddMachine: %v", err)
	}
	x, _, err := e.Start(m, "run-1", []byte(input))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := x.Wait(ctx)
	if err != nil {
		var b bytes.Buffer
		_ = WriteTrace(&b, x.History())
		t.Fatalf("execution did not finish: %v\n%s", err, b.String())
	}
	return s, x
}

// jsonEqual compares two JSON texts semantically.
func jsonEqual(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("got is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v: %s", err, want)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Errorf("output mismatch\n got: %s\nwant: %s", gb, wb)
	}
}

func eventTypes(x *Execution) []string {
	var out []string
	for _, e := range x.History() {
		out = append(out, e.Type)
	}
	return out
}

func trace(x *Execution) string {
	var b bytes.Buffer
	_ = WriteTrace(&b, x.History())
	return b.String()
}

// echo is a handler returning its payload.
func echo(_ context.Context, p json.RawMessage) (json.RawMessage, error) { return p, nil }
