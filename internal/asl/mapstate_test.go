package asl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// memStore is an in-memory ObjectStore.
type memStore struct {
	mu      sync.Mutex
	objects map[string][]byte
}

var errNoSuchKey = errors.New("NoSuchKey")

func newMemStore() *memStore { return &memStore{objects: map[string][]byte{}} }

func (m *memStore) GetObject(_ context.Context, bucket, key string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[bucket+"/"+key]
	if !ok {
		return nil, fmt.Errorf("get %s/%s: %w", bucket, key, errNoSuchKey)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (m *memStore) PutObject(_ context.Context, bucket, key string, body []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[bucket+"/"+key] = append([]byte(nil), body...)
	return nil
}

func (m *memStore) get(bucket, key string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[bucket+"/"+key]
	return b, ok
}

func TestParallel(t *testing.T) {
	tests := []struct {
		name, def, input, wantStatus, want string
	}{
		{"outputs in branch order", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Parameters":{"v.$":"$.v"},"ResultSelector":{"both.$":"$"},"ResultPath":"$.r","End":true,
			"Branches":[{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"Next":"A"},"A":{"Type":"Pass","Result":"slow","End":true}}},
				{"StartAt":"B","States":{"B":{"Type":"Pass","InputPath":"$.v","End":true}}}]}}}`,
			`{"v":1}`, StatusSucceeded, `{"v":1,"r":{"both":["slow",1]}}`},
		{"branch failure is caught", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Catch":[{"ErrorEquals":["Boom"],"Next":"C"}],"End":true,
			"Branches":[{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}},
				{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"b"}}}]},"C":{"Type":"Pass","End":true}}}`,
			`{}`, StatusSucceeded, `{"Error":"Boom","Cause":"b"}`},
		{"branch failure fails execution", `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
			"Branches":[{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom"}}}]}}}`,
			`{}`, StatusFailed, ``},
		{"retry parallel", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":2}],"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.e","Next":"C"}],"End":true,
			"Branches":[{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom"}}}]},"C":{"Type":"Pass","OutputPath":"$.e.Error","End":true}}}`,
			`{}`, StatusSucceeded, `"Boom"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, x := runDef(t, Config{}, tt.def, tt.input)
			if s.Status != tt.wantStatus {
				t.Fatalf("%s %s %s\n%s", s.Status, s.Error, s.Cause, trace(x))
			}
			if tt.want != "" {
				jsonEqual(t, s.Output, tt.want)
			}
		})
	}
	t.Run("aborted sibling events", func(t *testing.T) {
		_, x := runDef(t, Config{}, tests[1].def, `{}`)
		types := strings.Join(eventTypes(x), ",")
		for _, want := range []string{"ParallelStateStarted", "ParallelStateFailed", "FailStateEntered"} {
			if !strings.Contains(types, want) {
				t.Errorf("missing %s in %s", want, types)
			}
		}
		if strings.Contains(types, "WaitStateExited") {
			t.Errorf("the aborted branch's Wait exited: %s", types)
		}
	})
}

// concurrency tracks how many iterations are between "enter" and "leave".
type concurrency struct {
	mu          sync.Mutex
	active, max int
	seen        []string
}

func (c *concurrency) handlers() map[string]Handler {
	return map[string]Handler{
		"enter": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.active++
			c.seen = append(c.seen, string(p))
			if c.active > c.max {
				c.max = c.active
			}
			return p, nil
		},
		"leave": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.active--
			return p, nil
		},
	}
}

const iterationStates = `"StartAt":"Enter","States":{
	"Enter":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:enter","Next":"Work"},
	"Work":{"Type":"Wait","Seconds":10,"Next":"Leave"},
	"Leave":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:leave","End":true}}`

func TestInlineMap(t *testing.T) {
	tests := []struct {
		name     string
		mapState string
		input    string
		want     string
		wantMax  int
		wantTime time.Duration
	}{
		{"item selector and context", `"ItemsPath":"$.items","ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value","run.$":"$.run"},"MaxConcurrency":2`,
			`{"run":"r","items":["a","b","c","d","e"]}`,
			`[{"i":0,"v":"a","run":"r"},{"i":1,"v":"b","run":"r"},{"i":2,"v":"c","run":"r"},{"i":3,"v":"d","run":"r"},{"i":4,"v":"e","run":"r"}]`, 2, 30 * time.Second},
		{"max concurrency path", `"ItemsPath":"$.items","MaxConcurrencyPath":"$.mc"`, `{"mc":3,"items":[1,2,3,4,5,6,7]}`, `[1,2,3,4,5,6,7]`, 3, 30 * time.Second},
		{"unlimited", `"ItemsPath":"$.items","MaxConcurrency":0`, `{"items":[1,2,3,4]}`, `[1,2,3,4]`, 4, 10 * time.Second},
		{"legacy parameters", `"ItemsPath":"$.items","Parameters":{"x.$":"$$.Map.Item.Value"},"MaxConcurrency":1`, `{"items":[1,2]}`, `[{"x":1},{"x":2}]`, 1, 20 * time.Second},
		{"empty", `"ItemsPath":"$.items"`, `{"items":[]}`, `[]`, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c concurrency
			def := `{"StartAt":"M","States":{"M":{"Type":"Map",` + tt.mapState + `,"ItemProcessor":{` + iterationStates + `},"End":true}}}`
			s, x := runDef(t, Config{Functions: c.handlers()}, def, tt.input)
			if s.Status != StatusSucceeded {
				t.Fatalf("%s %s %s\n%s", s.Status, s.Error, s.Cause, trace(x))
			}
			jsonEqual(t, s.Output, tt.want)
			if c.max != tt.wantMax {
				t.Errorf("max concurrency %d, want %d", c.max, tt.wantMax)
			}
			h := x.History()
			if took := h[len(h)-1].Timestamp.Sub(h[0].Timestamp); took != tt.wantTime {
				t.Errorf("took %v, want %v", took, tt.wantTime)
			}
		})
	}
}

func TestInlineMapFailure(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,
		"Iterator":{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":2,"Next":"F"}],"Default":"OK"},
			"F":{"Type":"Fail","Error":"Two","Cause":"item 2"},"OK":{"Type":"Pass","End":true}}},
		"Catch":[{"ErrorEquals":["Two"],"ResultPath":"$.err","Next":"Done"}],"End":true},"Done":{"Type":"Succeed"}}}`
	s, x := runDef(t, Config{}, def, `{"items":[1,2,3]}`)
	if s.Status != StatusSucceeded {
		t.Fatalf("%s\n%s", s.Status, trace(x))
	}
	jsonEqual(t, s.Output, `{"items":[1,2,3],"err":{"Error":"Two","Cause":"item 2"}}`)
	types := strings.Join(eventTypes(x), ",")
	for _, want := range []string{"MapStateStarted", "MapIterationStarted", "MapIterationSucceeded", "MapIterationFailed", "MapStateFailed"} {
		if !strings.Contains(types, want) {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Count(types, "MapIterationStarted") != 2 {
		t.Errorf("item 3 started after the failure with MaxConcurrency 1: %s", types)
	}
	t.Run("items path not an array", func(t *testing.T) {
		s, _ := runDef(t, Config{}, def, `{"items":{"a":1}}`)
		if s.Status != StatusFailed || s.Error != ErrRuntime {
			t.Fatalf("%s %s", s.Status, s.Error)
		}
	})
}

const distributedProcessor = `"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},` + iterationStates + `}`

