package eventbus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/eventrule"
	"github.com/bedrock-batch/bedrock-batch/internal/faults"
)

// recorder is an in-process target that keeps what it received, in order.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) target(_ context.Context, event []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, string(event))
	return nil
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func s3Event(id, bucket, key string) []byte {
	return fmt.Appendf(nil, `{"version":"0","id":%q,"detail-type":"Object Created","source":"aws.s3","account":"123456789012",
		"time":"2026-05-04T09:00:00Z","region":"us-east-1","resources":["arn:aws:s3:::%s"],
		"detail":{"version":"0","bucket":{"name":%q},"object":{"key":%q,"size":3,"etag":"x","sequencer":"1"},
		"request-id":"r","requester":"123456789012","source-ip-address":"127.0.0.1","reason":"PutObject"}}`, id, bucket, bucket, key)
}

// jobEvent is the reference §4 example envelope with the given id and status.
func jobEvent(id, status string) []byte {
	return fmt.Appendf(nil, `{"version":"0","id":%q,"detail-type":"Batch Inference Job State Change","source":"aws.bedrock",
		"account":"111122223333","time":"2026-05-04T09:15:02Z","region":"us-west-2",
		"resources":["arn:aws:bedrock:us-west-2:111122223333:model-invocation-job/k3m9q2x7p1ab"],
		"detail":{"version":"0.0","accountId":"111122223333","batchJobName":"nightly","batchJobArn":"arn:aws:bedrock:us-west-2:111122223333:model-invocation-job/k3m9q2x7p1ab",
		"batchModelId":"arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0","status":%q,"failureMessage":"","creationTime":"May 4, 2026, 7:02:11 AM"}}`, id, status)
}

// pipelineBus wires the pipeline's rules to one recorder per target name.
func pipelineBus(t *testing.T, spec faults.Spec) (*Bus, map[string]*recorder) {
	t.Helper()
	b := New(Config{Faults: spec})
	t.Cleanup(b.Close)
	recs := map[string]*recorder{eventrule.TargetIntake: {}, eventrule.TargetJobEvents: {}}
	for _, r := range eventrule.Rules("bbatch-local") {
		if err := b.AddRule(r.Name, r.Pattern.JSON(), recs[r.Target].target); err != nil {
			t.Fatal(err)
		}
	}
	return b, recs
}

