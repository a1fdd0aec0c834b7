package asl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// TestTraceGolden pins the readable trace (event names, order, ids, simulated times) of a run
// through Pass, Choice, a retried Lambda task, an inline Map and Succeed.
func TestTraceGolden(t *testing.T) {
	calls := 0
	fns := map[string]Handler{"work": func(_ context.Context, p json.RawMessage) (json.RawMessage, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("transient")
		}
		return p, nil
	}}
	def := `{"Comment":"golden","StartAt":"Prepare","States":{
		"Prepare":{"Type":"Pass","Parameters":{"items.$":"$.items","mode":"fast"},"Next":"Route"},
		"Route":{"Type":"Choice","Choices":[{"Variable":"$.mode","StringEquals":"fast","Next":"Work"}],"Default":"Done"},
		"Work":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:work","ResultPath":"$.work",
			"Retry":[{"ErrorEquals":["errorString"],"IntervalSeconds":5}],"Next":"Each"},
		"Each":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,"ResultPath":"$.each",
			"ItemProcessor":{"StartAt":"Sleep","States":{"Sleep":{"Type":"Wait","Seconds":30,"End":true}}},"Next":"Done"},
		"Done":{"Type":"Succeed","OutputPath":"$.each"}}}`
	s, x := runDef(t, Config{Functions: fns}, def, `{"items":["a","b"]}`)
	if s.Status != StatusSucceeded {
		t.Fatalf("%s %s %s", s.Status, s.Error, s.Cause)
	}
	var b bytes.Buffer
	if err := WriteTrace(&b, x.History()); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "trace.golden")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("trace differs from %s (run with -update if intended)\n got:\n%s\nwant:\n%s", golden, b.String(), want)
	}
}