// Distributed Map: "Using Map state in Distributed mode", "ItemReader", "ResultWriter".
func TestDistributedMap(t *testing.T) {
	store := newMemStore()
	items := make([]string, 10)
	for i := range items {
		items[i] = fmt.Sprintf(`{"chunk":%d}`, i)
	}
	_ = store.PutObject(context.Background(), "bkt", "runs/r1/chunks.json", []byte("["+strings.Join(items, ",")+"]"))
	_ = store.PutObject(context.Background(), "bkt", "runs/r1/chunks.jsonl", []byte(strings.Join(items, "\n")+"\n\n"))

	t.Run("json reader, max concurrency, result path null", func(t *testing.T) {
		var c concurrency
		def := `{"StartAt":"M","States":{"M":{"Type":"Map","Label":"Chunks","MaxConcurrency":3,"ResultPath":null,
			"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket.$":"$.bucket","Key.$":"States.Format('runs/{}/chunks.json', $.run)"}},
			"ItemSelector":{"chunk.$":"$$.Map.Item.Value.chunk","run.$":"$.run"},` + distributedProcessor + `,"End":true}}}`
		e, _ := newTestEngine(t, Config{Functions: c.handlers(), Objects: store})
		s, x := runOn(t, e, def, `{"bucket":"bkt","run":"r1"}`)
		if s.Status != StatusSucceeded {
			t.Fatalf("%s %s %s\n%s", s.Status, s.Error, s.Cause, trace(x))
		}
		jsonEqual(t, s.Output, `{"bucket":"bkt","run":"r1"}`)
		if c.max != 3 || len(c.seen) != 10 {
			t.Errorf("max concurrency %d over %d items, want 3 over 10", c.max, len(c.seen))
		}
		h := x.History()
		if took := h[len(h)-1].Timestamp.Sub(h[0].Timestamp); took != 40*time.Second {
			t.Errorf("took %v, want 40s (4 waves of 10s)", took)
		}
		var mapRun string
		for _, ev := range h {
			if ev.Type == "MapRunStarted" {
				mapRun = ev.MapRunARN
			}
		}
		if !strings.HasPrefix(mapRun, "arn:aws:states:us-east-1:123456789012:mapRun:") || !strings.Contains(mapRun, "/Chunks:") {
			t.Errorf("map run ARN %q", mapRun)
		}
		types := strings.Join(eventTypes(x), ",")
		if !strings.Contains(types, "MapStateEntered,MapRunStarted,MapRunSucceeded,MapStateExited") {
			t.Errorf("parent history %s", types)
		}
		if strings.Contains(types, "TaskScheduled") || strings.Contains(types, "LambdaFunction") {
			t.Errorf("child events leaked into the parent history")
		}
		children := 0
		e.mu.Lock()
		for _, cx := range e.execs {
			if cx.MapRunARN != mapRun {
				continue
			}
			children++
			ct := strings.Join(eventTypes(cx), ",")
			if !strings.HasPrefix(ct, "ExecutionStarted,TaskStateEntered,LambdaFunctionScheduled") || !strings.HasSuffix(ct, "ExecutionSucceeded") {
				t.Errorf("child history %s", ct)
			}
			if !strings.Contains(cx.ARN, ":execution:"+cx.Machine.Name+"/Chunks:") {
				t.Errorf("child ARN %s", cx.ARN)
			}
		}
		e.mu.Unlock()
		if children != 10 {
			t.Errorf("%d child executions, want 10", children)
		}
		if got := e.Executions(x.Machine.ARN); len(got) != 1 {
			t.Errorf("Executions lists %d, want only the parent", len(got))
		}
	})

	t.Run("jsonl reader with max items, results returned", func(t *testing.T) {
		def := `{"StartAt":"M","States":{"M":{"Type":"Map",
			"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSONL","MaxItems":3},"Parameters":{"Bucket":"bkt","Key":"runs/r1/chunks.jsonl"}},
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Pass","OutputPath":"$.chunk","End":true}}},"End":true}}}`
		s, x := runDef(t, Config{Objects: store}, def, `{}`)
		if s.Status != StatusSucceeded {
			t.Fatalf("%s %s\n%s", s.Status, s.Cause, trace(x))
		}
		jsonEqual(t, s.Output, `[0,1,2]`)
	})

	t.Run("result writer", func(t *testing.T) {
		def := `{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":5,
			"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"bkt","Key":"runs/r1/chunks.json"}},
			"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"bkt","Prefix":"out/results"}},
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"C","States":{
				"C":{"Type":"Choice","Choices":[{"Variable":"$.chunk","NumericLessThan":2,"Next":"F"}],"Default":"P"},
				"F":{"Type":"Fail","Error":"Small","Cause":"too small"},"P":{"Type":"Pass","End":true}}},"End":true}}}`
		s, x := runDef(t, Config{Objects: store}, def, `{}`)
		if s.Status != StatusSucceeded {
			t.Fatalf("%s %s\n%s", s.Status, s.Cause, trace(x))
		}
		var out struct {
			MapRunArn           string
			ResultWriterDetails struct{ Bucket, Key string }
		}
		if err := json.Unmarshal([]byte(s.Output), &out); err != nil {
			t.Fatal(err)
		}
		if out.ResultWriterDetails.Bucket != "bkt" || !strings.HasPrefix(out.ResultWriterDetails.Key, "out/results/") || !strings.HasSuffix(out.ResultWriterDetails.Key, "/manifest.json") {
			t.Fatalf("output %s", s.Output)
		}
		raw, ok := store.get("bkt", out.ResultWriterDetails.Key)
		if !ok {
			t.Fatalf("manifest missing")
		}
		var manifest struct {
			DestinationBucket, MapRunArn string
			ResultFiles                  map[string][]struct {
				Key  string
				Size int
			}
		}
		if err := json.Unmarshal(raw, &manifest); err != nil {
			t.Fatal(err)
		}
		if manifest.MapRunArn != out.MapRunArn || manifest.DestinationBucket != "bkt" || len(manifest.ResultFiles["SUCCEEDED"]) != 1 || len(manifest.ResultFiles["FAILED"]) != 1 {
			t.Fatalf("manifest %s", raw)
		}
		var succeeded, failed []map[string]any
		b, _ := store.get("bkt", manifest.ResultFiles["SUCCEEDED"][0].Key)
		_ = json.Unmarshal(b, &succeeded)
		b, _ = store.get("bkt", manifest.ResultFiles["FAILED"][0].Key)
		_ = json.Unmarshal(b, &failed)
		if len(succeeded) != 8 || len(failed) != 2 {
			t.Fatalf("%d succeeded, %d failed", len(succeeded), len(failed))
		}
		if failed[0]["Error"] != "Small" || failed[0]["Status"] != "FAILED" || succeeded[0]["Status"] != "SUCCEEDED" {
			t.Errorf("entries %v / %v", failed[0], succeeded[0])
		}
		if _, isString := succeeded[0]["Output"].(string); !isString {
			t.Errorf("Output is not a JSON string: %v", succeeded[0]["Output"])
		}
	})

	t.Run("tolerated failures", func(t *testing.T) {
		tests := []struct {
			name, tolerance, wantStatus, wantErr string
		}{
			{"default tolerates none", ``, StatusFailed, ErrExceedToleratedFailed},
			{"count below", `"ToleratedFailureCount":2,`, StatusSucceeded, ""},
			{"count exceeded", `"ToleratedFailureCount":1,`, StatusFailed, ErrExceedToleratedFailed},
			{"percentage below", `"ToleratedFailurePercentage":20,`, StatusSucceeded, ""},
			{"percentage exceeded", `"ToleratedFailurePercentage":10,`, StatusFailed, ErrExceedToleratedFailed},
			{"percentage path", `"ToleratedFailurePercentagePath":"$.pct",`, StatusSucceeded, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				def := `{"StartAt":"M","States":{"M":{"Type":"Map",` + tt.tolerance + `
					"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"bkt","Key":"runs/r1/chunks.json"}},
					"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"C","States":{
						"C":{"Type":"Choice","Choices":[{"Variable":"$.chunk","NumericLessThan":2,"Next":"F"}],"Default":"P"},
						"F":{"Type":"Fail","Error":"Small"},"P":{"Type":"Pass","End":true}}},"End":true}}}`
				s, x := runDef(t, Config{Objects: store}, def, `{"pct":50}`)
				if s.Status != tt.wantStatus || s.Error != tt.wantErr {
					t.Fatalf("%s %s, want %s %s\n%s", s.Status, s.Error, tt.wantStatus, tt.wantErr, trace(x))
				}
			})
		}
	})

	t.Run("reader errors", func(t *testing.T) {
		_ = store.PutObject(context.Background(), "bkt", "not-array.json", []byte(`{"a":1}`))
		_ = store.PutObject(context.Background(), "bkt", "bad.jsonl", []byte("{}\n{bad\n"))
		tests := []struct{ name, key, inputType, wantCause string }{
			{"missing object", "nope.json", "JSON", "NoSuchKey"},
			{"not an array", "not-array.json", "JSON", "not an array"},
			{"bad jsonl line", "bad.jsonl", "JSONL", "line 2"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				def := `{"StartAt":"M","States":{"M":{"Type":"Map",
					"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"` + tt.inputType + `"},"Parameters":{"Bucket":"bkt","Key":"` + tt.key + `"}},
					"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
					"Catch":[{"ErrorEquals":["States.ItemReaderFailed"],"Next":"Caught"}],"End":true},"Caught":{"Type":"Succeed"}}}`
				s, _ := runDef(t, Config{Objects: store}, def, `{}`)
				if s.Status != StatusSucceeded || !strings.Contains(s.Output, tt.wantCause) {
					t.Fatalf("%s %s %s", s.Status, s.Error, s.Output)
				}
			})
		}
	})
}

