package bedrockemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
)

func TestCreateValidation(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		name   string
		modify func(*bedrock.CreateModelInvocationJobInput)
		want   string
	}{
		{"jobName with underscore", func(in *bedrock.CreateModelInvocationJobInput) { in.JobName = aws.String("bad_name") }, "Value 'bad_name' at 'jobName' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"jobName too long", func(in *bedrock.CreateModelInvocationJobInput) { in.JobName = aws.String(strings.Repeat("a", 64)) }, "Member must have length less than or equal to 63"},
		{"input s3Uri with =", func(in *bedrock.CreateModelInvocationJobInput) {
			in.InputDataConfig = &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{Value: types.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://batch/dt=2026-05-04/")}}
		}, "at 'inputDataConfig.s3InputDataConfig.s3Uri'"},
		{"output s3Uri not s3", func(in *bedrock.CreateModelInvocationJobInput) {
			in.OutputDataConfig = &types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{Value: types.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String("https://batch/out/")}}
		}, "at 'outputDataConfig.s3OutputDataConfig.s3Uri'"},
		{"timeout below 24", func(in *bedrock.CreateModelInvocationJobInput) { in.TimeoutDurationInHours = aws.Int32(23) }, "Member must have value greater than or equal to 24"},
		{"timeout above 168", func(in *bedrock.CreateModelInvocationJobInput) { in.TimeoutDurationInHours = aws.Int32(169) }, "Member must have value less than or equal to 168"},
		{"unknown model", func(in *bedrock.CreateModelInvocationJobInput) { in.ModelId = aws.String("acme.no-such-model-v1:0") }, "The provided model identifier is invalid."},
		{"role not an IAM role ARN", func(in *bedrock.CreateModelInvocationJobInput) {
			in.RoleArn = aws.String("arn:aws:iam::123456789012:user/bob")
		}, "at 'roleArn'"},
		{"bad invocation type", func(in *bedrock.CreateModelInvocationJobInput) { in.ModelInvocationType = "Stream" }, "Member must satisfy enum value set: [InvokeModel, Converse]"},
		{"bad token", func(in *bedrock.CreateModelInvocationJobInput) { in.ClientRequestToken = aws.String("not a token") }, "at 'clientRequestToken'"},
		{"bad tag value", func(in *bedrock.CreateModelInvocationJobInput) {
			in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("a|b")}}
		}, "at 'tags.1.member.value'"},
		{"empty security groups", func(in *bedrock.CreateModelInvocationJobInput) {
			in.VpcConfig = &types.VpcConfig{SubnetIds: []string{"subnet-1"}, SecurityGroupIds: []string{}}
		}, "at 'vpcConfig.securityGroupIds'"},
		{"bad bucket owner", func(in *bedrock.CreateModelInvocationJobInput) {
			in.InputDataConfig = &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{Value: types.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://batch/in/"), S3BucketOwner: aws.String("12345")}}
		}, "at 'inputDataConfig.s3InputDataConfig.s3BucketOwner'"},
		{"two errors", func(in *bedrock.CreateModelInvocationJobInput) {
			in.JobName = aws.String("bad_name")
			in.TimeoutDurationInHours = aws.Int32(1)
		}, "2 validation errors detected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := createInput("valid-name", "in/", "out/")
			tt.modify(in)
			_, err := h.bedrock.CreateModelInvocationJob(context.Background(), in)
			var ve *types.ValidationException
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want ValidationException", err)
			}
			if !strings.Contains(ve.ErrorMessage(), tt.want) {
				t.Fatalf("message %q does not contain %q", ve.ErrorMessage(), tt.want)
			}
		})
	}
	if jobs := listAll(t, h, &bedrock.ListModelInvocationJobsInput{}); len(jobs) != 0 {
		t.Fatalf("rejected requests created %d jobs", len(jobs))
	}
}

