package asl

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkDistributedMap runs a 1000-item Distributed Map (MaxConcurrency 50) whose children
// call a Lambda handler and wait 60 simulated seconds, on the auto-advancing fake clock.
func BenchmarkDistributedMap(b *testing.B) {
	store := newMemStore()
	items := make([]string, 1000)
	for i := range items {
		items[i] = fmt.Sprintf(`{"i":%d}`, i)
	}
	_ = store.PutObject(context.Background(), "bkt", "items.json", []byte("["+strings.Join(items, ",")+"]"))
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":50,"ResultPath":null,
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"bkt","Key":"items.json"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"T","States":{
			"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"fn","Payload.$":"$"},"Next":"W"},
			"W":{"Type":"Wait","Seconds":60,"End":true}}},"End":true}}}`
	for b.Loop() {
		e := New(Config{Clock: NewFakeClock(testStart, true), Functions: map[string]Handler{"fn": echo}, Objects: store})
		m, err := e.AddMachine("bench", "", []byte(def), nil)
		if err != nil {
			b.Fatal(err)
		}
		x, _, err := e.Start(m, "b", nil)
		if err != nil {
			b.Fatal(err)
		}
		if s, _ := x.Wait(context.Background()); s.Status != StatusSucceeded {
			b.Fatalf("%s %s", s.Status, s.Cause)
		}
	}
}
