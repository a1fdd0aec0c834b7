package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/bedrock-batch/bedrock-batch/internal/asl/expr"
)

// Definition is a parsed and validated state machine definition (JSONPath query language).
// It is immutable after Parse and safe for concurrent use.
type Definition struct {
	Comment        string
	TimeoutSeconds int64 // 0: no execution timeout
	Program
}

// Program is a StartAt plus its states: the top level of a definition, a Parallel branch or a
// Map's ItemProcessor.
type Program struct {
	StartAt string
	States  map[string]*State
	// Mode is the ItemProcessor's ProcessorConfig.Mode ("INLINE" or "DISTRIBUTED"); empty elsewhere.
	Mode string
}

// State is one validated state. Only the fields of its Type are set.
type State struct {
	Name string
	Type string
	Next string
	End  bool

	InputPath, OutputPath, ResultPath optPath
	Parameters, ResultSelector        any // payload templates, nil when absent
	hasParameters, hasResultSelector  bool

	// Pass
	Result    any
	hasResult bool

	// Task
	Resource             string
	TimeoutSeconds       int64
	TimeoutSecondsPath   string
	HeartbeatSeconds     int64
	HeartbeatSecondsPath string
	Retry                []Retrier
	Catch                []Catcher

	// Choice
	Choices []*ChoiceRule
	Default string

	// Wait
	Seconds       int64
	hasSeconds    bool
	SecondsPath   string
	Timestamp     string
	TimestampPath string

	// Fail
	Error, ErrorPath, Cause, CausePath string

	// Parallel
	Branches []*Program

	// Map
	Processor                      *Program
	ItemsPath                      string
	ItemSelector                   any
	hasItemSelector                bool
	MaxConcurrency                 int64
	MaxConcurrencyPath             string
	ToleratedFailurePercentage     float64
	hasToleratedPercentage         bool
	ToleratedFailurePercentagePath string
	ToleratedFailureCount          int64
	hasToleratedCount              bool
	ToleratedFailureCountPath      string
	ItemReader                     *ItemReader
	ResultWriter                   *ResultWriter
	Label                          string
}

// optPath is a JSONPath field that may be absent (default "$") or JSON null (discard/empty).
type optPath struct {
	set  bool   // the field is present
	null bool   // the field is JSON null
	path string // the path when present and not null
}

// Retrier is one element of a Retry field.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds float64
	MaxAttempts     int
	BackoffRate     float64
	MaxDelaySeconds float64 // 0: no cap
	JitterStrategy  string  // "NONE" or "FULL"
}

// Catcher is one element of a Catch field.
type Catcher struct {
	ErrorEquals []string
	Next        string
	ResultPath  optPath
}

// ItemReader is a Distributed Map's ItemReader reading one S3 object.
type ItemReader struct {
	Resource   string
	Parameters any    // template; must yield Bucket and Key
	InputType  string // "JSON" or "JSONL"
	MaxItems   int64  // 0: no limit
}

// ResultWriter is a Distributed Map's ResultWriter writing child results to S3.
type ResultWriter struct {
	Resource   string
	Parameters any // template; yields Bucket and Prefix
}

// LoadError is a definition that cannot be run: malformed, structurally invalid, or using
// something this interpreter does not implement. State and Field locate the problem when known.
type LoadError struct {
	State  string
	Field  string
	Reason string
}