// The pipeline's shape: a Distributed Map whose children wait for task tokens with heartbeats,
// some of which time out and are retried, with MaxConcurrency and ResultPath null.
func TestDistributedMapWithTaskTokens(t *testing.T) {
	store := newMemStore()
	var chunks []string
	for i := range 6 {
		chunks = append(chunks, fmt.Sprintf(`{"chunk":%d}`, i))
	}
	_ = store.PutObject(context.Background(), "bkt", "chunks.json", []byte("["+strings.Join(chunks, ",")+"]"))
	var e *Engine
	e, _ = newTestEngine(t, Config{Objects: store})
	var mu sync.Mutex
	attempts := map[string]int{}
	var pending []string
	e.cfg.Functions = map[string]Handler{"submit": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
		var in struct {
			Token string
			Chunk int
		}
		if err := json.Unmarshal(p, &in); err != nil {
			return nil, err
		}
		mu.Lock()
		key := fmt.Sprint(in.Chunk)
		attempts[key]++
		n := attempts[key]
		mu.Unlock()
		// odd chunks lose their first event and are found by the heartbeat-timeout poll
		if in.Chunk%2 == 1 && n == 1 {
			mu.Lock()
			pending = append(pending, in.Token)
			mu.Unlock()
			return nil, nil
		}
		return nil, e.SendTaskSuccess(in.Token, []byte(fmt.Sprintf(`{"chunk":%d,"status":"Completed"}`, in.Chunk)))
	}}
	def := `{"StartAt":"Round","States":{"Round":{"Type":"Map","MaxConcurrency":2,"ResultPath":null,
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"bkt","Key":"chunks.json"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Submit","States":{
			"Submit":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","HeartbeatSeconds":600,
				"Parameters":{"FunctionName":"submit","Payload":{"Token.$":"$$.Task.Token","Chunk.$":"$.chunk"}},
				"Retry":[{"ErrorEquals":["States.HeartbeatTimeout"],"IntervalSeconds":1,"MaxAttempts":10,"BackoffRate":1}],"End":true}}},
		"Next":"Done"},"Done":{"Type":"Succeed"}}}`
	s, x := runOn(t, e, def, `{"run":"r"}`)
	if s.Status != StatusSucceeded {
		t.Fatalf("%s %s %s\n%s", s.Status, s.Error, s.Cause, trace(x))
	}
	jsonEqual(t, s.Output, `{"run":"r"}`)
	for i := range 6 {
		want := 1 + i%2
		if got := attempts[fmt.Sprint(i)]; got != want {
			t.Errorf("chunk %d submitted %d times, want %d", i, got, want)
		}
	}
	for _, tok := range pending {
		if err := e.SendTaskSuccess(tok, []byte(`{}`)); !errors.Is(err, ErrTaskTimedOut) {
			t.Errorf("late event for a timed-out token: %v", err)
		}
	}
	h := x.History()
	if took := h[len(h)-1].Timestamp.Sub(h[0].Timestamp); took < 601*time.Second || took > 3*601*time.Second {
		t.Errorf("took %v of simulated time", took)
	}
}

func TestWriteTrace(t *testing.T) {
	_, x := runDef(t, Config{Functions: map[string]Handler{"fn": echo}},
		`{"StartAt":"T","States":{"T":{`+invokeTask+`,"Next":"W"},"W":{"Type":"Wait","Seconds":5,"End":true}}}`, `{"a":1}`)
	var b bytes.Buffer
	if err := WriteTrace(&b, x.History()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != len(x.History()) {
		t.Fatalf("%d lines for %d events", len(lines), len(x.History()))
	}
	if !strings.Contains(lines[2], "TaskScheduled") || !strings.Contains(lines[2], "lambda:invoke") {
		t.Errorf("line %q", lines[2])
	}
	if !strings.HasPrefix(strings.TrimSpace(lines[len(lines)-1]), "5s") {
		t.Errorf("last line %q should show 5s elapsed", lines[len(lines)-1])
	}
}
