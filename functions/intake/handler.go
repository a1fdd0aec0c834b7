// Package intake is the intake Lambda's handler: it turns an S3 "Object Created" event under inbox/<profile>/,
// or a scheduled event naming a profile, into one execution of the pipeline state machine, named
// by the run id so that duplicated events and re-uploads of the same content start one run.
package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/bedrock-batch/bedrock-batch/internal/eventrule"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/run"
	"github.com/bedrock-batch/bedrock-batch/internal/stepfn"
	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

// Store is the part of the bucket intake uses.
type Store interface {
	Put(ctx context.Context, key string, body io.Reader) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	List(ctx context.Context, prefix string) ([]string, error)
	Stat(ctx context.Context, key string) (size int64, etag string, err error)
}

// Starter starts executions; stepfn.ErrAlreadyStarted when the run exists.
type Starter interface {
	Start(ctx context.Context, stateMachineARN, name string, input any) (string, error)
}

// S3ObjectCreatedDetail is the detail of an S3 "Object Created" EventBridge event.
type S3ObjectCreatedDetail struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key  string `json:"key"`
		Size int64  `json:"size"`
		ETag string `json:"etag"`
	} `json:"object"`
	Reason string `json:"reason"`
}

// ScheduledDetail is the detail of the constant input a profile's schedule rule sends: an
// EventBridge "Scheduled Event" whose detail names the profile and, optionally, the prefix to
// take objects from (default: the profile's prefix).
type ScheduledDetail struct {
	Profile string `json:"profile"`
	Prefix  string `json:"prefix,omitempty"`
}

// Output tells what intake did with the event.
type Output struct {
	RunID        string `json:"runId,omitempty"`
	ExecutionARN string `json:"executionArn,omitempty"`
	Started      bool   `json:"started"`
	Reason       string `json:"reason,omitempty"` // why nothing was started
}

// Handler starts runs.
type Handler struct {
	Store           Store
	SFN             Starter
	Bucket          string
	StateMachineARN string
	Profiles        profile.Set
	Now             func() time.Time
	Log             *slog.Logger
}

// Handle starts at most one run for the event. Unknown sources and objects that are not datasets
// are answered with Started false and a reason; an unknown profile is an InvalidInputError, so it
// shows in the function's error metric.
func (h *Handler) Handle(ctx context.Context, ev events.CloudWatchEvent) (Output, error) {
	switch {
	case ev.Source == eventrule.SourceS3 && ev.DetailType == eventrule.DetailTypeObjectCreated:
		var d S3ObjectCreatedDetail
		if err := json.Unmarshal(ev.Detail, &d); err != nil {
			return Output{}, taskerr.Invalid(fmt.Errorf("decode S3 event detail: %w", err))
		}
		return h.objectCreated(ctx, d)
	case ev.DetailType == eventrule.DetailTypeScheduledEvent:
		var d ScheduledDetail
		if err := json.Unmarshal(ev.Detail, &d); err != nil || d.Profile == "" {
			return Output{}, taskerr.Invalid(fmt.Errorf("scheduled event needs detail.profile: %s", ev.Detail))
		}
		return h.scheduled(ctx, d)
	}
	return Output{Reason: fmt.Sprintf("event %q from %q is not for intake", ev.DetailType, ev.Source)}, nil
}

func (h *Handler) objectCreated(ctx context.Context, d S3ObjectCreatedDetail) (Output, error) {
	if d.Bucket.Name != h.Bucket {
		return Output{Reason: fmt.Sprintf("bucket %s is not the pipeline's", d.Bucket.Name)}, nil
	}
	key := d.Object.Key
	name, ok := layout.ProfileOfInboxKey(key)
	if !ok {
		return Output{Reason: fmt.Sprintf("%s is not under inbox/<profile>/", key)}, nil
	}
	if !isDataset(key) {
		return Output{Reason: fmt.Sprintf("%s is not a .jsonl or .jsonl.gz file", key)}, nil
	}
	p, ok := h.Profiles[name]
	if !ok {
		return Output{}, &taskerr.InvalidInputError{Err: fmt.Errorf("%s: profile %q is not configured (have %s)", key, name, strings.Join(h.Profiles.Names(), ", "))}
	}
	src, err := h.source(ctx, key, d.Object.ETag, d.Object.Size)
	if err != nil {
		return Output{}, err
	}
	return h.start(ctx, p, "", []layout.Source{src})
}

