package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/bedrock-batch/bedrock-batch/internal/dirstore"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/run"
	"github.com/bedrock-batch/bedrock-batch/internal/stepfn"
	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

// starter follows StartExecution's contract: the same name and input while running returns the
// same execution; another input under a used name is ErrAlreadyStarted.
type starter struct {
	inputs map[string]string
	starts int
}

func (s *starter) Start(_ context.Context, _, name string, input any) (string, error) {
	b, _ := json.Marshal(input)
	if prev, ok := s.inputs[name]; ok {
		if prev != string(b) {
			return "", fmt.Errorf("start %s: %w", name, stepfn.ErrAlreadyStarted)
		}
		return "arn:exec:" + name, nil
	}
	s.inputs[name] = string(b)
	s.starts++
	return "arn:exec:" + name, nil
}

func fixture(t *testing.T, name string) events.CloudWatchEvent {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CloudWatchEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func newHandler(t *testing.T) (*Handler, *dirstore.Store, *starter) {
	t.Helper()
	store := dirstore.New(t.TempDir())
	st := &starter{inputs: map[string]string{}}
	profiles := profile.Set{
		"default": profile.Profile{Name: "default", ModelID: "anthropic.claude-3-5-haiku-20241022-v1:0"}.Normalize(),
		"nightly": profile.Profile{Name: "nightly", ModelID: "amazon.nova-lite-v1:0", Prefix: "incoming/nightly/", Schedule: "rate(1 day)"}.Normalize(),
	}
	h := &Handler{Store: store, SFN: st, Bucket: "bbatch-local", StateMachineARN: "arn:sm", Profiles: profiles,
		Now: func() time.Time { return time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC) }, Log: slog.New(slog.DiscardHandler)}
	return h, store, st
}

func put(t *testing.T, s *dirstore.Store, key, body string) {
	t.Helper()
	if err := s.Put(context.Background(), key, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
}

func TestObjectCreatedStartsOneRun(t *testing.T) {
	h, store, st := newHandler(t)
	put(t, store, "inbox/default/tickets.jsonl", "{\"modelInput\":{}}\n")
	ev := fixture(t, "s3-object-created-put.json")
	out, err := h.Handle(context.Background(), ev)
	if err != nil || !out.Started || out.RunID == "" {
		t.Fatalf("Handle = %+v, %v", out, err)
	}
	// The same event delivered again, and the multipart variant of the same object: one run.
	for _, again := range []events.CloudWatchEvent{ev, ev} {
		if _, err := h.Handle(context.Background(), again); err != nil {
			t.Fatal(err)
		}
	}
	if st.starts != 1 {
		t.Fatalf("%d executions started, want 1", st.starts)
	}
	var in run.Input
	if err := json.Unmarshal([]byte(st.inputs[out.RunID]), &in); err != nil {
		t.Fatal(err)
	}
	if in.Profile != "default" || in.JobSlots != 20 || in.PollSeconds == 0 || len(in.Sources) != 1 || in.Sources[0].Key != "inbox/default/tickets.jsonl" {
		t.Fatalf("execution input %+v", in)
	}
	if _, err := store.Get(context.Background(), layout.RunKey(out.RunID)); err != nil {
		t.Fatalf("run record not written: %v", err)
	}
}

func TestObjectCreatedIgnoresWhatIsNotADataset(t *testing.T) {
	h, store, st := newHandler(t)
	ev := fixture(t, "s3-object-created-put.json")
	for _, key := range []string{"inbox/default/README.md", "results/x/report.json", "inbox/top.jsonl"} {
		put(t, store, key, "x")
		ev.Detail = detail(t, "bbatch-local", key)
		out, err := h.Handle(context.Background(), ev)
		if err != nil || out.Started || out.Reason == "" {
			t.Fatalf("%s: %+v, %v", key, out, err)
		}
	}
	ev.Detail = detail(t, "other-bucket", "inbox/default/a.jsonl")
	if out, err := h.Handle(context.Background(), ev); err != nil || out.Started {
		t.Fatalf("other bucket: %+v, %v", out, err)
	}
	if st.starts != 0 {
		t.Fatalf("%d runs started", st.starts)
	}
}

func TestUnknownProfileIsInvalidInput(t *testing.T) {
	h, store, _ := newHandler(t)
	put(t, store, "inbox/nosuch/a.jsonl", "x")
	ev := fixture(t, "s3-object-created-put.json")
	ev.Detail = detail(t, "bbatch-local", "inbox/nosuch/a.jsonl")
	_, err := h.Handle(context.Background(), ev)
	var invalid *taskerr.InvalidInputError
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), `profile "nosuch" is not configured`) {
		t.Fatalf("Handle = %v", err)
	}
}

