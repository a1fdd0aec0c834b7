package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// emulateBuffer is a writer safe to read while the command writes.
type emulateBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *emulateBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *emulateBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// exports parses the "export NAME=value" lines.
func exports(s string) map[string]string {
	env := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if name, value, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok && strings.HasPrefix(sc.Text(), "export ") {
			env[name] = value
		}
	}
	return env
}

func TestEmulateCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr emulateBuffer
	root := newRootCmd()
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	root.SetArgs([]string{"emulate", "--s3-port", "0", "--bedrock-port", "0", "--runtime-port", "0", "--job-duration", "0s", "--bucket", "demo"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	// The export lines are the command's signal that it serves.
	var env map[string]string
	deadline := time.Now().Add(20 * time.Second)
	for env = exports(stderr.String()); env["AWS_DEFAULT_REGION"] == ""; env = exports(stderr.String()) {
		select {
		case err := <-done:
			t.Fatalf("emulate returned early: %v\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no export lines on stderr:\n%s", stderr.String())
		}
	}
	for _, name := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_BEDROCK", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} {
		if env[name] == "" {
			t.Errorf("no export of %s in:\n%s", name, stderr.String())
		}
	}

	client := s3.New(s3.Options{
		Region:       env["AWS_REGION"],
		BaseEndpoint: aws.String(env["AWS_ENDPOINT_URL_S3"]),
		Credentials:  credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], ""),
	})
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("demo"), Key: aws.String("inbox/default/a.jsonl"), Body: strings.NewReader("{}\n")}); err != nil {
		t.Fatal(err)
	}

	cancel() // as SIGINT would
	if err := <-done; err != nil {
		t.Fatalf("emulate: %v", err)
	}
	if !strings.Contains(stderr.String(), "# stopped; events: 1 emitted") {
		t.Errorf("no shutdown summary on stderr:\n%s", stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("stdout has %d lines, want one event:\n%s", len(lines), stdout.String())
	}
	var ev struct {
		DetailType string `json:"detail-type"`
		Detail     struct {
			Bucket struct{ Name string } `json:"bucket"`
			Object struct{ Key string }  `json:"object"`
		} `json:"detail"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.DetailType != "Object Created" || ev.Detail.Bucket.Name != "demo" || ev.Detail.Object.Key != "inbox/default/a.jsonl" {
		t.Errorf("event %s", lines[0])
	}
}

func TestEmulateFlagErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"unknown fault", []string{"emulate", "--faults", "record-lost=0.1"}, "valid names: record-retryable"},
		{"bad fraction", []string{"emulate", "--faults", "s3-5xx=2"}, "between 0 and 1"},
		{"negative duration", []string{"emulate", "--job-duration", "-1s"}, "--job-duration"},
		{"argument", []string{"emulate", "extra"}, "unknown command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := newRootCmd()
			root.SetOut(&bytes.Buffer{})
			root.SetErr(&bytes.Buffer{})
			root.SetArgs(tc.args)
			err := root.Execute()
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestEmulateHelp(t *testing.T) {
	var out bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetArgs([]string{"emulate", "--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"aws s3 cp", "aws bedrock create-model-invocation-job", "--job-duration", "event-delay"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}