func TestRoutesPipelineRules(t *testing.T) {
	tests := []struct {
		name       string
		event      []byte
		wantTarget string // "" when no rule matches
	}{
		{"object under inbox", s3Event("e1", "bbatch-local", "inbox/default/tickets.jsonl"), eventrule.TargetIntake},
		{"object outside inbox", s3Event("e2", "bbatch-local", "runs/r1/run.json"), ""},
		{"inbox in another bucket", s3Event("e3", "other", "inbox/default/tickets.jsonl"), ""},
		{"inbox not at the start", s3Event("e4", "bbatch-local", "x/inbox/a.jsonl"), ""},
		{"job state change", jobEvent("e5", "InProgress"), eventrule.TargetJobEvents},
		{"terminal job state change", jobEvent("e6", "Completed"), eventrule.TargetJobEvents},
		{"scheduled event fixture", fixture(t, "scheduled-event.json"), eventrule.TargetIntake},
		{"unrelated source", []byte(`{"id":"e7","source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{}}`), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, recs := pipelineBus(t, faults.Spec{})
			if err := b.Put(tc.event); err != nil {
				t.Fatal(err)
			}
			b.Drain()
			for name, rec := range recs {
				want := 0
				if name == tc.wantTarget {
					want = 1
				}
				got := rec.got()
				if len(got) != want {
					t.Fatalf("target %s got %d events, want %d", name, len(got), want)
				}
				if want == 1 && got[0] != string(tc.event) {
					t.Errorf("target %s got %s, want the event unchanged", name, got[0])
				}
			}
			if st := b.Stats(); (st.Unmatched == 1) != (tc.wantTarget == "") {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// TestFixturesRoute routes every fixture in events/ through the pipeline rules: each must reach
// exactly the target its source names.
func TestFixturesRoute(t *testing.T) {
	want := map[string]string{
		"s3-object-created-put.json":       eventrule.TargetIntake,
		"s3-object-created-multipart.json": eventrule.TargetIntake,
		"scheduled-event.json":             eventrule.TargetIntake,
	}
	names, err := filepath.Glob(filepath.Join("..", "..", "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range names {
		name := filepath.Base(path)
		target, ok := want[name]
		if !ok && strings.HasPrefix(name, "bedrock-batch-job-state-change") {
			target, ok = eventrule.TargetJobEvents, true
		}
		if !ok {
			continue
		}
		delete(want, name)
		t.Run(name, func(t *testing.T) {
			b, recs := pipelineBus(t, faults.Spec{})
			if err := b.Put(fixture(t, name)); err != nil {
				t.Fatal(err)
			}
			b.Drain()
			for tn, rec := range recs {
				n := len(rec.got())
				if (tn == target) != (n == 1) || n > 1 {
					t.Errorf("target %s got %d events", tn, n)
				}
			}
		})
	}
	if len(want) > 0 {
		t.Errorf("fixtures missing: %v", want)
	}
}

func TestFaults(t *testing.T) {
	const n = 200
	run := func(spec faults.Spec) ([]string, Stats) {
		b, recs := pipelineBus(t, spec)
		for i := range n {
			if err := b.Put(jobEvent(fmt.Sprintf("id-%03d", i), "Completed")); err != nil {
				t.Fatal(err)
			}
		}
		b.Drain()
		return recs[eventrule.TargetJobEvents].got(), b.Stats()
	}
	ids := func(events []string) []string {
		var out []string
		for _, e := range events {
			i := strings.Index(e, `"id-`)
			out = append(out, e[i+1:i+7])
		}
		return out
	}

	t.Run("none", func(t *testing.T) {
		got, st := run(faults.Spec{})
		if len(got) != n || st.Delivered != n || st.Dropped != 0 || st.Duplicated != 0 {
			t.Fatalf("got %d events, stats %+v", len(got), st)
		}
	})
	t.Run("drop all", func(t *testing.T) {
		got, st := run(faults.Spec{EventDrop: 1})
		if len(got) != 0 || st.Dropped != n || st.Matched != n {
			t.Fatalf("got %d events, stats %+v", len(got), st)
		}
	})
	t.Run("drop fraction is deterministic by seed", func(t *testing.T) {
		a, st := run(faults.Spec{EventDrop: 0.3, Seed: 7})
		b, _ := run(faults.Spec{EventDrop: 0.3, Seed: 7})
		c, _ := run(faults.Spec{EventDrop: 0.3, Seed: 8})
		sa, sb, sc := ids(a), ids(b), ids(c)
		slices.Sort(sa)
		slices.Sort(sb)
		slices.Sort(sc)
		if !slices.Equal(sa, sb) {
			t.Fatal("same seed dropped different events")
		}
		if slices.Equal(sa, sc) {
			t.Fatal("different seeds dropped the same events")
		}
		if st.Dropped < n/10 || st.Dropped > n/2 || len(a)+st.Dropped != n {
			t.Fatalf("dropped %d of %d at 0.3, delivered %d", st.Dropped, n, len(a))
		}
	})
	t.Run("dup all", func(t *testing.T) {
		got, st := run(faults.Spec{EventDup: 1})
		if len(got) != 2*n || st.Duplicated != n {
			t.Fatalf("got %d events, stats %+v", len(got), st)
		}
		counts := map[string]int{}
		for _, id := range ids(got) {
			counts[id]++
		}
		for id, c := range counts {
			if c != 2 {
				t.Fatalf("event %s delivered %d times", id, c)
			}
		}
	})
	t.Run("faults limited to other sources", func(t *testing.T) {
		b := New(Config{Faults: faults.Spec{EventDrop: 1}, FaultSources: []string{"aws.s3"}})
		defer b.Close()
		rec := &recorder{}
		if err := b.AddRule("jobs", eventrule.BatchJobStateChange().JSON(), rec.target); err != nil {
			t.Fatal(err)
		}
		if err := b.Put(jobEvent("x", "Completed")); err != nil {
			t.Fatal(err)
		}
		b.Drain()
		if len(rec.got()) != 1 {
			t.Fatalf("bedrock event dropped by a fault limited to aws.s3")
		}
	})
	t.Run("every rule sees the same fate", func(t *testing.T) {
		b := New(Config{Faults: faults.Spec{EventDrop: 0.5, Seed: 2}})
		defer b.Close()
		first, second := &recorder{}, &recorder{}
		for name, rec := range map[string]*recorder{"first": first, "second": second} {
			if err := b.AddRule(name, eventrule.BatchJobStateChange().JSON(), rec.target); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 50 {
			if err := b.Put(jobEvent(fmt.Sprintf("id-%03d", i), "Completed")); err != nil {
				t.Fatal(err)
			}
		}
		b.Drain()
		a, c := ids(first.got()), ids(second.got())
		slices.Sort(a)
		slices.Sort(c)
		if !slices.Equal(a, c) || len(a) == 0 || len(a) == 50 {
			t.Fatalf("rules received different or degenerate sets: %v and %v", a, c)
		}
	})
	t.Run("delay reorders and loses nothing", func(t *testing.T) {
		got, st := run(faults.Spec{EventDelay: 200 * time.Millisecond, Seed: 3})
		order := ids(got)
		if len(order) != n || st.Delivered != n {
			t.Fatalf("got %d events, stats %+v", len(order), st)
		}
		sorted := slices.Clone(order)
		slices.Sort(sorted)
		if slices.Equal(order, sorted) {
			t.Fatal("delayed events arrived in the order they were put")
		}
		if len(slices.Compact(sorted)) != n {
			t.Fatal("an event was delivered twice")
		}
	})
}

func TestWebhook(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	var types []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(body))
		types = append(types, r.Header.Get("Content-Type"))
		mu.Unlock()
		if strings.Contains(string(body), "Failed") {
			http.Error(w, "no", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	var errMu sync.Mutex
	var errs []error
	b := New(Config{OnError: func(rule string, _ []byte, err error) {
		errMu.Lock()
		errs = append(errs, fmt.Errorf("%s: %w", rule, err))
		errMu.Unlock()
	}})
	defer b.Close()
	if err := b.AddRule("hook", eventrule.BatchJobStateChange().JSON(), Webhook(srv.URL, srv.Client())); err != nil {
		t.Fatal(err)
	}
	ok, bad := jobEvent("w1", "Completed"), jobEvent("w2", "Failed")
	for _, e := range [][]byte{ok, bad} {
		if err := b.Put(e); err != nil {
			t.Fatal(err)
		}
	}
	b.Drain()
	slices.Sort(bodies)
	if len(bodies) != 2 || bodies[0] != string(ok) || bodies[1] != string(bad) {
		t.Fatalf("webhook got %q", bodies)
	}
	if types[0] != "application/json" {
		t.Errorf("Content-Type %q", types[0])
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "hook: post event") || !strings.Contains(errs[0].Error(), "503") {
		t.Fatalf("errors %v", errs)
	}
	if st := b.Stats(); st.Delivered != 1 || st.Failed != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPutAndAddRuleErrors(t *testing.T) {
	b := New(Config{})
	rec := &recorder{}
	if err := b.AddRule("a", []byte(`{"source":["x"]}`), rec.target); err != nil {
		t.Fatal(err)
	}
	if err := b.AddRule("a", []byte(`{"source":["y"]}`), rec.target); err == nil {
		t.Error("repeated rule name accepted")
	}
	if err := b.AddRule("b", []byte(`{"source":"x"}`), rec.target); err == nil || !strings.Contains(err.Error(), "add rule b") {
		t.Errorf("bad pattern error = %v", err)
	}
	if err := b.Put([]byte(`not json`)); err == nil {
		t.Error("Put accepted non-JSON")
	}
	if err := b.Put([]byte(`[1]`)); err == nil {
		t.Error("Put accepted a JSON array")
	}
	b.Close()
	if err := b.Put([]byte(`{"source":"x"}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close = %v, want ErrClosed", err)
	}
	if err := b.AddRule("c", []byte(`{"source":["x"]}`), rec.target); !errors.Is(err, ErrClosed) {
		t.Errorf("AddRule after Close = %v, want ErrClosed", err)
	}
	b.Close()
}

func TestCloseCutsDelays(t *testing.T) {
	b := New(Config{Faults: faults.Spec{EventDelay: time.Hour, Seed: 1}})
	rec := &recorder{}
	if err := b.AddRule("a", []byte(`{"source":["x"]}`), rec.target); err != nil {
		t.Fatal(err)
	}
	if err := b.Put([]byte(`{"id":"1","source":"x"}`)); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if len(rec.got()) != 1 {
		t.Fatalf("delivered %d events on Close, want 1", len(rec.got()))
	}
}
