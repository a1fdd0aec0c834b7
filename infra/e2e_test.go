//go:build e2e

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/stackout"
)

// TestDeployedPipeline runs against a real account (go test -tags e2e -run TestDeployedPipeline
// ./infra, with AWS credentials): it drops the first lines of an example dataset into the deployed
// stack's inbox and waits for the run's report, which must account for every line. Fewer lines
// than the profile's minRecords run on demand, so the test takes minutes, not a batch job's hours.
//
// BBATCH_E2E_STACK (default BedrockBatch), BBATCH_E2E_PROFILE (default claude) and
// BBATCH_E2E_DATASET (default ../examples/tickets-claude.jsonl) choose what runs.
func TestDeployedPipeline(t *testing.T) {
	stack := envOr("BBATCH_E2E_STACK", DefaultStackName)
	prof := envOr("BBATCH_E2E_PROFILE", "claude")
	dataset := envOr("BBATCH_E2E_DATASET", "../examples/tickets-claude.jsonl")
	const lines = 10

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatalf("AWS config: %v", err)
	}
	outs, err := stackout.FromStack(ctx, cloudformation.NewFromConfig(cfg), stack)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Region = outs.Region
	client := s3.NewFromConfig(cfg)

	body := firstLines(t, dataset, lines)
	key := layout.InboxKey(prof, fmt.Sprintf("e2e-%d.jsonl", time.Now().UnixNano()))
	put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(outs.Bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("upload %s: %v", key, err)
	}
	runID := layout.RunID(outs.Bucket, "", []layout.Source{{Key: key, ETag: strings.Trim(aws.ToString(put.ETag), `"`)}})
	t.Logf("dropped s3://%s/%s; waiting for run %s", outs.Bucket, key, runID)

	reportKey := layout.ReportJSONKey(runID)
	for {
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(outs.Bucket), Key: aws.String(reportKey)})
		var missing *types.NoSuchKey
		switch {
		case errors.As(err, &missing):
			select {
			case <-ctx.Done():
				t.Fatalf("no report at s3://%s/%s: %v", outs.Bucket, reportKey, ctx.Err())
			case <-time.After(15 * time.Second):
			}
			continue
		case err != nil:
			t.Fatalf("read report: %v", err)
		}
		var rep struct {
			Status  string `json:"status"`
			Records struct {
				In        int64 `json:"in"`
				Answered  int64 `json:"answered"`
				Failed    int64 `json:"failed"`
				Rejected  int64 `json:"rejected"`
				Conserved bool  `json:"conserved"`
			} `json:"records"`
		}
		err = json.NewDecoder(out.Body).Decode(&rep)
		out.Body.Close()
		if err != nil {
			t.Fatalf("decode report: %v", err)
		}
		t.Logf("report: %+v", rep)
		if rep.Status != "Succeeded" || rep.Records.In != lines || !rep.Records.Conserved ||
			rep.Records.Answered+rep.Records.Failed+rep.Records.Rejected != lines {
			t.Errorf("report %+v, want Succeeded with %d records conserved", rep, lines)
		}
		return
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func firstLines(t *testing.T, path string, n int) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for i := 0; i < n && sc.Scan(); i++ {
		b.Write(sc.Bytes())
		b.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
