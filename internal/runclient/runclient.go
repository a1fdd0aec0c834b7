package runclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrock-batch/bedrock-batch/internal/bedrockjobs"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/ledger"
	"github.com/bedrock-batch/bedrock-batch/internal/report"
	"github.com/bedrock-batch/bedrock-batch/internal/s3store"
	"github.com/bedrock-batch/bedrock-batch/internal/stepfn"
)

// Client reads and drives the runs of one deployment.
type Client struct {
	Bucket          string
	StateMachineARN string
	S3              s3store.API
	Store           *s3store.Store
	SFN             *stepfn.Client
	Jobs            *bedrockjobs.Client
	Ledger          *ledger.Ledger
	// Ended, when set, returns a channel closed when the run's execution ends, or nil while the
	// execution does not exist. A deployment in this process (the local pipeline) sets it, so
	// that Wait returns as the run ends instead of at its next poll.
	Ended func(runID string) <-chan struct{}
}

// New returns a client over the deployment's bucket and state machine.
func New(bucket, stateMachineARN string, s3c s3store.API, sfnc stepfn.API, jobs bedrockjobs.API) *Client {
	store := s3store.New(s3c, bucket)
	return &Client{
		Bucket: bucket, StateMachineARN: stateMachineARN, S3: s3c, Store: store,
		SFN: &stepfn.Client{API: sfnc}, Jobs: &bedrockjobs.Client{API: jobs}, Ledger: &ledger.Ledger{Store: store},
	}
}

// ExecutionARN is the ARN of a run's execution: intake names each execution after its runId.
func (d *Client) ExecutionARN(runID string) string {
	return strings.Replace(d.StateMachineARN, ":stateMachine:", ":execution:", 1) + ":" + runID
}

// Drop uploads the file at path to inbox/<profileName>/<basename> as a user drop and returns the
// id of the run its S3 event starts: the id intake derives from the same bucket, key and ETag.
func (d *Client) Drop(ctx context.Context, profileName, path string) (runID, key string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	key = layout.InboxKey(profileName, filepath.Base(path))
	out, err := d.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(d.Bucket), Key: aws.String(key), Body: f})
	if err != nil {
		return "", "", fmt.Errorf("upload %s to %s: %w", path, layout.S3URI(d.Bucket, key), err)
	}
	etag := strings.Trim(aws.ToString(out.ETag), `"`)
	return layout.RunID(d.Bucket, "", []layout.Source{{Key: key, ETag: etag}}), key, nil
}

// Describe returns the run's execution; found is false when it does not exist (not started yet,
// or not a run of this state machine).
func (d *Client) Describe(ctx context.Context, runID string) (x stepfn.Execution, found bool, err error) {
	x, err = d.SFN.Describe(ctx, d.ExecutionARN(runID))
	var missing *sfntypes.ExecutionDoesNotExist
	if errors.As(err, &missing) {
		return x, false, nil
	}
	return x, err == nil, err
}

// Wait polls the run's execution every interval until it ends and returns its final state,
// calling tick after each poll (found false while the execution does not exist yet). With Ended
// set, the end of the execution also ends the wait for the next poll.
func (d *Client) Wait(ctx context.Context, runID string, every time.Duration, tick func(x stepfn.Execution, found bool)) (stepfn.Execution, error) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		x, found, err := d.Describe(ctx, runID)
		switch {
		case err != nil:
			return x, err
		case found && x.Status != "RUNNING":
			return x, nil
		}
		if tick != nil {
			tick(x, found)
		}
		var ended <-chan struct{}
		if found && d.Ended != nil {
			ended = d.Ended(runID)
		}
		select {
		case <-ctx.Done():
			return x, ctx.Err()
		case <-t.C:
		case <-ended:
		}
	}
}

// Report reads the run's report.json; a run without one is an error wrapping fs.ErrNotExist.
func (d *Client) Report(ctx context.Context, runID string) (report.Report, error) {
	var r report.Report
	rc, err := d.Store.Get(ctx, layout.ReportJSONKey(runID))
	if err != nil {
		return r, err
	}
	defer rc.Close()
	if err := json.NewDecoder(rc).Decode(&r); err != nil {
		return r, fmt.Errorf("decode %s: %w", d.Store.URI(layout.ReportJSONKey(runID)), err)
	}
	return r, nil
}

// Download copies every object under results/<runId>/ into dir and returns the files written.
func (d *Client) Download(ctx context.Context, runID, dir string) ([]string, error) {
	prefix := layout.ResultPrefix(runID)
	keys, err := d.Store.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, key := range keys {
		dst := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(key, prefix)))
		if err := d.downloadOne(ctx, key, dst); err != nil {
			return files, err
		}
		files = append(files, dst)
	}
	return files, nil
}

func (d *Client) downloadOne(ctx context.Context, key, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("download %s: %w", key, err)
	}
	rc, err := d.Store.Get(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	f, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("download %s: %w", key, err)
	}
	_, err = io.Copy(f, rc)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("download %s to %s: %w", key, dst, err)
	}
	return nil
}