func TestCreateAcceptsEveryModelIDForm(t *testing.T) {
	h := newHarness(t, nil)
	h.putRecords(t, "in/a.jsonl", 100)
	tests := []struct {
		name, modelID, wantGet, wantEvent string
	}{
		{"base id", testModel, testModel, "arn:aws:bedrock:us-east-1::foundation-model/" + testModel},
		{"cross-region profile id", "us." + testModel, "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us." + testModel, "arn:aws:bedrock:us-east-1::foundation-model/" + testModel},
		{"foundation-model ARN", "arn:aws:bedrock:us-east-1::foundation-model/" + testModel, "arn:aws:bedrock:us-east-1::foundation-model/" + testModel, "arn:aws:bedrock:us-east-1::foundation-model/" + testModel},
		{"inference-profile ARN", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global." + testModel, "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global." + testModel, "arn:aws:bedrock:us-east-1::foundation-model/" + testModel},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := createInput(fmt.Sprintf("model-form-%d", i), "in/a.jsonl", "out/")
			in.ModelId = aws.String(tt.modelID)
			arn := h.create(t, in)
			h.wait(t)
			j := h.job(t, arn)
			if got := aws.ToString(j.ModelId); got != tt.wantGet {
				t.Errorf("Get modelId = %q, want %q", got, tt.wantGet)
			}
			if j.Status != types.ModelInvocationJobStatusCompleted {
				t.Errorf("status = %s (%s), want Completed", j.Status, aws.ToString(j.Message))
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			var ev BatchJobStateChangeEvent
			if err := json.Unmarshal(h.events[len(h.events)-1], &ev); err != nil {
				t.Fatal(err)
			}
			if ev.Detail.BatchModelID != tt.wantEvent {
				t.Errorf("batchModelId = %q, want %q", ev.Detail.BatchModelID, tt.wantEvent)
			}
		})
	}
}

func TestCreateIdempotency(t *testing.T) {
	h := newHarness(t, nil)
	h.putRecords(t, "in/a.jsonl", 100)
	in := createInput("idem-1", "in/a.jsonl", "out/")
	in.ClientRequestToken = aws.String("6f1c2b7e-0d55-4d2b-9a8a-1f0e6a3c9b21")
	first := h.create(t, in)
	h.wait(t)
	if again := h.create(t, in); again != first {
		t.Fatalf("replay returned %s, want the original %s", again, first)
	}
	if jobs := listAll(t, h, &bedrock.ListModelInvocationJobsInput{}); len(jobs) != 1 {
		t.Fatalf("replays created %d jobs, want 1", len(jobs))
	}

	changed := createInput("idem-1", "in/a.jsonl", "out/other/")
	changed.ClientRequestToken = in.ClientRequestToken
	_, err := h.bedrock.CreateModelInvocationJob(context.Background(), changed)
	var conflict *types.ConflictException
	if !errors.As(err, &conflict) {
		t.Fatalf("same token, different parameters: err = %v, want ConflictException", err)
	}

	sameName := createInput("idem-1", "in/a.jsonl", "out/")
	_, err = h.bedrock.CreateModelInvocationJob(context.Background(), sameName)
	var ve *types.ValidationException
	if !errors.As(err, &ve) || !strings.Contains(ve.ErrorMessage(), "already in use") {
		t.Fatalf("same name, new token: err = %v, want ValidationException about the name in use", err)
	}
}

func TestGetAndStopErrors(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		name, id string
		want     any
	}{
		{"unknown bare id", "abcd1234efgh", new(*types.ResourceNotFoundException)},
		{"unknown ARN", "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcd1234efgh", new(*types.ResourceNotFoundException)},
		{"ARN of another account", "arn:aws:bedrock:us-east-1:210987654321:model-invocation-job/abcd1234efgh", new(*types.ResourceNotFoundException)},
		{"malformed id", "ABC", new(*types.ValidationException)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.bedrock.GetModelInvocationJob(context.Background(), &bedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(tt.id)})
			if !errors.As(err, tt.want) {
				t.Errorf("Get: err = %v, want %T", err, tt.want)
			}
			_, err = h.bedrock.StopModelInvocationJob(context.Background(), &bedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(tt.id)})
			if !errors.As(err, tt.want) {
				t.Errorf("Stop: err = %v, want %T", err, tt.want)
			}
		})
	}
}

