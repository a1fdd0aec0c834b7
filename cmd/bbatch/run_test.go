package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/report"
)

func writeTickets(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"recordId":"T-%d","modelInput":{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"ticket %d: refund please"}]}],"inferenceConfig":{"maxTokens":20}}}`+"\n", i, i)
	}
	b.WriteString(`{"recordId":"T-bad","modelInput":"oops"}` + "\n")
	path := filepath.Join(t.TempDir(), "tickets.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunWritesResultsAndReport(t *testing.T) {
	path := writeTickets(t, 130)
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	cmd := newRootCmd()
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs([]string{"run", path, "--out", out, "--job-duration", "0s", "--faults", "record-retryable=0.1,event-drop=1,seed=2"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "profile nova") || !strings.Contains(stderr.String(), "inferred") {
		t.Errorf("stderr does not say which profile was inferred:\n%s", stderr.String())
	}
	for _, want := range []string{"Succeeded", "131 in", "1 rejected", "conservation check holds", out} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout.String())
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep report.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Records.Answered+rep.Records.Failed != 130 || rep.Records.Rejected != 1 || !rep.Records.Conserved {
		t.Fatalf("report records %+v", rep.Records)
	}
	for _, f := range []string{"part-00001.jsonl", "failed.jsonl", "rejected.jsonl", "report.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	path := writeTickets(t, 1)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", path, "--faults", "nope=1"}, "valid names"},
		{[]string{"run", path, "--profile", "nosuch"}, "no such built-in profile"},
		{[]string{"run", filepath.Join(t.TempDir(), "missing.jsonl")}, "no such file"},
		{[]string{"run", path, "--model", "m", "--invocation-type", "Batch"}, "invocationType"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[2:], " "), func(t *testing.T) {
			cmd := newRootCmd()
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			cmd.SetArgs(tt.args)
			err := cmd.Execute()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
