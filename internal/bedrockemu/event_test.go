package bedrockemu

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/bedrock"
)

var update = flag.Bool("update", false, "rewrite the event fixtures in events/ from the emitter's output")

// lastEvent runs one job to its end on a fixed clock and returns its final state change event.
func lastEvent(t *testing.T, records int) []byte {
	t.Helper()
	h := newHarness(t, func(c *Config) {
		fakeClock(c)
		c.JobDuration = 40 * time.Minute
	})
	h.putRecords(t, "in/20260504/tickets.jsonl", records)
	arn := h.create(t, createInput("nightly-summaries-20260504", "in/20260504/", "out/"))
	h.runUntil(t, arn, time.Minute, func(j *bedrock.GetModelInvocationJobOutput) bool { return j.EndTime != nil })
	h.mu.Lock()
	defer h.mu.Unlock()
	ev := h.events[len(h.events)-1]
	if !strings.Contains(string(ev), arn) {
		t.Fatalf("last event is not about job %s", arn)
	}
	return ev
}

// keys lists the field paths of a JSON object, nested objects included ("detail.status").
func keys(t *testing.T, raw []byte) []string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("decode event: %v", err)
	}
	var out []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			out = append(out, prefix+k)
			if sub, ok := v.(map[string]any); ok {
				walk(prefix+k+".", sub)
			}
		}
	}
	walk("", m)
	sort.Strings(out)
	return out
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestEventShapeMatchesFixtures(t *testing.T) {
	tests := []struct {
		variant, status, failure string
		records                  int
	}{
		{"completed", "Completed", "", 100},
		{"failed", "Failed", "minimum of 100 records", 3},
	}
	for _, tt := range tests {
		t.Run(tt.variant, func(t *testing.T) {
			got := lastEvent(t, tt.records)
			path := filepath.Join("..", "..", "events", "bedrock-batch-job-state-change-"+tt.variant+".json")
			if *update {
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, got, "", "  "); err != nil {
					t.Fatal(err)
				}
				pretty.WriteByte('\n')
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatalf("update fixture: %v", err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read fixture (run with -update to create it): %v", err)
			}
			if g, w := keys(t, got), keys(t, want); strings.Join(g, ",") != strings.Join(w, ",") {
				t.Fatalf("event fields %v, fixture fields %v", g, w)
			}

			var ev BatchJobStateChangeEvent
			dec := json.NewDecoder(bytes.NewReader(got))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&ev); err != nil {
				t.Fatal(err)
			}
			if ev.Version != "0" || ev.Source != "aws.bedrock" || ev.DetailType != "Batch Inference Job State Change" ||
				ev.Account != "123456789012" || ev.Region != "us-east-1" || ev.Detail.Version != "0.0" || ev.Detail.AccountID != "123456789012" {
				t.Errorf("envelope constants wrong: %+v", ev)
			}
			if !uuidPattern.MatchString(ev.ID) {
				t.Errorf("id %q is not a UUID", ev.ID)
			}
			if _, err := time.Parse(time.RFC3339, ev.Time); err != nil {
				t.Errorf("time %q is not RFC 3339", ev.Time)
			}
			if len(ev.Resources) != 1 || ev.Resources[0] != ev.Detail.BatchJobARN || !jobIdentifierPattern.MatchString(ev.Detail.BatchJobARN) {
				t.Errorf("resources %v, batchJobArn %q", ev.Resources, ev.Detail.BatchJobARN)
			}
			if ev.Detail.BatchModelID != "arn:aws:bedrock:us-east-1::foundation-model/"+testModel || ev.Detail.BatchJobName != "nightly-summaries-20260504" {
				t.Errorf("detail = %+v", ev.Detail)
			}
			if ev.Detail.CreationTime != "May 4, 2026, 7:02:11 AM" {
				t.Errorf("creationTime = %q, want the console format", ev.Detail.CreationTime)
			}
			if ev.Detail.Status != tt.status || !strings.Contains(ev.Detail.FailureMessage, tt.failure) || (tt.failure == "" && ev.Detail.FailureMessage != "") {
				t.Errorf("status %q failureMessage %q", ev.Detail.Status, ev.Detail.FailureMessage)
			}
		})
	}
}