// Error returns a message naming the state and field.
func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("asl definition")
	if e.State != "" {
		fmt.Fprintf(&b, ": state %q", e.State)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %s", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

var placeholderRE = regexp.MustCompile(`\$\{([^}]*)\}`)

// Substitute replaces every ${Name} in src by subs[Name], as CloudFormation's
// DefinitionSubstitutions do (plain text replacement before the JSON is parsed). A placeholder
// with no substitution is an error naming it.
func Substitute(src []byte, subs map[string]string) ([]byte, error) {
	var missing []string
	out := placeholderRE.ReplaceAllFunc(src, func(m []byte) []byte {
		name := string(m[2 : len(m)-1])
		v, ok := subs[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		return []byte(v)
	})
	if len(missing) > 0 {
		return nil, &LoadError{Reason: fmt.Sprintf("unresolved substitution ${%s}", strings.Join(missing, "}, ${"))}
	}
	return out, nil
}

// Parse substitutes subs into src (see Substitute) and parses and validates the definition.
// Every unknown field, unsupported feature and structural error is a *LoadError.
func Parse(src []byte, subs map[string]string) (*Definition, error) {
	src, err := Substitute(src, subs)
	if err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := decodeStrict(src, &top); err != nil {
		return nil, &LoadError{Reason: "invalid JSON: " + err.Error()}
	}
	if top == nil {
		return nil, &LoadError{Reason: "definition is not a JSON object"}
	}
	p := parser{}
	def := &Definition{}
	for k := range top {
		switch k {
		case "StartAt", "States", "Comment", "TimeoutSeconds", "Version":
		case "QueryLanguage":
			var ql string
			if err := json.Unmarshal(top[k], &ql); err != nil || ql != "JSONPath" {
				return nil, &LoadError{Field: "QueryLanguage", Reason: fmt.Sprintf("only JSONPath is supported, got %s", top[k])}
			}
		default:
			return nil, &LoadError{Field: k, Reason: "unknown top-level field"}
		}
	}
	if raw, ok := top["Comment"]; ok {
		if err := json.Unmarshal(raw, &def.Comment); err != nil {
			return nil, &LoadError{Field: "Comment", Reason: "must be a string"}
		}
	}
	if raw, ok := top["Version"]; ok {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil || v != "1.0" {
			return nil, &LoadError{Field: "Version", Reason: `must be "1.0"`}
		}
	}
	if raw, ok := top["TimeoutSeconds"]; ok {
		n, err := positiveInt(raw)
		if err != nil {
			return nil, &LoadError{Field: "TimeoutSeconds", Reason: err.Error()}
		}
		def.TimeoutSeconds = n
	}
	prog, err := p.program(top, "")
	if err != nil {
		return nil, err
	}
	def.Program = *prog
	return def, nil
}

func decodeStrict(src []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after JSON value")
	}
	return nil
}

type parser struct {
	names map[string]string // state name -> enclosing program label, for global uniqueness
}

func (p *parser) program(obj map[string]json.RawMessage, owner string) (*Program, error) {
	prog := &Program{}
	if err := json.Unmarshal(obj["StartAt"], &prog.StartAt); err != nil || prog.StartAt == "" {
		return nil, &LoadError{State: owner, Field: "StartAt", Reason: "missing or not a string"}
	}
	var raws map[string]json.RawMessage
	if err := json.Unmarshal(obj["States"], &raws); err != nil || len(raws) == 0 {
		return nil, &LoadError{State: owner, Field: "States", Reason: "missing or not a non-empty object"}
	}
	if p.names == nil {
		p.names = map[string]string{}
	}
	prog.States = make(map[string]*State, len(raws))
	names := make([]string, 0, len(raws))
	for n := range raws {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if len(name) > 80 {
			return nil, &LoadError{State: name, Reason: "state name longer than 80 characters"}
		}
		if _, dup := p.names[name]; dup {
			return nil, &LoadError{State: name, Reason: "state name is used more than once in the definition"}
		}
		p.names[name] = owner
		st, err := p.state(name, raws[name])
		if err != nil {
			return nil, err
		}
		prog.States[name] = st
	}
	if _, ok := prog.States[prog.StartAt]; !ok {
		return nil, &LoadError{State: owner, Field: "StartAt", Reason: fmt.Sprintf("names unknown state %q", prog.StartAt)}
	}
	if err := prog.checkGraph(); err != nil {
		return nil, err
	}
	return prog, nil
}

// checkGraph verifies that every transition target exists and every state is reachable.
func (prog *Program) checkGraph() error {
	target := func(from, field, to string) error {
		if _, ok := prog.States[to]; !ok {
			return &LoadError{State: from, Field: field, Reason: fmt.Sprintf("names unknown state %q", to)}
		}
		return nil
	}
	edges := map[string][]string{}
	for name, st := range prog.States {
		var out []string
		if st.Next != "" {
			if err := target(name, "Next", st.Next); err != nil {
				return err
			}
			out = append(out, st.Next)
		}
		for i, c := range st.Catch {
			if err := target(name, fmt.Sprintf("Catch[%d].Next", i), c.Next); err != nil {
				return err
			}
			out = append(out, c.Next)
		}
		for i, r := range st.Choices {
			if err := target(name, fmt.Sprintf("Choices[%d].Next", i), r.Next); err != nil {
				return err
			}
			out = append(out, r.Next)
		}
		if st.Default != "" {
			if err := target(name, "Default", st.Default); err != nil {
				return err
			}
			out = append(out, st.Default)
		}
		edges[name] = out
	}
	seen := map[string]bool{prog.StartAt: true}
	queue := []string{prog.StartAt}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, t := range edges[n] {
			if !seen[t] {
				seen[t] = true
				queue = append(queue, t)
			}
		}
	}
	var unreachable []string
	for name := range prog.States {
		if !seen[name] {
			unreachable = append(unreachable, name)
		}
	}
	if len(unreachable) > 0 {
		sort.Strings(unreachable)
		return &LoadError{State: unreachable[0], Reason: "state is unreachable from StartAt"}
	}
	return nil
}

