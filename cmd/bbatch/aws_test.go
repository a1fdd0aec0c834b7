package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/stackout"
)

// startEmulatePipeline runs `bbatch emulate --pipeline` in-process on free loopback ports, points
// the AWS SDK's environment at it as its export lines say, and returns the outputs file it wrote.
func startEmulatePipeline(t *testing.T, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	outputs := filepath.Join(dir, "outputs.json")
	// Keep the SDK away from the user's AWS files and endpoints.
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "no-credentials"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL", "")

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr emulateBuffer
	root := newRootCmd()
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	root.SetArgs(append([]string{"emulate", "--pipeline", "--s3-port", "0", "--bedrock-port", "0", "--runtime-port", "0", "--sfn-port", "0",
		"--outputs-file", outputs, "--stack-name", "TestStack"}, args...))
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("emulate --pipeline: %v", err)
		}
		if t.Failed() {
			t.Logf("emulate --pipeline wrote (its pipeline logs warnings and errors here):\n%s", stderr.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	env := exports(stderr.String())
	for ; env["AWS_DEFAULT_REGION"] == ""; env = exports(stderr.String()) {
		select {
		case err := <-done:
			t.Fatalf("emulate --pipeline returned early: %v\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no export lines on stderr:\n%s", stderr.String())
		}
	}
	if env["AWS_ENDPOINT_URL_SFN"] == "" {
		t.Fatalf("no export of AWS_ENDPOINT_URL_SFN:\n%s", stderr.String())
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	return outputs
}

// bbatch runs one command in-process and returns its stdout, stderr and error.
func bbatch(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	root := newRootCmd()
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	root.SetArgs(args)
	err := root.Execute()
	return stdout.String(), stderr.String(), err
}

var runIDLine = regexp.MustCompile(`: run ([a-z0-9-]+)`)

func TestAWSModeRunStatusResults(t *testing.T) {
	outputs := startEmulatePipeline(t, "--job-duration", "0s")
	outs, err := stackout.ReadFile(outputs, "")
	if err != nil {
		t.Fatal(err)
	}
	if outs.Stack != "TestStack" || outs.Bucket == "" || !strings.Contains(outs.StateMachineARN, ":stateMachine:") || outs.Region == "" {
		t.Fatalf("outputs file: %+v", outs)
	}

	path := writeTickets(t, 130)
	out := filepath.Join(t.TempDir(), "out")
	stdout, stderr, err := bbatch(t, "run", path, "--outputs-file", outputs, "--profile", "nova", "--out", out, "--refresh", "50ms")
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr)
	}
	m := runIDLine.FindStringSubmatch(stderr)
	if m == nil || !strings.Contains(stderr, "s3://"+outs.Bucket+"/inbox/nova/tickets.jsonl") {
		t.Fatalf("stderr does not name the upload and the run:\n%s", stderr)
	}
	runID := m[1]
	for _, want := range []string{"Run " + runID + ": Succeeded", "131 in", "1 rejected", "conservation check holds", out} {
		if !strings.Contains(stdout, want) {
			t.Errorf("run summary lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "local fake models") {
		t.Errorf("a run through the outputs file is described as local:\n%s", stdout)
	}
	first, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}

	stdout, _, err = bbatch(t, "status", runID, "--outputs-file", outputs)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	for _, want := range []string{"Run " + runID, "execution SUCCEEDED", "jobs      1: 1 Completed", runID + "-r1-c00000-a1", "130/130 records processed", "conservation check holds", "bbatch results " + runID} {
		if !strings.Contains(stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, stdout)
		}
	}

	out2 := filepath.Join(t.TempDir(), "again")
	stdout, _, err = bbatch(t, "results", runID, "--outputs-file", outputs, "--out", out2)
	if err != nil {
		t.Fatalf("results: %v", err)
	}
	if !strings.Contains(stdout, "conservation check holds") || !strings.Contains(stdout, "5 file(s) in "+out2) {
		t.Errorf("results summary:\n%s", stdout)
	}
	second, err := os.ReadFile(filepath.Join(out2, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Error("results downloaded another report.json than run did")
	}

	// --stack reads the same outputs through CloudFormation DescribeStacks.
	t.Setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", fakeCloudFormation(t, outs))
	stdout, _, err = bbatch(t, "status", runID, "--stack", "TestStack")
	if err != nil {
		t.Fatalf("status --stack: %v", err)
	}
	if !strings.Contains(stdout, "execution SUCCEEDED") || !strings.Contains(stdout, "bbatch results "+runID+" --stack TestStack") {
		t.Errorf("status --stack:\n%s", stdout)
	}

	tests := []struct {
		args []string
		want string
	}{
		{[]string{"status", runID, "--stack", "Nope"}, "describe stack Nope: operation error CloudFormation: DescribeStacks"},
		{[]string{"results", "nosuch-0123456789abcdef", "--outputs-file", outputs}, "no report and no execution"},
		{[]string{"status", "nosuch-0123456789abcdef", "--outputs-file", outputs}, "no execution"},
		{[]string{"status", runID, "--outputs-file", outputs, "--stack", "Other"}, "no stack Other (have TestStack)"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if _, _, err := bbatch(t, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// fakeCloudFormation serves DescribeStacks on the awsQuery protocol: the stack outs.Stack with
// outs as its outputs, a ValidationError for any other name. It returns the endpoint URL.
func fakeCloudFormation(t *testing.T, outs stackout.Outputs) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "DescribeStacks" {
			http.Error(w, "want DescribeStacks", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		name := r.Form.Get("StackName")
		if name != outs.Stack {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id %s does not exist</Message></Error><RequestId>r1</RequestId></ErrorResponse>`, html.EscapeString(name))
			return
		}
		var members strings.Builder
		for k, v := range map[string]string{stackout.BucketName: outs.Bucket, stackout.StateMachineArn: outs.StateMachineARN, stackout.EventBusName: outs.EventBusName, stackout.Region: outs.Region} {
			fmt.Fprintf(&members, "<member><OutputKey>%s</OutputKey><OutputValue>%s</OutputValue></member>", k, html.EscapeString(v))
		}
		fmt.Fprintf(w, `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>`+
			`<StackName>%s</StackName><StackId>arn:aws:cloudformation:%s:123456789012:stack/%s/1</StackId><CreationTime>2026-01-01T00:00:00Z</CreationTime>`+
			`<StackStatus>CREATE_COMPLETE</StackStatus><Outputs>%s</Outputs></member></Stacks></DescribeStacksResult>`+
			`<ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></DescribeStacksResponse>`, outs.Stack, outs.Region, outs.Stack, members.String())
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestAWSModeRejectsBadFlags(t *testing.T) {
	path := writeTickets(t, 1)
	dir := t.TempDir()
	outputs := filepath.Join(dir, "outputs.json")
	for _, name := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL"} {
		t.Setenv(name, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "no-credentials"))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", path, "--outputs-file", outputs}, "--profile is required"},
		{[]string{"run", path, "--stack", "S", "--profile", "p", "--faults", "seed=1"}, "--faults configures the local run"},
		{[]string{"run", path, "--stack", "S", "--profile", "p", "--model", "m"}, "--model configures the local run"},
		{[]string{"run", path, "--outputs-file", outputs, "--profile", "p"}, outputs},
		{[]string{"status", "r"}, "--stack NAME or --outputs-file PATH"},
		{[]string{"results", "r"}, "--stack NAME or --outputs-file PATH"},
		{[]string{"cancel", "r"}, "--stack NAME or --outputs-file PATH"},
		{[]string{"emulate", "--sfn-port", "0"}, "--sfn-port needs --pipeline"},
		{[]string{"emulate", "--pipeline", "--profiles", filepath.Join(dir, "none.json")}, "--profiles: open"},
		{[]string{"status", "r", "--stack", "S"}, "--stack S: no AWS region"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if _, _, err := bbatch(t, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
