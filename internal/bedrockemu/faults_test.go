package bedrockemu

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrock-batch/bedrock-batch/internal/faults"
)

func withFaults(spec string) func(*Config) {
	return func(c *Config) {
		s, err := faults.Parse(spec)
		if err != nil {
			panic(err)
		}
		c.Faults = s
	}
}

func TestRecordFaults(t *testing.T) {
	h := newHarness(t, withFaults("record-retryable=0.3,record-permanent=0.1,seed=7"))
	ids := h.putRecords(t, "in/a.jsonl", 200)
	// One record, spared by the faults, breaks the Claude schema: the model itself answers 400.
	spec := h.emu.cfg.Faults
	schemaID := ""
	for i := 0; schemaID == ""; i++ {
		id := fmt.Sprintf("no-max-tokens-%d", i)
		if !spec.Hit(spec.RecordPermanent, "record-permanent", "record-faults", id) && !spec.Hit(spec.RecordRetryable, "record-retryable", "record-faults", id) {
			schemaID = id
		}
	}
	h.put(t, "in/b.jsonl", `{"recordId":"`+schemaID+`","modelInput":{"anthropic_version":"bedrock-2023-05-31","messages":[{"role":"user","content":"hi"}]}}`+"\n")
	arn := h.create(t, createInput("record-faults", "in/", "out/"))
	h.wait(t)
	j := h.job(t, arn)
	if j.Status != types.ModelInvocationJobStatusCompleted {
		t.Fatalf("status = %s, want Completed: record errors do not fail a job", j.Status)
	}
	prefix := "out/" + jobID(arn) + "/"
	lines := parseOutput(t, h.get(t, prefix+"a.jsonl.out"))
	codes := map[int]int{}
	errorsSeen := 0
	for _, l := range lines {
		want := 0
		switch {
		case spec.Hit(spec.RecordPermanent, "record-permanent", "record-faults", l.RecordID):
			want = 400
		case spec.Hit(spec.RecordRetryable, "record-retryable", "record-faults", l.RecordID):
			want = -1 // one of 429, 500, 408
		}
		switch {
		case want == 0 && l.Error != nil:
			t.Fatalf("record %s: unexpected error %+v", l.RecordID, l.Error)
		case want == 400 && (l.Error == nil || l.Error.ErrorCode != 400 || l.Error.ErrorMessage == ""):
			t.Fatalf("record %s: want a 400 error line, got %+v", l.RecordID, l.Error)
		case want == -1 && (l.Error == nil || !slices.Contains([]int{429, 500, 408}, l.Error.ErrorCode) || l.Error.ErrorMessage == ""):
			t.Fatalf("record %s: want a retryable error line, got %+v", l.RecordID, l.Error)
		}
		if l.Error != nil {
			codes[l.Error.ErrorCode]++
			errorsSeen++
		}
	}
	for _, c := range []int{400, 429, 500, 408} {
		if codes[c] == 0 {
			t.Errorf("no error line with errorCode %d among %d records (codes %v)", c, len(ids), codes)
		}
	}
	schema := parseOutput(t, h.get(t, prefix+"b.jsonl.out"))
	if len(schema) != 1 || schema[0].Error == nil || schema[0].Error.ErrorCode != 400 || !strings.Contains(schema[0].Error.ErrorMessage, "max_tokens") {
		t.Fatalf("schema-breaking record: %+v", schema[0].Error)
	}
	errorsSeen++
	if got := aws.ToInt64(j.ErrorRecordCount); got != int64(errorsSeen) || aws.ToInt64(j.SuccessRecordCount) != int64(201-errorsSeen) {
		t.Fatalf("counters error %d success %d, output has %d errors of 201", got, aws.ToInt64(j.SuccessRecordCount), errorsSeen)
	}
	if m := readManifest(t, h.get(t, prefix+"manifest.json.out")); m.ErrorRecordCount != int64(errorsSeen) || m.ProcessedRecordCount != 201 {
		t.Fatalf("manifest = %+v, want %d errors of 201", m, errorsSeen)
	}
}

// namesFor returns a job name on which the job-fail phase decision falls each way.
func namesFor(t *testing.T, spec faults.Spec) (atValidation, midRun string) {
	for i := 0; atValidation == "" || midRun == ""; i++ {
		name := fmt.Sprintf("fail-%d", i)
		if spec.Roll("job-fail-phase", name) < 0.5 {
			if atValidation == "" {
				atValidation = name
			}
		} else if midRun == "" {
			midRun = name
		}
	}
	return atValidation, midRun
}

