package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/bedrockjobs"
)

func TestCancelStopsExecutionAndJobs(t *testing.T) {
	outputs := startEmulatePipeline(t, "--job-duration", "1m")
	path := writeTickets(t, 130)

	// bbatch run follows the run in the background; cancel must end it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var runOut, runErr emulateBuffer
	root := newRootCmd()
	root.SetOut(&runOut)
	root.SetErr(&runErr)
	root.SetArgs([]string{"run", path, "--outputs-file", outputs, "--profile", "nova", "--out", t.TempDir(), "--refresh", "50ms"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	d, _, err := connect(ctx, targetFlags{outputsFile: outputs})
	if err != nil {
		t.Fatal(err)
	}
	var (
		runID string
		jobs  []bedrockjobs.Job
	)
	deadline := time.Now().Add(30 * time.Second)
	for len(jobs) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no job submitted; run says:\n%s", runErr.String())
		}
		time.Sleep(20 * time.Millisecond)
		if m := runIDLine.FindStringSubmatch(runErr.String()); m != nil && runID == "" {
			runID = m[1]
		}
		if runID != "" {
			if jobs, err = d.Jobs.ListByName(ctx, runID); err != nil {
				t.Fatal(err)
			}
		}
	}

	stdout, _, err := bbatch(t, "cancel", runID, "--outputs-file", outputs)
	if err != nil {
		t.Fatalf("cancel: %v", err)
	}
	for _, want := range []string{"stopped execution " + d.ExecutionARN(runID), "stopped job " + jobs[0].Name + " (was ", "1 job(s) stopped, 0 already ended, of 1"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("cancel output lacks %q:\n%s", want, stdout)
		}
	}
	j, err := d.Jobs.Get(ctx, jobs[0].ARN)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != "Stopping" && j.Status != "Stopped" {
		t.Errorf("job %s is %s after cancel, want Stopping or Stopped", j.Name, j.Status)
	}
	x, found, err := d.Describe(ctx, runID)
	if err != nil || !found || x.Status != "ABORTED" {
		t.Fatalf("execution after cancel: %+v found=%v err=%v", x, found, err)
	}
	if err := <-done; err == nil || !strings.Contains(err.Error(), "ended ABORTED") || !strings.Contains(err.Error(), "without a report") {
		t.Errorf("run after cancel: err = %v", err)
	}

	stdout, _, err = bbatch(t, "cancel", runID, "--outputs-file", outputs)
	if err != nil {
		t.Fatalf("second cancel: %v", err)
	}
	if !strings.Contains(stdout, "already ended: ABORTED") || !strings.Contains(stdout, "0 job(s) stopped") {
		t.Errorf("second cancel:\n%s", stdout)
	}
	stdout, _, err = bbatch(t, "status", runID, "--outputs-file", outputs)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	if !strings.Contains(stdout, "execution ABORTED (bbatch cancel) at") || !strings.Contains(stdout, "report    none") {
		t.Errorf("status after cancel:\n%s", stdout)
	}
	if _, _, err := bbatch(t, "results", runID, "--outputs-file", outputs); err == nil || !strings.Contains(err.Error(), "ended ABORTED (bbatch cancel) without a report") {
		t.Errorf("results after cancel: err = %v", err)
	}
}
