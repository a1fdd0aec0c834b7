package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Invocation types of a Bedrock batch job.
const (
	InvokeModel = "InvokeModel"
	Converse    = "Converse"
)

// Bedrock's documented defaults (reference §5).
const (
	DefaultMinRecords   = 100
	DefaultMaxRecords   = 50_000
	DefaultMaxFileBytes = 1 << 30
	DefaultMaxJobBytes  = 5 << 30
	DefaultTimeoutHours = 24
	DefaultJobSlots     = 20
)

// Pipeline defaults.
const (
	DefaultMaxRounds       = 3
	DefaultMaxAttempts     = 3
	DefaultPollSeconds     = 900
	DefaultTailConcurrency = 4
)

// Profile is one named way of running datasets. The zero value of an optional field means its
// default; Normalize fills them in.
type Profile struct {
	Name            string `json:"name"`
	ModelID         string `json:"modelId"`
	InvocationType  string `json:"invocationType,omitempty"`  // InvokeModel (default) or Converse
	MinRecords      int    `json:"minRecords,omitempty"`      // fewer records than this run on-demand
	MaxRecords      int    `json:"maxRecords,omitempty"`      // records per job
	MaxFileBytes    int64  `json:"maxFileBytes,omitempty"`    // bytes per input file
	MaxJobBytes     int64  `json:"maxJobBytes,omitempty"`     // bytes per job
	TimeoutHours    int    `json:"timeoutHours,omitempty"`    // Bedrock job timeout, 24-168
	MaxRounds       int    `json:"maxRounds,omitempty"`       // batch rounds before the rest goes on-demand
	MaxAttempts     int    `json:"maxAttempts,omitempty"`     // tries per record, batch and on-demand together
	JobSlots        int    `json:"jobSlots,omitempty"`        // Bedrock jobs in flight at once for this run
	PollSeconds     int    `json:"pollSeconds,omitempty"`     // how often a waiting job is re-checked without events
	TailConcurrency int    `json:"tailConcurrency,omitempty"` // on-demand calls in flight
	Schedule        string `json:"schedule,omitempty"`        // EventBridge schedule expression, optional
	Prefix          string `json:"prefix,omitempty"`          // what a scheduled run takes, default inbox/<name>/
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// Normalize returns p with every unset optional field at its default.
func (p Profile) Normalize() Profile {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&p.MinRecords, DefaultMinRecords)
	def(&p.MaxRecords, DefaultMaxRecords)
	def(&p.TimeoutHours, DefaultTimeoutHours)
	def(&p.MaxRounds, DefaultMaxRounds)
	def(&p.MaxAttempts, DefaultMaxAttempts)
	def(&p.JobSlots, DefaultJobSlots)
	def(&p.PollSeconds, DefaultPollSeconds)
	def(&p.TailConcurrency, DefaultTailConcurrency)
	if p.MaxFileBytes == 0 {
		p.MaxFileBytes = DefaultMaxFileBytes
	}
	if p.MaxJobBytes == 0 {
		p.MaxJobBytes = DefaultMaxJobBytes
	}
	if p.InvocationType == "" {
		p.InvocationType = InvokeModel
	}
	if p.Prefix == "" && p.Name != "" {
		p.Prefix = "inbox/" + p.Name + "/"
	}
	return p
}

// Validate reports every problem of a normalized profile in one error, each naming the profile
// and the field, as a user fixing their cdk.json needs.
func (p Profile) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("profile %q: %s: %s", p.Name, field, fmt.Sprintf(format, args...)))
	}
	if !nameRE.MatchString(p.Name) {
		bad("name", "want 1-40 lowercase letters, digits and '-', starting with a letter or digit")
	}
	if p.ModelID == "" {
		bad("modelId", "required")
	}
	if p.InvocationType != InvokeModel && p.InvocationType != Converse {
		bad("invocationType", "%q is neither %s nor %s", p.InvocationType, InvokeModel, Converse)
	}
	if p.MinRecords < 1 {
		bad("minRecords", "%d, want at least 1", p.MinRecords)
	}
	if p.MaxRecords < p.MinRecords {
		bad("maxRecords", "%d is below minRecords %d", p.MaxRecords, p.MinRecords)
	}
	if p.MaxFileBytes < 1 || p.MaxJobBytes < p.MaxFileBytes {
		bad("maxJobBytes", "%d, want at least maxFileBytes %d", p.MaxJobBytes, p.MaxFileBytes)
	}
	if p.TimeoutHours < 24 || p.TimeoutHours > 168 {
		bad("timeoutHours", "%d, Bedrock accepts 24-168", p.TimeoutHours)
	}
	if p.MaxRounds < 1 || p.MaxRounds > 9 {
		bad("maxRounds", "%d, want 1-9", p.MaxRounds)
	}
	if p.MaxAttempts < 1 {
		bad("maxAttempts", "%d, want at least 1", p.MaxAttempts)
	}
	if p.JobSlots < 1 || p.JobSlots > 1000 {
		bad("jobSlots", "%d, want 1-1000", p.JobSlots)
	}
	if p.PollSeconds < 1 {
		bad("pollSeconds", "%d, want at least 1", p.PollSeconds)
	}
	if p.TailConcurrency < 1 || p.TailConcurrency > 64 {
		bad("tailConcurrency", "%d, want 1-64", p.TailConcurrency)
	}
	if p.Schedule != "" && !strings.HasPrefix(p.Schedule, "rate(") && !strings.HasPrefix(p.Schedule, "cron(") {
		bad("schedule", "%q, want rate(...) or cron(...)", p.Schedule)
	}
	if p.Prefix != "" && (strings.HasPrefix(p.Prefix, "/") || !strings.HasSuffix(p.Prefix, "/")) {
		bad("prefix", "%q, want a key prefix like inbox/nightly/", p.Prefix)
	}
	return errors.Join(errs...)
}

// Set is the profiles of a deployment by name.
type Set map[string]Profile

// Parse reads a JSON object of profiles keyed by name, normalizes each and validates all of them,
// reporting every problem at once. Unknown fields are errors, so a typo cannot silently fall back
// to a default.
func Parse(data []byte) (Set, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	if len(raw) == 0 {
		return nil, errors.New("profiles: none defined")
	}
	set := Set{}
	var errs []error
	for _, name := range sortedKeys(raw) {
		dec := json.NewDecoder(bytes.NewReader(raw[name]))
		dec.DisallowUnknownFields()
		var p Profile
		if err := dec.Decode(&p); err != nil {
			errs = append(errs, fmt.Errorf("profile %q: %w", name, err))
			continue
		}
		if p.Name == "" {
			p.Name = name
		}
		if p.Name != name {
			errs = append(errs, fmt.Errorf("profile %q: name: %q differs from its key", name, p.Name))
			continue
		}
		p = p.Normalize()
		if err := p.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		set[name] = p
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return set, nil
}

// Names returns the profile names in order.
func (s Set) Names() []string { return sortedKeys(s) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