func TestJobFaults(t *testing.T) {
	t.Run("job-fail at validation and mid-run", func(t *testing.T) {
		h := newHarness(t, withFaults("job-fail=1,seed=3"))
		h.putRecords(t, "in/a.jsonl", 100)
		early, late := namesFor(t, h.emu.cfg.Faults)

		arn := h.create(t, createInput(early, "in/a.jsonl", "out/"))
		h.wait(t)
		j := h.job(t, arn)
		if j.Status != types.ModelInvocationJobStatusFailed || !strings.Contains(aws.ToString(j.Message), "GetObject") {
			t.Fatalf("validation failure: status %s message %q", j.Status, aws.ToString(j.Message))
		}
		if got := h.list(t, "out/"+jobID(arn)+"/"); len(got) != 0 {
			t.Fatalf("validation failure wrote %v", got)
		}
		if got, want := h.statuses(t, arn), []string{"Submitted", "Validating", "Failed"}; !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}

		arn = h.create(t, createInput(late, "in/a.jsonl", "out/"))
		h.wait(t)
		j = h.job(t, arn)
		p := aws.ToInt64(j.ProcessedRecordCount)
		if j.Status != types.ModelInvocationJobStatusFailed || aws.ToString(j.Message) == "" || p == 0 || p >= 100 {
			t.Fatalf("mid-run failure: status %s processed %d message %q", j.Status, p, aws.ToString(j.Message))
		}
		prefix := "out/" + jobID(arn) + "/"
		if n := len(parseOutput(t, h.get(t, prefix+"a.jsonl.out"))); int64(n) != p {
			t.Fatalf("partial output has %d lines, processed %d", n, p)
		}
		readManifest(t, h.get(t, prefix+"manifest.json.out"))
		if got, want := h.statuses(t, arn), []string{"Submitted", "Validating", "Scheduled", "InProgress", "Failed"}; !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
	})

	t.Run("job-partial leaves records out", func(t *testing.T) {
		h := newHarness(t, withFaults("job-partial=1"))
		ids := h.putRecords(t, "in/a.jsonl", 100)
		arn := h.create(t, createInput("partial", "in/a.jsonl", "out/"))
		h.wait(t)
		j := h.job(t, arn)
		if j.Status != types.ModelInvocationJobStatusPartiallyCompleted {
			t.Fatalf("status = %s, want PartiallyCompleted", j.Status)
		}
		prefix := "out/" + jobID(arn) + "/"
		lines := parseOutput(t, h.get(t, prefix+"a.jsonl.out"))
		p := aws.ToInt64(j.ProcessedRecordCount)
		if p == 0 || p >= 100 || int64(len(lines)) != p || aws.ToInt64(j.TotalRecordCount) != 100 {
			t.Fatalf("processed %d of %d, %d output lines", p, aws.ToInt64(j.TotalRecordCount), len(lines))
		}
		for _, l := range lines {
			if !slices.Contains(ids, l.RecordID) {
				t.Fatalf("unknown recordId %q in output", l.RecordID)
			}
		}
		if m := readManifest(t, h.get(t, prefix+"manifest.json.out")); m.ProcessedRecordCount != p || m.TotalRecordCount != 100 {
			t.Fatalf("manifest = %+v", m)
		}
	})

	t.Run("job-expire never starts", func(t *testing.T) {
		h := newHarness(t, withFaults("job-expire=1"))
		h.putRecords(t, "in/a.jsonl", 100)
		arn := h.create(t, createInput("expire", "in/a.jsonl", "out/"))
		h.wait(t)
		if j := h.job(t, arn); j.Status != types.ModelInvocationJobStatusExpired || aws.ToInt64(j.ProcessedRecordCount) != 0 {
			t.Fatalf("status %s processed %d, want Expired with nothing processed", j.Status, aws.ToInt64(j.ProcessedRecordCount))
		}
		if got, want := h.statuses(t, arn), []string{"Submitted", "Validating", "Scheduled", "Expired"}; !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		if got := h.list(t, "out/"); len(got) != 0 {
			t.Fatalf("expired job wrote %v", got)
		}
	})
}

func TestCreateFaults(t *testing.T) {
	tests := []struct {
		spec string
		want any
	}{
		{"create-throttle=1", new(*types.ThrottlingException)},
		{"create-quota=1", new(*types.ServiceQuotaExceededException)},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			h := newHarness(t, withFaults(tt.spec))
			_, err := h.bedrock.CreateModelInvocationJob(context.Background(), createInput("faulty", "in/", "out/"))
			if !errors.As(err, tt.want) {
				t.Fatalf("err = %v, want %T", err, tt.want)
			}
			if jobs := listAll(t, h, &bedrock.ListModelInvocationJobsInput{}); len(jobs) != 0 {
				t.Fatalf("a refused Create made jobs %v", jobs)
			}
		})
	}

	t.Run("throttled creates succeed on a later attempt", func(t *testing.T) {
		h := newHarness(t, withFaults("create-throttle=0.5,seed=11"))
		for i := range 5 {
			name := fmt.Sprintf("retry-%d", i)
			var err error
			for range 20 {
				if _, err = h.bedrock.CreateModelInvocationJob(context.Background(), createInput(name, "in/", "out/")); err == nil {
					break
				}
				var th *types.ThrottlingException
				if !errors.As(err, &th) {
					t.Fatalf("create %s: %v", name, err)
				}
			}
			if err != nil {
				t.Fatalf("create %s still throttled after 20 calls", name)
			}
		}
	})
}