func TestURLEncodedKeyIsDecoded(t *testing.T) {
	h, store, _ := newHandler(t)
	put(t, store, "inbox/default/my tickets.jsonl", "{}\n")
	ev := fixture(t, "s3-object-created-put.json")
	ev.Detail = detail(t, "bbatch-local", "inbox/default/my+tickets.jsonl")
	out, err := h.Handle(context.Background(), ev)
	if err != nil || !out.Started {
		t.Fatalf("Handle = %+v, %v", out, err)
	}
}

func TestScheduledRunTakesEachObjectOnce(t *testing.T) {
	h, store, st := newHandler(t)
	put(t, store, "incoming/nightly/a.jsonl", "a\n")
	put(t, store, "incoming/nightly/b.jsonl.gz", "b\n")
	put(t, store, "incoming/nightly/notes.txt", "n\n")
	ev := fixture(t, "scheduled-event-profile.json")
	first, err := h.Handle(context.Background(), ev)
	if err != nil || !first.Started {
		t.Fatalf("first schedule: %+v, %v", first, err)
	}
	var in run.Input
	if err := json.Unmarshal([]byte(st.inputs[first.RunID]), &in); err != nil || len(in.Sources) != 2 {
		t.Fatalf("first run takes %+v, %v; want the two datasets", in.Sources, err)
	}
	second, err := h.Handle(context.Background(), ev)
	if err != nil || second.Started {
		t.Fatalf("second schedule with nothing new: %+v, %v", second, err)
	}
	put(t, store, "incoming/nightly/c.jsonl", "c\n")
	third, err := h.Handle(context.Background(), ev)
	if err != nil || !third.Started || third.RunID == first.RunID {
		t.Fatalf("third schedule: %+v, %v", third, err)
	}
	if err := json.Unmarshal([]byte(st.inputs[third.RunID]), &in); err != nil || len(in.Sources) != 1 || in.Sources[0].Key != "incoming/nightly/c.jsonl" {
		t.Fatalf("third run takes %+v", in.Sources)
	}
}

func TestScheduledEventNamingAPrefix(t *testing.T) {
	h, store, st := newHandler(t)
	put(t, store, "incoming/nightly/a.jsonl", "a\n")
	put(t, store, "backfill/2026-05/x.jsonl", "x\n")
	ev := fixture(t, "scheduled-event-profile.json")
	ev.Detail = json.RawMessage(`{"profile":"nightly","prefix":"backfill/"}`)
	out, err := h.Handle(context.Background(), ev)
	if err != nil || !out.Started {
		t.Fatalf("Handle = %+v, %v", out, err)
	}
	var in run.Input
	if err := json.Unmarshal([]byte(st.inputs[out.RunID]), &in); err != nil || len(in.Sources) != 1 || in.Sources[0].Key != "backfill/2026-05/x.jsonl" {
		t.Fatalf("run takes %+v, %v; want only the object under the named prefix", in.Sources, err)
	}
}

func TestScheduledEventWithoutProfile(t *testing.T) {
	h, _, _ := newHandler(t)
	_, err := h.Handle(context.Background(), fixture(t, "scheduled-event.json"))
	var invalid *taskerr.InvalidInputError
	if !errors.As(err, &invalid) {
		t.Fatalf("Handle = %v, want InvalidInputError", err)
	}
}

func detail(t *testing.T, bucket, key string) json.RawMessage {
	t.Helper()
	var d S3ObjectCreatedDetail
	d.Bucket.Name = bucket
	d.Object.Key = key
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