func listAll(t *testing.T, h *harness, in *bedrock.ListModelInvocationJobsInput) []string {
	t.Helper()
	var names []string
	p := bedrock.NewListModelInvocationJobsPaginator(h.bedrock, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		if in.MaxResults != nil && len(page.InvocationJobSummaries) > int(*in.MaxResults) {
			t.Fatalf("page of %d summaries, maxResults %d", len(page.InvocationJobSummaries), *in.MaxResults)
		}
		for _, s := range page.InvocationJobSummaries {
			names = append(names, aws.ToString(s.JobName))
		}
	}
	return names
}

func TestList(t *testing.T) {
	var clock *FakeClock
	h := newHarness(t, func(c *Config) { clock = fakeClock(c) })
	h.putRecords(t, "in/a.jsonl", 100)
	start := clock.Now()
	for i := range 7 {
		name := fmt.Sprintf("list-%d", i)
		if i%2 == 1 {
			name = fmt.Sprintf("other-%d", i)
		}
		input := "in/a.jsonl"
		if i == 6 {
			input = "in/missing.jsonl"
		}
		h.create(t, createInput(name, input, "out/"))
		h.wait(t)
		clock.Advance(time.Second)
	}
	all := []string{"list-6", "other-5", "list-4", "other-3", "list-2", "other-1", "list-0"}
	tests := []struct {
		name string
		in   bedrock.ListModelInvocationJobsInput
		want []string
	}{
		{"default is newest first", bedrock.ListModelInvocationJobsInput{}, all},
		{"pages of 3", bedrock.ListModelInvocationJobsInput{MaxResults: aws.Int32(3)}, all},
		{"pages of 1 ascending", bedrock.ListModelInvocationJobsInput{MaxResults: aws.Int32(1), SortBy: types.SortJobsByCreationTime, SortOrder: types.SortOrderAscending}, reversed(all)},
		{"status", bedrock.ListModelInvocationJobsInput{StatusEquals: types.ModelInvocationJobStatusFailed}, []string{"list-6"}},
		{"name contains", bedrock.ListModelInvocationJobsInput{NameContains: aws.String("other"), MaxResults: aws.Int32(2)}, []string{"other-5", "other-3", "other-1"}},
		{"submit time window", bedrock.ListModelInvocationJobsInput{SubmitTimeAfter: aws.Time(start.Add(1500 * time.Millisecond)), SubmitTimeBefore: aws.Time(start.Add(4 * time.Second))}, []string{"other-3", "list-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if got := listAll(t, h, &in); !slices.Equal(got, tt.want) {
				t.Fatalf("jobs = %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("summary carries the Get fields", func(t *testing.T) {
		out, err := h.bedrock.ListModelInvocationJobs(context.Background(), &bedrock.ListModelInvocationJobsInput{NameContains: aws.String("list-0")})
		if err != nil {
			t.Fatal(err)
		}
		s := out.InvocationJobSummaries[0]
		if s.Status != types.ModelInvocationJobStatusCompleted || aws.ToInt64(s.TotalRecordCount) != 100 || s.SubmitTime == nil || s.EndTime == nil || aws.ToString(s.ModelId) != testModel {
			t.Fatalf("summary = %+v", s)
		}
	})

	bad := []struct {
		name string
		in   bedrock.ListModelInvocationJobsInput
	}{
		{"maxResults 0", bedrock.ListModelInvocationJobsInput{MaxResults: aws.Int32(0)}},
		{"maxResults 1001", bedrock.ListModelInvocationJobsInput{MaxResults: aws.Int32(1001)}},
		{"unknown status", bedrock.ListModelInvocationJobsInput{StatusEquals: "Done"}},
		{"unknown sort order", bedrock.ListModelInvocationJobsInput{SortOrder: "Sideways"}},
		{"forged nextToken", bedrock.ListModelInvocationJobsInput{NextToken: aws.String("bm90LWEtdG9rZW4")}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			_, err := h.bedrock.ListModelInvocationJobs(context.Background(), &in)
			var ve *types.ValidationException
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want ValidationException", err)
			}
		})
	}
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// TestWire checks the raw HTTP shapes the SDK relies on (reference §1.2, §1.5).
func TestWire(t *testing.T) {
	h := newHarness(t, nil)
	h.putRecords(t, "in/a.jsonl", 100)
	arn := h.create(t, createInput("wire", "in/a.jsonl", "out/"))
	h.wait(t)

	do := func(t *testing.T, method, rawPath, body string) (*http.Response, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, h.url+rawPath, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if len(b) > 0 {
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s %s: body is not JSON: %s", method, rawPath, b)
			}
		}
		if resp.Header.Get("X-Amzn-Requestid") == "" {
			t.Errorf("%s %s: no x-amzn-RequestId", method, rawPath)
		}
		return resp, m
	}

	t.Run("escaped ARN in the path", func(t *testing.T) {
		resp, m := do(t, "GET", "/model-invocation-job/"+url.PathEscape(arn), "")
		if resp.StatusCode != 200 || m["jobArn"] != arn {
			t.Fatalf("status %d body %v", resp.StatusCode, m)
		}
		for _, k := range []string{"submitTime", "lastModifiedTime", "endTime", "jobExpirationTime"} {
			s, _ := m[k].(string)
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				t.Errorf("%s = %v, want an RFC 3339 string", k, m[k])
			}
		}
	})
	t.Run("fully escaped ARN as the SDK sends it", func(t *testing.T) {
		escaped := strings.NewReplacer(":", "%3A", "/", "%2F").Replace(arn)
		resp, m := do(t, "GET", "/model-invocation-job/"+escaped, "")
		if resp.StatusCode != 200 || m["jobArn"] != arn {
			t.Fatalf("status %d body %v", resp.StatusCode, m)
		}
	})

	errorCases := []struct {
		name, method, path, body string
		status                   int
		errType                  string
	}{
		{"union with two members", "POST", "/model-invocation-job", `{"jobName":"u","roleArn":"` + testRole + `","modelId":"` + testModel + `","inputDataConfig":{"s3InputDataConfig":{"s3Uri":"s3://batch/in/"},"other":{}},"outputDataConfig":{"s3OutputDataConfig":{"s3Uri":"s3://batch/out/"}}}`, 400, "ValidationException"},
		{"union with unknown member", "POST", "/model-invocation-job", `{"jobName":"u","roleArn":"` + testRole + `","modelId":"` + testModel + `","inputDataConfig":{"s3Input":{"s3Uri":"s3://batch/in/"}},"outputDataConfig":{"s3OutputDataConfig":{"s3Uri":"s3://batch/out/"}}}`, 400, "ValidationException"},
		{"missing output config", "POST", "/model-invocation-job", `{"jobName":"u","roleArn":"` + testRole + `","modelId":"` + testModel + `","inputDataConfig":{"s3InputDataConfig":{"s3Uri":"s3://batch/in/"}}}`, 400, "ValidationException"},
		{"body not JSON", "POST", "/model-invocation-job", `{`, 400, "ValidationException"},
		{"unknown job", "GET", "/model-invocation-job/zzzzzzzzzzzz", "", 404, "ResourceNotFoundException"},
		{"unknown operation", "DELETE", "/model-invocation-job/zzzzzzzzzzzz", "", 404, "UnknownOperationException"},
	}
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			resp, m := do(t, tt.method, tt.path, tt.body)
			if resp.StatusCode != tt.status || resp.Header.Get("X-Amzn-ErrorType") != tt.errType {
				t.Fatalf("status %d type %q, want %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), tt.status, tt.errType)
			}
			if msg, _ := m["message"].(string); msg == "" {
				t.Fatalf("error body %v has no message", m)
			}
		})
	}
}
