package faults

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Spec
		wantErr string
	}{
		{name: "empty", in: "", want: Spec{}},
		{name: "all", in: "record-retryable=0.1,record-permanent=0.05,job-fail=0.2,job-partial=0.3,job-expire=0.4,create-throttle=0.5,create-quota=0.6,event-drop=1,event-dup=0,event-delay=2s,s3-5xx=0.01,seed=42",
			want: Spec{RecordRetryable: 0.1, RecordPermanent: 0.05, JobFail: 0.2, JobPartial: 0.3, JobExpire: 0.4, CreateThrottle: 0.5, CreateQuota: 0.6, EventDrop: 1, EventDelay: 2 * time.Second, S3Error: 0.01, Seed: 42}},
		{name: "spaces", in: " event-drop = 1 , seed=-3 ", want: Spec{EventDrop: 1, Seed: -3}},
		{name: "unknown name", in: "record-lost=0.1", wantErr: "valid names: record-retryable"},
		{name: "fraction above one", in: "job-fail=1.5", wantErr: "between 0 and 1"},
		{name: "negative fraction", in: "job-fail=-0.1", wantErr: "between 0 and 1"},
		{name: "not a number", in: "job-fail=half", wantErr: "between 0 and 1"},
		{name: "bad duration", in: "event-delay=soon", wantErr: "duration"},
		{name: "bad seed", in: "seed=1.5", wantErr: "integer"},
		{name: "missing value", in: "seed", wantErr: "name=value"},
		{name: "twice", in: "seed=1,seed=2", wantErr: "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			again, err := Parse(got.String())
			if err != nil || again != got {
				t.Fatalf("round trip through %q = %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestHitIsDeterministicAndProportional(t *testing.T) {
	s, again := Spec{Seed: 7}, Spec{Seed: 7}
	const n = 20000
	hits := 0
	for i := range n {
		key := strings.Repeat("r", i%5) + string(rune('a'+i%26)) + time.Duration(i).String()
		if s.Hit(0.25, "record", key) != again.Hit(0.25, "record", key) {
			t.Fatal("same keys gave different decisions")
		}
		if s.Hit(0.25, "record", key) {
			hits++
		}
	}
	if got := float64(hits) / n; got < 0.23 || got > 0.27 {
		t.Fatalf("hit rate %.3f, want about 0.25", got)
	}
	if s.Hit(0, "x") || !s.Hit(1, "x") {
		t.Fatal("fractions 0 and 1 must never and always hit")
	}
	if (Spec{Seed: 1}).Roll("k") == (Spec{Seed: 2}).Roll("k") {
		t.Fatal("different seeds gave the same roll")
	}
}
