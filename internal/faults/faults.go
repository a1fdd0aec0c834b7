package faults

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Names lists every fault name a spec accepts, in the order the help text shows them.
var Names = []string{
	"record-retryable", "record-permanent",
	"job-fail", "job-partial", "job-expire",
	"create-throttle", "create-quota",
	"event-drop", "event-dup", "event-delay",
	"s3-5xx", "seed",
}

// Spec is the set of faults an emulator injects. The zero value injects nothing.
type Spec struct {
	RecordRetryable float64       // fraction of records answered with a retryable error (429, 500, 408)
	RecordPermanent float64       // fraction of records answered with a permanent error (400)
	JobFail         float64       // fraction of jobs that fail (half at validation, half mid-run)
	JobPartial      float64       // fraction of jobs that end PartiallyCompleted with records missing
	JobExpire       float64       // fraction of jobs that expire without starting
	CreateThrottle  float64       // fraction of Create calls answered with ThrottlingException
	CreateQuota     float64       // fraction of Create calls answered with ServiceQuotaExceededException
	EventDrop       float64       // fraction of events never delivered
	EventDup        float64       // fraction of events delivered twice
	EventDelay      time.Duration // upper bound of a random delay before each event; reorders events
	S3Error         float64       // fraction of S3 requests answered with 500 or 503
	Seed            int64         // seed for every decision
}

// Parse reads a spec such as "record-retryable=0.1,event-drop=1,seed=7". An empty string is the
// zero Spec. An unknown name, a repeated name or a bad value is an error that lists the valid names.
func Parse(s string) (Spec, error) {
	var spec Spec
	s = strings.TrimSpace(s)
	if s == "" {
		return spec, nil
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || value == "" {
			return Spec{}, fmt.Errorf("fault %q: want name=value; valid names: %s", part, strings.Join(Names, ", "))
		}
		if seen[name] {
			return Spec{}, fmt.Errorf("fault %q given twice", name)
		}
		seen[name] = true
		if err := spec.set(name, value); err != nil {
			return Spec{}, err
		}
	}
	return spec, nil
}

func (s *Spec) set(name, value string) error {
	fractions := map[string]*float64{
		"record-retryable": &s.RecordRetryable,
		"record-permanent": &s.RecordPermanent,
		"job-fail":         &s.JobFail,
		"job-partial":      &s.JobPartial,
		"job-expire":       &s.JobExpire,
		"create-throttle":  &s.CreateThrottle,
		"create-quota":     &s.CreateQuota,
		"event-drop":       &s.EventDrop,
		"event-dup":        &s.EventDup,
		"s3-5xx":           &s.S3Error,
	}
	if p, ok := fractions[name]; ok {
		f, err := strconv.ParseFloat(value, 64)
		if err != nil || math.IsNaN(f) || f < 0 || f > 1 {
			return fmt.Errorf("fault %s=%s: want a fraction between 0 and 1", name, value)
		}
		*p = f
		return nil
	}
	switch name {
	case "event-delay":
		d, err := time.ParseDuration(value)
		if err != nil || d < 0 {
			return fmt.Errorf("fault event-delay=%s: want a duration such as 2s or 150ms", value)
		}
		s.EventDelay = d
	case "seed":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("fault seed=%s: want an integer", value)
		}
		s.Seed = n
	default:
		return fmt.Errorf("unknown fault %q; valid names: %s", name, strings.Join(Names, ", "))
	}
	return nil
}

// String formats the spec in the form Parse reads, listing only what is set, names sorted.
func (s Spec) String() string {
	var parts []string
	add := func(name string, f float64) {
		if f != 0 {
			parts = append(parts, name+"="+strconv.FormatFloat(f, 'g', -1, 64))
		}
	}
	add("record-retryable", s.RecordRetryable)
	add("record-permanent", s.RecordPermanent)
	add("job-fail", s.JobFail)
	add("job-partial", s.JobPartial)
	add("job-expire", s.JobExpire)
	add("create-throttle", s.CreateThrottle)
	add("create-quota", s.CreateQuota)
	add("event-drop", s.EventDrop)
	add("event-dup", s.EventDup)
	add("s3-5xx", s.S3Error)
	if s.EventDelay != 0 {
		parts = append(parts, "event-delay="+s.EventDelay.String())
	}
	if s.Seed != 0 {
		parts = append(parts, "seed="+strconv.FormatInt(s.Seed, 10))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// Roll returns a number in [0, 1) determined only by the seed and the keys. Callers name the
// decision in the keys ("record", jobName, recordId) so independent decisions do not correlate.
func (s Spec) Roll(keys ...string) float64 {
	h := fnv.New64a()
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(s.Seed))
	h.Write(seed[:])
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
	}
	// Finalize with splitmix64 so nearby keys spread over the whole range.
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

// Hit reports whether a decision with the given fraction falls on these keys.
// A fraction of 0 never hits and 1 always hits.
func (s Spec) Hit(fraction float64, keys ...string) bool {
	return fraction > 0 && s.Roll(keys...) < fraction
}
