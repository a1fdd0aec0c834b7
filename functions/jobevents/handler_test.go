package jobevents

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

type waker struct{ calls [][2]string }

func (w *waker) OnJobStateChange(_ context.Context, name, arn string) error {
	w.calls = append(w.calls, [2]string{name, arn})
	return nil
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

func TestHandle(t *testing.T) {
	for _, name := range []string{"bedrock-batch-job-state-change-completed.json", "bedrock-batch-job-state-change-failed.json"} {
		t.Run(name, func(t *testing.T) {
			w := &waker{}
			ev := fixture(t, name)
			if err := (&Handler{Waker: w}).Handle(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			var d BatchJobStateChangeDetail
			if err := json.Unmarshal(ev.Detail, &d); err != nil {
				t.Fatal(err)
			}
			if len(w.calls) != 1 || w.calls[0] != [2]string{d.BatchJobName, d.BatchJobARN} {
				t.Fatalf("calls %v, want the job's name and ARN", w.calls)
			}
		})
	}
	t.Run("other events are ignored", func(t *testing.T) {
		w := &waker{}
		if err := (&Handler{Waker: w}).Handle(context.Background(), fixture(t, "s3-object-created-put.json")); err != nil || len(w.calls) != 0 {
			t.Fatalf("err %v, calls %v", err, w.calls)
		}
	})
	t.Run("detail without a job", func(t *testing.T) {
		ev := fixture(t, "bedrock-batch-job-state-change-completed.json")
		ev.Detail = json.RawMessage(`{"status":"Completed"}`)
		err := (&Handler{Waker: &waker{}}).Handle(context.Background(), ev)
		var invalid *taskerr.InvalidInputError
		if !errors.As(err, &invalid) {
			t.Fatalf("err %v, want InvalidInputError", err)
		}
	})
}