// source confirms the object exists and reads its ETag. S3 notifications URL-encode keys in
// some channels and not in others, so an encoded-looking key that is missing is tried decoded.
func (h *Handler) source(ctx context.Context, key, etag string, size int64) (layout.Source, error) {
	s, e, err := h.Store.Stat(ctx, key)
	if errors.Is(err, fs.ErrNotExist) && strings.ContainsAny(key, "+%") {
		if decoded, derr := url.QueryUnescape(key); derr == nil {
			key = decoded
			s, e, err = h.Store.Stat(ctx, key)
		}
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return layout.Source{}, taskerr.Invalid(fmt.Errorf("object %s is gone", key))
		}
		return layout.Source{}, taskerr.Transient(fmt.Errorf("stat %s: %w", key, err))
	}
	if etag == "" {
		etag = e
	}
	if size == 0 {
		size = s
	}
	return layout.Source{Key: key, ETag: strings.Trim(etag, `"`), Size: size}, nil
}

func (h *Handler) scheduled(ctx context.Context, d ScheduledDetail) (Output, error) {
	p, ok := h.Profiles[d.Profile]
	if !ok {
		return Output{}, &taskerr.InvalidInputError{Err: fmt.Errorf("scheduled event: profile %q is not configured", d.Profile)}
	}
	prefix := p.Prefix
	if d.Prefix != "" {
		prefix = d.Prefix
	}
	keys, err := h.Store.List(ctx, prefix)
	if err != nil {
		return Output{}, taskerr.Transient(fmt.Errorf("list %s: %w", prefix, err))
	}
	var sources []layout.Source
	for _, key := range keys {
		if !isDataset(key) {
			continue
		}
		src, err := h.source(ctx, key, "", 0)
		if err != nil {
			return Output{}, err
		}
		taken, err := h.taken(ctx, src)
		if err != nil {
			return Output{}, err
		}
		if !taken {
			sources = append(sources, src)
		}
	}
	if len(sources) == 0 {
		return Output{Reason: fmt.Sprintf("nothing new under %s", prefix)}, nil
	}
	return h.start(ctx, p, p.Name+"-scheduled", sources)
}

func (h *Handler) taken(ctx context.Context, src layout.Source) (bool, error) {
	rc, err := h.Store.Get(ctx, layout.TakenKey(src.Key, src.ETag))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, taskerr.Transient(fmt.Errorf("check whether %s was taken: %w", src.Key, err))
	}
	rc.Close()
	return true, nil
}

// start records the run and starts its execution. The run record and the taken marks are
// written before the execution starts, so a crash in between is repaired by the next delivery of
// the same event: the same run id, the same writes, one execution.
func (h *Handler) start(ctx context.Context, p profile.Profile, name string, sources []layout.Source) (Output, error) {
	in := run.NewInput(h.Bucket, p, name, sources)
	record, err := json.Marshal(run.Record{RunID: in.RunID, Profile: p, Sources: sources, StartedAt: h.Now().UTC()})
	if err != nil {
		return Output{}, fmt.Errorf("encode run record: %w", err)
	}
	if err := h.Store.Put(ctx, layout.RunKey(in.RunID), bytes.NewReader(record)); err != nil {
		return Output{}, taskerr.Transient(fmt.Errorf("write run record: %w", err))
	}
	for _, src := range sources {
		mark, _ := json.Marshal(map[string]string{"runId": in.RunID, "key": src.Key, "etag": src.ETag})
		if err := h.Store.Put(ctx, layout.TakenKey(src.Key, src.ETag), bytes.NewReader(mark)); err != nil {
			return Output{}, taskerr.Transient(fmt.Errorf("mark %s taken: %w", src.Key, err))
		}
	}
	arn, err := h.SFN.Start(ctx, h.StateMachineARN, in.RunID, in)
	if errors.Is(err, stepfn.ErrAlreadyStarted) {
		h.Log.InfoContext(ctx, "run already started", "runId", in.RunID)
		return Output{RunID: in.RunID, Reason: "a run with this id was already started"}, nil
	}
	if err != nil {
		return Output{}, err
	}
	h.Log.InfoContext(ctx, "run started", "runId", in.RunID, "profile", p.Name, "objects", len(sources), "executionArn", arn)
	return Output{RunID: in.RunID, ExecutionARN: arn, Started: true}, nil
}

func isDataset(key string) bool {
	return strings.HasSuffix(key, ".jsonl") || strings.HasSuffix(key, ".jsonl.gz")
}