// Field sets per state type. "unsupported" fields are valid ASL this interpreter rejects.
var (
	commonFields = []string{"Type", "Comment"}
	ioFields     = []string{"InputPath", "OutputPath"}
	fieldsByType = map[string][]string{
		"Pass":     {"Next", "End", "Parameters", "Result", "ResultPath"},
		"Task":     {"Next", "End", "Resource", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath"},
		"Choice":   {"Choices", "Default"},
		"Wait":     {"Next", "End", "Seconds", "SecondsPath", "Timestamp", "TimestampPath"},
		"Succeed":  {},
		"Fail":     {"Error", "ErrorPath", "Cause", "CausePath"},
		"Parallel": {"Next", "End", "Branches", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch"},
		"Map": {"Next", "End", "ItemsPath", "ItemSelector", "Parameters", "Iterator", "ItemProcessor", "ItemReader", "ResultWriter",
			"ResultSelector", "ResultPath", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath",
			"ToleratedFailureCount", "ToleratedFailureCountPath", "Label", "Retry", "Catch"},
	}
	unsupportedFields = map[string]string{
		"Assign":        "variables (Assign) are not supported",
		"Arguments":     "Arguments belongs to the JSONata query language, which is not supported",
		"Output":        "Output belongs to the JSONata query language, which is not supported",
		"Items":         "Items belongs to the JSONata query language, which is not supported",
		"QueryLanguage": "only the JSONPath query language is supported",
		"Credentials":   "cross-account Credentials are not supported",
		"ItemBatcher":   "ItemBatcher is not supported",
	}
)

type rawState map[string]json.RawMessage

func (p *parser) state(name string, raw json.RawMessage) (*State, error) {
	var fields rawState
	if err := decodeStrict(raw, &fields); err != nil || fields == nil {
		return nil, &LoadError{State: name, Reason: "state is not a JSON object"}
	}
	st := &State{Name: name}
	le := func(field, format string, args ...any) error {
		return &LoadError{State: name, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if err := json.Unmarshal(fields["Type"], &st.Type); err != nil || st.Type == "" {
		return nil, le("Type", "missing or not a string")
	}
	allowed, ok := fieldsByType[st.Type]
	if !ok {
		return nil, le("Type", "unknown state type %q", st.Type)
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if slices.Contains(commonFields, k) || slices.Contains(allowed, k) || (st.Type != "Fail" && slices.Contains(ioFields, k)) {
			continue
		}
		if k == "QueryLanguage" && string(bytes.TrimSpace(fields[k])) == `"JSONPath"` {
			continue
		}
		if why, ok := unsupportedFields[k]; ok {
			return nil, le(k, "%s", why)
		}
		return nil, le(k, "unknown field for a %s state", st.Type)
	}
	f := fieldReader{st: st, fields: fields}
	f.str("Comment", new(string))
	if st.Type != "Fail" {
		f.path("InputPath", &st.InputPath)
		f.path("OutputPath", &st.OutputPath)
	}
	switch st.Type {
	case "Pass", "Task", "Parallel", "Map", "Wait":
		f.str("Next", &st.Next)
		f.boolean("End", &st.End)
		if f.err == nil {
			switch {
			case st.End && st.Next != "":
				return nil, le("Next", "Next and End are both set")
			case !st.End && st.Next == "":
				return nil, le("Next", "a %s state needs Next or \"End\": true", st.Type)
			}
		}
	case "Succeed", "Fail":
		st.End = true
	}
	switch st.Type {
	case "Pass", "Task", "Parallel", "Map":
		f.path("ResultPath", &st.ResultPath)
		st.Parameters, st.hasParameters = f.template("Parameters")
	}
	switch st.Type {
	case "Task", "Parallel", "Map":
		st.ResultSelector, st.hasResultSelector = f.template("ResultSelector")
		f.retry()
		f.catch()
	}
	if f.err != nil {
		return nil, f.err
	}
	var err error
	switch st.Type {
	case "Pass":
		if raw, ok := fields["Result"]; ok {
			st.hasResult = true
			err = decodeStrict(raw, &st.Result)
		}
	case "Task":
		err = p.task(st, &f)
	case "Choice":
		err = p.choice(st, &f)
	case "Wait":
		err = p.wait(st, &f)
	case "Fail":
		f.str("Error", &st.Error)
		f.str("Cause", &st.Cause)
		f.str("ErrorPath", &st.ErrorPath)
		f.str("CausePath", &st.CausePath)
		if st.Error != "" && st.ErrorPath != "" {
			return nil, le("ErrorPath", "Error and ErrorPath are both set")
		}
		if st.Cause != "" && st.CausePath != "" {
			return nil, le("CausePath", "Cause and CausePath are both set")
		}
		for field, v := range map[string]string{"ErrorPath": st.ErrorPath, "CausePath": st.CausePath} {
			if v == "" {
				continue
			}
			check := expr.ValidatePath
			if expr.IsIntrinsic(v) {
				check = expr.Validate
			}
			if err := check(v); err != nil {
				return nil, le(field, "%v", err)
			}
		}
	case "Parallel":
		err = p.parallel(st, fields)
	case "Map":
		err = p.mapState(st, &f)
	}
	if err != nil {
		return nil, err
	}
	return st, f.err
}

// fieldReader decodes typed fields of one state, keeping the first error.
type fieldReader struct {
	st     *State
	fields rawState
	err    error
}

func (f *fieldReader) fail(field, format string, args ...any) {
	if f.err == nil {
		f.err = &LoadError{State: f.st.Name, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
}

func (f *fieldReader) str(field string, dst *string) bool {
	raw, ok := f.fields[field]
	if !ok {
		return false
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		f.fail(field, "must be a string")
	}
	return true
}

func (f *fieldReader) boolean(field string, dst *bool) {
	if raw, ok := f.fields[field]; ok {
		if err := json.Unmarshal(raw, dst); err != nil {
			f.fail(field, "must be a boolean")
		} else if !*dst {
			f.fail(field, "must be true when present")
		}
	}
}

func (f *fieldReader) posInt(field string, dst *int64, allowZero bool) bool {
	raw, ok := f.fields[field]
	if !ok {
		return false
	}
	n, err := nonNegativeInt(raw)
	if err == nil && n == 0 && !allowZero {
		err = fmt.Errorf("must be a positive integer")
	}
	if err != nil {
		f.fail(field, "%v", err)
	}
	*dst = n
	return true
}

func (f *fieldReader) refPath(field string, dst *string) bool {
	if !f.str(field, dst) {
		return false
	}
	if err := expr.ValidatePath(*dst); err != nil {
		f.fail(field, "%v", err)
	}
	return true
}

func (f *fieldReader) path(field string, dst *optPath) {
	raw, ok := f.fields[field]
	if !ok {
		return
	}
	dst.set = true
	if string(bytes.TrimSpace(raw)) == "null" {
		dst.null = true
		return
	}
	if err := json.Unmarshal(raw, &dst.path); err != nil {
		f.fail(field, "must be null or a path")
		return
	}
	check := expr.ValidatePath
	if field == "ResultPath" {
		check = expr.ValidateReferencePath
	}
	if err := check(dst.path); err != nil {
		f.fail(field, "%v", err)
	}
}

func (f *fieldReader) template(field string) (any, bool) {
	raw, ok := f.fields[field]
	if !ok {
		return nil, false
	}
	var v any
	if err := decodeStrict(raw, &v); err != nil {
		f.fail(field, "invalid JSON: %v", err)
		return nil, false
	}
	if err := checkTemplate(v, field); err != nil {
		f.fail(field, "%v", err)
	}
	return v, true
}

// checkTemplate verifies a payload template's ".$" fields at load time.
func checkTemplate(v any, where string) error {
	if err := expr.ValidateTemplate(v); err != nil {
		return fmt.Errorf("%s: %v", where, err)
	}
	return nil
}

func (f *fieldReader) retry() {
	raw, ok := f.fields["Retry"]
	if !ok {
		return
	}
	var items []map[string]json.RawMessage
	if err := decodeStrict(raw, &items); err != nil {
		f.fail("Retry", "must be an array of objects")
		return
	}
	for i, it := range items {
		field := fmt.Sprintf("Retry[%d]", i)
		r := Retrier{IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "NONE"}
		for k, v := range it {
			var err error
			switch k {
			case "ErrorEquals":
				err = json.Unmarshal(v, &r.ErrorEquals)
			case "IntervalSeconds":
				var n int64
				n, err = positiveInt(v)
				r.IntervalSeconds = float64(n)
			case "MaxAttempts":
				var n int64
				n, err = nonNegativeInt(v)
				r.MaxAttempts = int(n)
			case "BackoffRate":
				err = json.Unmarshal(v, &r.BackoffRate)
				if err == nil && r.BackoffRate < 1 {
					err = fmt.Errorf("must be at least 1.0")
				}
			case "MaxDelaySeconds":
				var n int64
				n, err = positiveInt(v)
				r.MaxDelaySeconds = float64(n)
			case "JitterStrategy":
				err = json.Unmarshal(v, &r.JitterStrategy)
				if err == nil && r.JitterStrategy != "FULL" && r.JitterStrategy != "NONE" {
					err = fmt.Errorf("must be FULL or NONE")
				}
			case "Comment":
			default:
				f.fail(field+"."+k, "unknown Retry field")
				return
			}
			if err != nil {
				f.fail(field+"."+k, "%v", err)
				return
			}
		}
		if err := checkErrorEquals(r.ErrorEquals, i == len(items)-1); err != nil {
			f.fail(field+".ErrorEquals", "%v", err)
			return
		}
		f.st.Retry = append(f.st.Retry, r)
	}
}

func (f *fieldReader) catch() {
	raw, ok := f.fields["Catch"]
	if !ok {
		return
	}
	var items []map[string]json.RawMessage
	if err := decodeStrict(raw, &items); err != nil {
		f.fail("Catch", "must be an array of objects")
		return
	}
	for i, it := range items {
		field := fmt.Sprintf("Catch[%d]", i)
		c := Catcher{}
		sub := fieldReader{st: f.st, fields: it}
		for k, v := range it {
			switch k {
			case "ErrorEquals":
				if err := json.Unmarshal(v, &c.ErrorEquals); err != nil {
					f.fail(field+".ErrorEquals", "must be an array of strings")
				}
			case "Next":
				if err := json.Unmarshal(v, &c.Next); err != nil || c.Next == "" {
					f.fail(field+".Next", "must be a state name")
				}
			case "ResultPath":
				sub.path("ResultPath", &c.ResultPath)
			case "Comment":
			default:
				f.fail(field+"."+k, "unknown Catch field")
			}
		}
		if sub.err != nil && f.err == nil {
			f.err = sub.err
		}
		if c.Next == "" {
			f.fail(field+".Next", "missing")
		}
		if err := checkErrorEquals(c.ErrorEquals, i == len(items)-1); err != nil {
			f.fail(field+".ErrorEquals", "%v", err)
		}
		f.st.Catch = append(f.st.Catch, c)
	}
}

func checkErrorEquals(names []string, last bool) error {
	if len(names) == 0 {
		return fmt.Errorf("must be a non-empty array of error names")
	}
	if slices.Contains(names, ErrAll) {
		if len(names) != 1 {
			return fmt.Errorf("States.ALL must appear alone")
		}
		if !last {
			return fmt.Errorf("States.ALL must be in the last element")
		}
	}
	return nil
}

func (p *parser) task(st *State, f *fieldReader) error {
	if !f.str("Resource", &st.Resource) || st.Resource == "" {
		f.fail("Resource", "missing")
	}
	hasT := f.posInt("TimeoutSeconds", &st.TimeoutSeconds, false)
	hasTP := f.refPath("TimeoutSecondsPath", &st.TimeoutSecondsPath)
	hasH := f.posInt("HeartbeatSeconds", &st.HeartbeatSeconds, false)
	hasHP := f.refPath("HeartbeatSecondsPath", &st.HeartbeatSecondsPath)
	if f.err != nil {
		return f.err
	}
	if hasT && hasTP {
		f.fail("TimeoutSecondsPath", "TimeoutSeconds and TimeoutSecondsPath are both set")
	}
	if hasH && hasHP {
		f.fail("HeartbeatSecondsPath", "HeartbeatSeconds and HeartbeatSecondsPath are both set")
	}
	if hasH && hasT && st.HeartbeatSeconds >= st.TimeoutSeconds {
		f.fail("HeartbeatSeconds", "must be smaller than TimeoutSeconds")
	}
	if f.err != nil {
		return f.err
	}
	if _, err := parseResource(st.Resource); err != nil {
		f.fail("Resource", "%v", err)
	}
	return f.err
}

func (p *parser) wait(st *State, f *fieldReader) error {
	n := 0
	if f.posInt("Seconds", &st.Seconds, true) {
		st.hasSeconds = true
		n++
	}
	if f.refPath("SecondsPath", &st.SecondsPath) {
		n++
	}
	if f.str("Timestamp", &st.Timestamp) {
		n++
		if _, ok := parseTimestamp(st.Timestamp); !ok {
			f.fail("Timestamp", "%q is not an RFC3339 timestamp", st.Timestamp)
		}
	}
	if f.refPath("TimestampPath", &st.TimestampPath) {
		n++
	}
	if f.err == nil && n != 1 {
		f.fail("Seconds", "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath")
	}
	return f.err
}

func (p *parser) parallel(st *State, fields rawState) error {
	var branches []map[string]json.RawMessage
	if err := decodeStrict(fields["Branches"], &branches); err != nil || len(branches) == 0 {
		return &LoadError{State: st.Name, Field: "Branches", Reason: "missing or not a non-empty array of objects"}
	}
	for i, b := range branches {
		for k := range b {
			if k != "StartAt" && k != "States" && k != "Comment" {
				return &LoadError{State: st.Name, Field: fmt.Sprintf("Branches[%d].%s", i, k), Reason: "unknown field"}
			}
		}
		prog, err := p.program(b, st.Name)
		if err != nil {
			return err
		}
		st.Branches = append(st.Branches, prog)
	}
	return nil
}

func (p *parser) mapState(st *State, f *fieldReader) error {
	fields := f.fields
	le := func(field, format string, args ...any) error {
		return &LoadError{State: st.Name, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	_, hasIter := fields["Iterator"]
	_, hasProc := fields["ItemProcessor"]
	if hasIter == hasProc {
		return le("ItemProcessor", "exactly one of ItemProcessor and Iterator is required")
	}
	field := "ItemProcessor"
	if hasIter {
		field = "Iterator"
	}
	var proc map[string]json.RawMessage
	if err := decodeStrict(fields[field], &proc); err != nil || proc == nil {
		return le(field, "must be an object")
	}
	mode := "INLINE"
	for k, v := range proc {
		switch k {
		case "StartAt", "States", "Comment":
		case "ProcessorConfig":
			if hasIter {
				return le("Iterator.ProcessorConfig", "ProcessorConfig belongs in ItemProcessor")
			}
			var pc map[string]json.RawMessage
			if err := decodeStrict(v, &pc); err != nil {
				return le("ItemProcessor.ProcessorConfig", "must be an object")
			}
			for pk, pv := range pc {
				switch pk {
				case "Mode":
					if err := json.Unmarshal(pv, &mode); err != nil || (mode != "INLINE" && mode != "DISTRIBUTED") {
						return le("ItemProcessor.ProcessorConfig.Mode", "must be INLINE or DISTRIBUTED")
					}
				case "ExecutionType":
					var et string
					if err := json.Unmarshal(pv, &et); err != nil || (et != "STANDARD" && et != "EXPRESS") {
						return le("ItemProcessor.ProcessorConfig.ExecutionType", "must be STANDARD or EXPRESS")
					}
				default:
					return le("ItemProcessor.ProcessorConfig."+pk, "unknown field")
				}
			}
		default:
			return le(field+"."+k, "unknown field")
		}
	}
	prog, err := p.program(proc, st.Name)
	if err != nil {
		return err
	}
	prog.Mode = mode
	st.Processor = prog
	distributed := mode == "DISTRIBUTED"

	sel, hasSel := f.template("ItemSelector")
	st.ItemSelector, st.hasItemSelector = sel, hasSel
	if hasSel && st.hasParameters {
		return le("ItemSelector", "ItemSelector and Parameters are both set")
	}
	if st.hasParameters {
		st.ItemSelector, st.hasItemSelector = st.Parameters, true
		st.Parameters, st.hasParameters = nil, false
	}
	f.refPath("ItemsPath", &st.ItemsPath)
	hasMC := f.posInt("MaxConcurrency", &st.MaxConcurrency, true)
	if f.refPath("MaxConcurrencyPath", &st.MaxConcurrencyPath) && hasMC {
		f.fail("MaxConcurrencyPath", "MaxConcurrency and MaxConcurrencyPath are both set")
	}
	f.str("Label", &st.Label)
	for _, k := range []string{"ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "ItemReader", "ResultWriter", "Label"} {
		if _, ok := fields[k]; ok && !distributed {
			return le(k, "only allowed when ItemProcessor.ProcessorConfig.Mode is DISTRIBUTED")
		}
	}
	if raw, ok := fields["ToleratedFailurePercentage"]; ok {
		st.hasToleratedPercentage = true
		if err := json.Unmarshal(raw, &st.ToleratedFailurePercentage); err != nil || st.ToleratedFailurePercentage < 0 || st.ToleratedFailurePercentage > 100 {
			return le("ToleratedFailurePercentage", "must be a number from 0 to 100")
		}
	}
	st.hasToleratedCount = f.posInt("ToleratedFailureCount", &st.ToleratedFailureCount, true)
	f.refPath("ToleratedFailurePercentagePath", &st.ToleratedFailurePercentagePath)
	f.refPath("ToleratedFailureCountPath", &st.ToleratedFailureCountPath)
	if f.err != nil {
		return f.err
	}
	if raw, ok := fields["ItemReader"]; ok {
		if st.ItemsPath != "" {
			return le("ItemsPath", "ItemsPath and ItemReader are both set")
		}
		r, err := parseItemReader(st.Name, raw)
		if err != nil {
			return err
		}
		st.ItemReader = r
	}
	if raw, ok := fields["ResultWriter"]; ok {
		w, err := parseResultWriter(st.Name, raw)
		if err != nil {
			return err
		}
		st.ResultWriter = w
	}
	return nil
}

func parseItemReader(state string, raw json.RawMessage) (*ItemReader, error) {
	le := func(field, format string, args ...any) error {
		return &LoadError{State: state, Field: "ItemReader." + field, Reason: fmt.Sprintf(format, args...)}
	}
	var m map[string]json.RawMessage
	if err := decodeStrict(raw, &m); err != nil || m == nil {
		return nil, le("", "must be an object")
	}
	r := &ItemReader{InputType: "JSON"}
	for k, v := range m {
		switch k {
		case "Resource":
			if err := json.Unmarshal(v, &r.Resource); err != nil {
				return nil, le(k, "must be a string")
			}
		case "Parameters":
			if err := decodeStrict(v, &r.Parameters); err != nil {
				return nil, le(k, "invalid JSON")
			}
			if err := checkTemplate(r.Parameters, "Parameters"); err != nil {
				return nil, le(k, "%v", err)
			}
		case "ReaderConfig":
			var rc map[string]json.RawMessage
			if err := decodeStrict(v, &rc); err != nil {
				return nil, le(k, "must be an object")
			}
			for rk, rv := range rc {
				switch rk {
				case "InputType":
					if err := json.Unmarshal(rv, &r.InputType); err != nil {
						return nil, le("ReaderConfig.InputType", "must be a string")
					}
					if r.InputType != "JSON" && r.InputType != "JSONL" {
						return nil, le("ReaderConfig.InputType", "%q is not supported (JSON and JSONL are)", r.InputType)
					}
				case "MaxItems":
					n, err := positiveInt(rv)
					if err != nil {
						return nil, le("ReaderConfig.MaxItems", "%v", err)
					}
					r.MaxItems = n
				default:
					return nil, le("ReaderConfig."+rk, "unknown or unsupported field")
				}
			}
		default:
			return nil, le(k, "unknown or unsupported field")
		}
	}
	if r.Resource != "arn:aws:states:::s3:getObject" {
		return nil, le("Resource", "%q is not supported (arn:aws:states:::s3:getObject is)", r.Resource)
	}
	params, ok := r.Parameters.(map[string]any)
	if !ok {
		return nil, le("Parameters", "must be an object with Bucket and Key")
	}
	for _, need := range []string{"Bucket", "Key"} {
		_, a := params[need]
		_, b := params[need+".$"]
		if !a && !b {
			return nil, le("Parameters."+need, "missing")
		}
	}
	for k := range params {
		switch strings.TrimSuffix(k, ".$") {
		case "Bucket", "Key":
		default:
			return nil, le("Parameters."+k, "unsupported parameter")
		}
	}
	return r, nil
}

func parseResultWriter(state string, raw json.RawMessage) (*ResultWriter, error) {
	le := func(field, format string, args ...any) error {
		return &LoadError{State: state, Field: "ResultWriter." + field, Reason: fmt.Sprintf(format, args...)}
	}
	var m map[string]json.RawMessage
	if err := decodeStrict(raw, &m); err != nil || m == nil {
		return nil, le("", "must be an object")
	}
	w := &ResultWriter{}
	for k, v := range m {
		switch k {
		case "Resource":
			if err := json.Unmarshal(v, &w.Resource); err != nil {
				return nil, le(k, "must be a string")
			}
		case "Parameters":
			if err := decodeStrict(v, &w.Parameters); err != nil {
				return nil, le(k, "invalid JSON")
			}
		default:
			return nil, le(k, "unknown or unsupported field")
		}
	}
	if w.Resource != "arn:aws:states:::s3:putObject" {
		return nil, le("Resource", "%q is not supported (arn:aws:states:::s3:putObject is)", w.Resource)
	}
	params, ok := w.Parameters.(map[string]any)
	if !ok {
		return nil, le("Parameters", "must be an object with Bucket and Prefix")
	}
	if _, ok := params["Bucket"]; !ok {
		if _, ok := params["Bucket.$"]; !ok {
			return nil, le("Parameters.Bucket", "missing")
		}
	}
	for k := range params {
		switch strings.TrimSuffix(k, ".$") {
		case "Bucket", "Prefix":
		default:
			return nil, le("Parameters."+k, "unsupported parameter")
		}
	}
	return w, nil
}

func nonNegativeInt(raw json.RawMessage) (int64, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, fmt.Errorf("must be a non-negative integer")
	}
	i, err := n.Int64()
	if err != nil || i < 0 {
		f, ferr := n.Float64()
		if ferr == nil && f >= 0 && f == math.Trunc(f) && f < math.MaxInt64 {
			return int64(f), nil
		}
		return 0, fmt.Errorf("must be a non-negative integer")
	}
	return i, nil
}

func positiveInt(raw json.RawMessage) (int64, error) {
	n, err := nonNegativeInt(raw)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("must be a positive integer")
	}
	return n, nil
}

// ErrorNames returns the sorted, distinct error names the definition's Retry and Catch rules
// match, across all branches and item processors, without the States.* names. A project checks
// with it that every name its ASL uses is a Go error type its handlers return, and vice versa.
func (d *Definition) ErrorNames() []string {
	seen := map[string]bool{}
	var walk func(p *Program)
	walk = func(p *Program) {
		for _, st := range p.States {
			for _, r := range st.Retry {
				for _, n := range r.ErrorEquals {
					seen[n] = true
				}
			}
			for _, c := range st.Catch {
				for _, n := range c.ErrorEquals {
					seen[n] = true
				}
			}
			for _, b := range st.Branches {
				walk(b)
			}
			if st.Processor != nil {
				walk(st.Processor)
			}
		}
	}
	walk(&d.Program)
	var out []string
	for n := range seen {
		if !strings.HasPrefix(n, "States.") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
