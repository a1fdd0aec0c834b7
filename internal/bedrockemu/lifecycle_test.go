package bedrockemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrock-batch/bedrock-batch/internal/fakemodel"
)

func TestJobCompletesWithOutputAndManifest(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.putRecords(t, "in/tickets.jsonl", 120)
	in := createInput("tickets-1", "in/tickets.jsonl", "out/")
	in.ClientRequestToken = aws.String("tok-1")
	arn := h.create(t, in)
	if !jobIdentifierPattern.MatchString(arn) || !strings.HasPrefix(arn, "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/") {
		t.Fatalf("job ARN %q has the wrong form", arn)
	}
	h.wait(t)

	for _, ident := range []string{arn, jobID(arn)} {
		j := h.job(t, ident)
		if id, ok := awsmiddleware.GetRequestIDMetadata(j.ResultMetadata); !ok || !uuidPattern.MatchString(id) {
			t.Fatalf("Get(%s): request id %q, want a UUID", ident, id)
		}
		if j.Status != types.ModelInvocationJobStatusCompleted {
			t.Fatalf("Get(%s).Status = %s, want Completed (message %q)", ident, j.Status, aws.ToString(j.Message))
		}
		if aws.ToString(j.JobArn) != arn || aws.ToString(j.JobName) != "tickets-1" || aws.ToString(j.ModelId) != testModel ||
			aws.ToString(j.ClientRequestToken) != "tok-1" || aws.ToString(j.RoleArn) != testRole {
			t.Fatalf("Get(%s) echoes the wrong job: %+v", ident, j)
		}
		if got := [4]int64{aws.ToInt64(j.TotalRecordCount), aws.ToInt64(j.ProcessedRecordCount), aws.ToInt64(j.SuccessRecordCount), aws.ToInt64(j.ErrorRecordCount)}; got != [4]int64{120, 120, 120, 0} {
			t.Fatalf("counters total/processed/success/error = %v, want [120 120 120 0]", got)
		}
		if aws.ToInt32(j.TimeoutDurationInHours) != 168 || j.ModelInvocationType != types.ModelInvocationTypeInvokeModel {
			t.Fatalf("defaults: timeout %d, invocation type %q", aws.ToInt32(j.TimeoutDurationInHours), j.ModelInvocationType)
		}
		if j.SubmitTime == nil || j.EndTime == nil || j.LastModifiedTime == nil || j.JobExpirationTime == nil {
			t.Fatalf("times missing: submit %v end %v modified %v expiration %v", j.SubmitTime, j.EndTime, j.LastModifiedTime, j.JobExpirationTime)
		}
		if got := j.JobExpirationTime.Sub(*j.SubmitTime); got != 168*time.Hour {
			t.Fatalf("jobExpirationTime - submitTime = %v, want 168h", got)
		}
		cfg, ok := j.InputDataConfig.(*types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig)
		if !ok || aws.ToString(cfg.Value.S3Uri) != "s3://batch/in/tickets.jsonl" || cfg.Value.S3InputFormat != types.S3InputFormatJsonl {
			t.Fatalf("inputDataConfig = %#v", j.InputDataConfig)
		}
	}

	prefix := "out/" + jobID(arn) + "/"
	if got, want := h.list(t, prefix), []string{prefix + "manifest.json.out", prefix + "tickets.jsonl.out"}; !slices.Equal(got, want) {
		t.Fatalf("output objects = %v, want %v", got, want)
	}
	lines := parseOutput(t, h.get(t, prefix+"tickets.jsonl.out"))
	var got []string
	for _, l := range lines {
		got = append(got, l.RecordID)
		if l.Error != nil {
			t.Fatalf("record %s: unexpected error line %+v", l.RecordID, l.Error)
		}
		var out struct {
			Type  string `json:"type"`
			Usage struct {
				InputTokens int `json:"input_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal(l.ModelOutput, &out); err != nil || out.Type != "message" || out.Usage.InputTokens == 0 {
			t.Fatalf("record %s: modelOutput is not a Claude message with usage: %s", l.RecordID, l.ModelOutput)
		}
		var mi map[string]any
		if err := json.Unmarshal(l.ModelInput, &mi); err != nil || mi["anthropic_version"] != "bedrock-2023-05-31" {
			t.Fatalf("record %s: modelInput not echoed: %s", l.RecordID, l.ModelInput)
		}
	}
	if slices.Equal(got, ids) {
		t.Fatalf("output lines are in input order; want them shuffled")
	}
	slices.Sort(got)
	if !slices.Equal(got, ids) {
		t.Fatalf("output recordIds differ from input recordIds")
	}
	m := readManifest(t, h.get(t, prefix+"manifest.json.out"))
	if m.TotalRecordCount != 120 || m.ProcessedRecordCount != 120 || m.SuccessRecordCount != 120 || m.ErrorRecordCount != 0 || m.InputTokenCount == 0 || m.OutputTokenCount == 0 {
		t.Fatalf("manifest = %+v", m)
	}

	want := []string{"Submitted", "Validating", "Scheduled", "InProgress", "Completed"}
	if got := h.statuses(t, arn); !slices.Equal(got, want) {
		t.Fatalf("event statuses = %v, want %v", got, want)
	}
}

func TestOutputIsDeterministic(t *testing.T) {
	run := func() ([]byte, string) {
		h := newHarness(t, nil)
		h.putRecords(t, "in/a.jsonl", 100)
		arn := h.create(t, createInput("same-job", "in/a.jsonl", "out"))
		h.wait(t)
		return h.get(t, "out/"+jobID(arn)+"/a.jsonl.out"), arn
	}
	a, arnA := run()
	b, arnB := run()
	if arnA != arnB || !bytes.Equal(a, b) {
		t.Fatalf("two identical runs gave different job ARNs (%s, %s) or output", arnA, arnB)
	}
}

func TestPrefixInputReadsEveryJSONLFile(t *testing.T) {
	h := newHarness(t, nil)
	h.putRecords(t, "in/run1/a.jsonl", 60)
	h.putRecords(t, "in/run1/sub/a.jsonl", 30)
	h.put(t, "in/run1/README.txt", "not input")
	h.put(t, "in/run10/other.jsonl", claudeLine("elsewhere", 0)+"\n")
	var b strings.Builder
	for i := range 20 {
		b.WriteString(strings.Replace(claudeLine("x", i), `"recordId":"x",`, "", 1) + "\n\n")
	}
	h.put(t, "in/run1/noid.jsonl", b.String())
	arn := h.create(t, createInput("prefix-job", "in/run1", "out/run1/"))
	h.wait(t)
	j := h.job(t, arn)
	if j.Status != types.ModelInvocationJobStatusCompleted || aws.ToInt64(j.TotalRecordCount) != 110 {
		t.Fatalf("status %s total %d message %q; want Completed with 110 records", j.Status, aws.ToInt64(j.TotalRecordCount), aws.ToString(j.Message))
	}
	prefix := "out/run1/" + jobID(arn) + "/"
	want := []string{prefix + "a.jsonl.out", prefix + "manifest.json.out", prefix + "noid.jsonl.out", prefix + "sub/a.jsonl.out"}
	if got := h.list(t, prefix); !slices.Equal(got, want) {
		t.Fatalf("outputs = %v, want %v", got, want)
	}
	seen := map[string]bool{}
	for _, l := range parseOutput(t, h.get(t, prefix+"noid.jsonl.out")) {
		if len(l.RecordID) != 11 || strings.Trim(l.RecordID, alnum) != "" || seen[l.RecordID] {
			t.Fatalf("generated recordId %q is not a unique 11-character alphanumeric id", l.RecordID)
		}
		seen[l.RecordID] = true
	}
	if len(seen) != 20 {
		t.Fatalf("noid.jsonl.out has %d records, want 20", len(seen))
	}
}

func TestValidationFailsJob(t *testing.T) {
	valid := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(claudeLine("id"+string(rune('a'+i%26))+strings.Repeat("x", i/26), i) + "\n")
		}
		return b.String()
	}
	tests := []struct {
		name    string
		objects map[string]string
		input   string
		limits  Limits
		want    []string
	}{
		{"malformed line", map[string]string{"in/bad.jsonl": valid(50) + `{"recordId":"secret-content","modelInput":{` + "\n" + valid(60)}, "in/bad.jsonl", Limits{}, []string{"s3://batch/in/bad.jsonl", "line 51", "malformed JSON"}},
		{"no modelInput", map[string]string{"in/bad.jsonl": valid(10) + `{"recordId":"r"}` + "\n" + valid(100)}, "in/", Limits{}, []string{"line 11", "modelInput"}},
		{"modelInput not an object", map[string]string{"in/bad.jsonl": `{"recordId":"r","modelInput":"hello"}` + "\n" + valid(100)}, "in/bad.jsonl", Limits{}, []string{"line 1", "not a JSON object"}},
		{"too few records", map[string]string{"in/few.jsonl": valid(99)}, "in/few.jsonl", Limits{}, []string{"99 records", "minimum of 100"}},
		{"too many records", map[string]string{"in/a.jsonl": valid(100), "in/b.jsonl": valid(100)}, "in/", Limits{MaxRecords: 150}, []string{"200 records", "maximum of 150"}},
		{"too many records in a file", map[string]string{"in/a.jsonl": valid(120)}, "in/", Limits{MaxRecordsPerFile: 110}, []string{"120 records", "maximum of 110 records per input file"}},
		{"file too big", map[string]string{"in/a.jsonl": valid(100)}, "in/", Limits{MaxFileBytes: 1000}, []string{"s3://batch/in/a.jsonl", "exceeds the maximum input file size of 1000 bytes"}},
		{"job too big", map[string]string{"in/a.jsonl": valid(100), "in/b.jsonl": valid(100)}, "in/", Limits{MaxJobBytes: 20000}, []string{"exceeds the maximum job size of 20000 bytes"}},
		{"no jsonl files", map[string]string{"in/a.json": valid(100)}, "in/", Limits{}, []string{"No .jsonl input files", "s3://batch/in/"}},
		{"missing bucket", nil, "in/", Limits{}, []string{"could not list objects"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.Limits = tt.limits })
			for k, v := range tt.objects {
				h.put(t, k, v)
			}
			in := createInput("validate", tt.input, "out/")
			if tt.objects == nil {
				in.InputDataConfig = &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{
					Value: types.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://no-such-bucket/in/")},
				}
			}
			arn := h.create(t, in)
			h.wait(t)
			j := h.job(t, arn)
			msg := aws.ToString(j.Message)
			if j.Status != types.ModelInvocationJobStatusFailed {
				t.Fatalf("status = %s, want Failed", j.Status)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "secret-content") {
				t.Errorf("message echoes record content: %q", msg)
			}
			if got := h.list(t, "out/"); len(got) != 0 {
				t.Errorf("a job failed at validation wrote output %v", got)
			}
			if got, want := h.statuses(t, arn), []string{"Submitted", "Validating", "Failed"}; !slices.Equal(got, want) {
				t.Errorf("event statuses = %v, want %v", got, want)
			}
		})
	}
}

func TestQuotaOnActiveJobsPerModel(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		fakeClock(c)
		c.JobDuration = time.Hour
		c.Limits.MaxActiveJobs = 2
	})
	h.putRecords(t, "in/a.jsonl", 100)
	first := h.create(t, createInput("q1", "in/a.jsonl", "out/"))
	profile := createInput("q2", "in/a.jsonl", "out/")
	profile.ModelId = aws.String("us." + testModel)
	h.create(t, profile)

	_, err := h.bedrock.CreateModelInvocationJob(context.Background(), createInput("q3", "in/a.jsonl", "out/"))
	var quota *types.ServiceQuotaExceededException
	if !errors.As(err, &quota) {
		t.Fatalf("third job for the model: err = %v, want ServiceQuotaExceededException", err)
	}
	other := createInput("q4", "in/a.jsonl", "out/")
	other.ModelId = aws.String("amazon.nova-lite-v1:0")
	h.create(t, other)

	h.runUntil(t, first, time.Minute, func(j *bedrock.GetModelInvocationJobOutput) bool {
		return j.Status == types.ModelInvocationJobStatusCompleted
	})
	h.create(t, createInput("q3", "in/a.jsonl", "out/"))
}

func TestStop(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		fakeClock(c)
		c.JobDuration = 100 * time.Second
	})
	h.putRecords(t, "in/a.jsonl", 200)

	t.Run("mid-run keeps partial output", func(t *testing.T) {
		arn := h.create(t, createInput("stop-mid", "in/a.jsonl", "out/"))
		h.runUntil(t, arn, time.Second, func(j *bedrock.GetModelInvocationJobOutput) bool {
			return j.Status == types.ModelInvocationJobStatusInProgress && aws.ToInt64(j.ProcessedRecordCount) >= 60
		})
		if _, err := h.bedrock.StopModelInvocationJob(context.Background(), &bedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(jobID(arn))}); err != nil {
			t.Fatalf("stop by id: %v", err)
		}
		if j := h.job(t, arn); j.Status != types.ModelInvocationJobStatusStopping {
			t.Fatalf("status right after Stop = %s, want Stopping", j.Status)
		}
		if _, err := h.bedrock.StopModelInvocationJob(context.Background(), &bedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(arn)}); err != nil {
			t.Fatalf("second stop while Stopping: %v", err)
		}
		j := h.runUntil(t, arn, time.Second, func(j *bedrock.GetModelInvocationJobOutput) bool {
			return j.Status == types.ModelInvocationJobStatusStopped
		})
		processed := aws.ToInt64(j.ProcessedRecordCount)
		if processed == 0 || processed >= 200 || aws.ToInt64(j.TotalRecordCount) != 200 {
			t.Fatalf("stopped job processed %d of %d; want a part", processed, aws.ToInt64(j.TotalRecordCount))
		}
		prefix := "out/" + jobID(arn) + "/"
		if n := len(parseOutput(t, h.get(t, prefix+"a.jsonl.out"))); int64(n) != processed {
			t.Fatalf("output has %d lines, counters say %d processed", n, processed)
		}
		if m := readManifest(t, h.get(t, prefix+"manifest.json.out")); m.ProcessedRecordCount != processed || m.TotalRecordCount != 200 {
			t.Fatalf("manifest = %+v", m)
		}
		want := []string{"Submitted", "Validating", "Scheduled", "InProgress", "Stopping", "Stopped"}
		if got := h.statuses(t, arn); !slices.Equal(got, want) {
			t.Fatalf("event statuses = %v, want %v", got, want)
		}
		_, err := h.bedrock.StopModelInvocationJob(context.Background(), &bedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(arn)})
		var conflict *types.ConflictException
		if !errors.As(err, &conflict) {
			t.Fatalf("stop of a Stopped job: err = %v, want ConflictException", err)
		}
	})

	t.Run("before start writes nothing", func(t *testing.T) {
		arn := h.create(t, createInput("stop-early", "in/a.jsonl", "out/"))
		if _, err := h.bedrock.StopModelInvocationJob(context.Background(), &bedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(arn)}); err != nil {
			t.Fatalf("stop: %v", err)
		}
		j := h.runUntil(t, arn, time.Second, func(j *bedrock.GetModelInvocationJobOutput) bool {
			return j.Status == types.ModelInvocationJobStatusStopped
		})
		if aws.ToInt64(j.ProcessedRecordCount) != 0 {
			t.Fatalf("processed = %d, want 0", aws.ToInt64(j.ProcessedRecordCount))
		}
		if got := h.list(t, "out/"+jobID(arn)+"/"); len(got) != 0 {
			t.Fatalf("a job stopped before it started wrote %v", got)
		}
	})
}

func TestTimeoutEndsJob(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		fakeClock(c)
		c.JobDuration = 48 * time.Hour // InProgress runs from 16.8h to 48h, past the 24h timeout
	})
	h.putRecords(t, "in/a.jsonl", 100)
	in := createInput("slow", "in/a.jsonl", "out/")
	in.TimeoutDurationInHours = aws.Int32(24)
	arn := h.create(t, in)
	j := h.runUntil(t, arn, 30*time.Minute, func(j *bedrock.GetModelInvocationJobOutput) bool {
		return j.EndTime != nil
	})
	if j.Status != types.ModelInvocationJobStatusPartiallyCompleted {
		t.Fatalf("status = %s, want PartiallyCompleted", j.Status)
	}
	if p := aws.ToInt64(j.ProcessedRecordCount); p == 0 || p >= 100 {
		t.Fatalf("processed = %d, want part of 100", p)
	}
	if j.EndTime.Before(*j.JobExpirationTime) {
		t.Fatalf("ended at %v, before the expiration time %v", j.EndTime, j.JobExpirationTime)
	}
}

func TestPerModelMinimumRecords(t *testing.T) {
	h := newHarness(t, nil)
	var b strings.Builder
	for i := range 60 {
		fmt.Fprintf(&b, `{"recordId":"l%d","modelInput":{"prompt":"Summarize ticket %d","max_gen_len":32}}`+"\n", i, i)
	}
	h.put(t, "in/llama.jsonl", b.String())
	tests := []struct {
		model string
		want  types.ModelInvocationJobStatus
	}{
		{"meta.llama4-scout-17b-instruct-v1:0", types.ModelInvocationJobStatusCompleted},
		{"meta.llama3-70b-instruct-v1:0", types.ModelInvocationJobStatusFailed},
	}
	for i, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			in := createInput(fmt.Sprintf("llama-%d", i), "in/llama.jsonl", "out/")
			in.ModelId = aws.String(tt.model)
			arn := h.create(t, in)
			h.wait(t)
			if j := h.job(t, arn); j.Status != tt.want {
				t.Fatalf("60 records on %s: status %s (%s), want %s", tt.model, j.Status, aws.ToString(j.Message), tt.want)
			}
		})
	}
}

// TestJobsAdvanceIndependently holds every model call of one job until another job, created
// after it, has completed: jobs that were stepped one at a time would never finish.
func TestJobsAdvanceIndependently(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(release) }) }
	t.Cleanup(open)
	var second string
	var mu sync.Mutex
	h := newHarness(t, func(c *Config) {
		c.Invoke = func(modelID, invocationType string, body []byte) ([]byte, error) {
			if bytes.Contains(body, []byte("held")) {
				<-release
			}
			return fakemodel.Invoke(modelID, invocationType, body)
		}
		events := c.OnEvent
		c.OnEvent = func(raw []byte) {
			events(raw)
			var ev BatchJobStateChangeEvent
			if json.Unmarshal(raw, &ev) == nil && ev.Detail.Status == StatusCompleted {
				mu.Lock()
				if ev.Detail.BatchJobARN == second {
					open()
				}
				mu.Unlock()
			}
		}
	})
	var held strings.Builder
	for i := range 100 {
		held.WriteString(strings.Replace(claudeLine(fmt.Sprintf("h%d", i), i), "Classify", "held: classify", 1) + "\n")
	}
	h.put(t, "in/held.jsonl", held.String())
	h.putRecords(t, "in/free.jsonl", 100)
	first := h.create(t, createInput("held-job", "in/held.jsonl", "out/"))
	mu.Lock()
	second = h.create(t, createInput("free-job", "in/free.jsonl", "out/"))
	mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.emu.Wait(ctx); err != nil {
		open()
		t.Fatalf("the second job never completed while the first waited on it: %v", err)
	}
	for _, arn := range []string{first, second} {
		if j := h.job(t, arn); j.Status != types.ModelInvocationJobStatusCompleted || aws.ToInt64(j.SuccessRecordCount) != 100 {
			t.Fatalf("job %s: status %s, %d successes", aws.ToString(j.JobName), j.Status, aws.ToInt64(j.SuccessRecordCount))
		}
	}
	want := []string{"Submitted", "Validating", "Scheduled", "InProgress", "Completed"}
	for _, arn := range []string{first, second} {
		if got := h.statuses(t, arn); !slices.Equal(got, want) {
			t.Fatalf("event statuses of %s = %v, want %v", arn, got, want)
		}
	}
}
