package chunk

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/dataset"
)

// sizes is a RecordSizes over a slice: record i is on line i+1.
type sizes struct {
	s []int64
	i int
}

func (z *sizes) Next() (int64, int64, bool) {
	if z.i >= len(z.s) {
		return 0, 0, false
	}
	z.i++
	return int64(z.i), z.s[z.i-1], true
}

func uniform(n int, size int64) []int64 {
	s := make([]int64, n)
	for i := range s {
		s[i] = size
	}
	return s
}

func plan(t *testing.T, s []int64, l Limits) (Plan, error) {
	t.Helper()
	return NewPlan(func() RecordSizes { return &sizes{s: s} }, dataset.Stats{Records: int64(len(s))}, l)
}

func counts(p Plan) []int64 {
	var c []int64
	for _, ch := range p.Chunks {
		c = append(c, ch.Records)
	}
	return c
}

func TestNewPlan(t *testing.T) {
	def := DefaultLimits()
	small := Limits{MinRecords: 2, MaxRecords: 4, MaxFileBytes: 100, MaxJobBytes: 1000}
	skewed := append(append(uniform(4, 10), 90), uniform(7, 10)...)
	tests := []struct {
		name     string
		sizes    []int64
		limits   Limits
		want     []int64
		onDemand bool
		err      error
	}{
		{name: "empty", sizes: nil, limits: def},
		{name: "below the minimum runs on-demand", sizes: uniform(99, 1000), limits: def, onDemand: true},
		{name: "exactly the minimum", sizes: uniform(100, 1000), limits: def, want: []int64{100}},
		{name: "exactly the maximum", sizes: uniform(50_000, 100), limits: def, want: []int64{50_000}},
		{name: "50,150 balanced, not 50,000 + 150", sizes: uniform(50_150, 100), limits: def, want: []int64{25_075, 25_075}},
		{name: "100,001 in three nearly equal", sizes: uniform(100_001, 100), limits: def, want: []int64{33_334, 33_334, 33_333}},
		{name: "bytes force more chunks", sizes: uniform(30_000, 120_000), limits: def, want: []int64{7500, 7500, 7500, 7500}},
		{name: "job bytes below file bytes bind", sizes: uniform(10, 10), limits: Limits{MinRecords: 1, MaxRecords: 10, MaxFileBytes: 100, MaxJobBytes: 50}, want: []int64{5, 5}},
		{name: "big records cut a chunk short and the rest rebalance", sizes: skewed, limits: small, want: []int64{3, 2, 4, 3}},
		{name: "a record above the byte limit", sizes: []int64{10, 101, 10}, limits: small, err: ErrNoPlan},
		{name: "minimum cannot fit the bytes", sizes: uniform(5, 60), limits: small, err: ErrNoPlan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := plan(t, tc.sizes, tc.limits)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if got := counts(p); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("chunk records %v, want %v", got, tc.want)
			}
			if p.OnDemand != tc.onDemand || (p.Tail != nil) != tc.onDemand {
				t.Errorf("onDemand %v tail %v, want %v", p.OnDemand, p.Tail, tc.onDemand)
			}
			checkInvariants(t, p, tc.sizes)
		})
	}
}

// checkInvariants holds for every plan: chunks tile the records in order, within the limits.
func checkInvariants(t *testing.T, p Plan, s []int64) {
	t.Helper()
	var total, bytes int64
	next := int64(1)
	for i, c := range p.Chunks {
		if c.Index != i || c.Prefix != fmt.Sprintf("c%05d/", i) {
			t.Errorf("chunk %d named %d %q", i, c.Index, c.Prefix)
		}
		var b int64
		for l := c.FirstLine; l <= c.LastLine; l++ {
			b += s[l-1]
		}
		if c.FirstLine != next || c.LastLine-c.FirstLine+1 != c.Records || b != c.Bytes {
			t.Errorf("chunk %d %+v does not tile lines from %d (bytes %d)", i, c, next, b)
		}
		if c.Records < int64(p.Limits.MinRecords) || c.Records > int64(p.Limits.MaxRecords) || c.Bytes > p.Limits.maxBytes() {
			t.Errorf("chunk %d %+v outside limits %+v", i, c, p.Limits)
		}
		next = c.LastLine + 1
		total += c.Records
		bytes += c.Bytes
	}
	if !p.OnDemand && (total != int64(len(s)) || bytes != p.Bytes) {
		t.Errorf("chunks hold %d records %d bytes, plan %d records %d bytes", total, bytes, len(s), p.Bytes)
	}
}

func TestNewPlanBalancedProperty(t *testing.T) {
	l := Limits{MinRecords: 3, MaxRecords: 10, MaxFileBytes: 1 << 40, MaxJobBytes: 1 << 40}
	for n := 3; n <= 200; n++ {
		p, err := plan(t, uniform(n, 7), l)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		c := counts(p)
		lo, hi := c[0], c[0]
		for _, x := range c {
			lo, hi = min(lo, x), max(hi, x)
		}
		if hi-lo > 1 || int64(len(c)) != (int64(n)+9)/10 {
			t.Errorf("n=%d: chunks %v not balanced or not fewest", n, c)
		}
		checkInvariants(t, p, uniform(n, 7))
		again, _ := plan(t, uniform(n, 7), l)
		if !reflect.DeepEqual(p, again) {
			t.Errorf("n=%d: plan not deterministic", n)
		}
	}
}

func TestLimitsValidate(t *testing.T) {
	bad := Limits{MinRecords: 0, MaxRecords: -1, MaxFileBytes: 0, MaxJobBytes: 0}
	err := bad.Validate()
	if err == nil {
		t.Fatal("no error for bad limits")
	}
	for _, want := range []string{"min records", "max records", "max file bytes", "max job bytes"} {
		if !contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if err := DefaultLimits().Validate(); err != nil {
		t.Errorf("default limits: %v", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
