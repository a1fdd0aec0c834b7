package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Handler is an in-process Lambda function: it gets the invocation payload and returns the
// response payload, exactly as a Go Lambda handler would (a returned error becomes a function
// error named by ErrorTypeName).
type Handler func(ctx context.Context, payload json.RawMessage) (json.RawMessage, error)

// Binding runs a non-Lambda service integration (for example "arn:aws:states:::events:putEvents"
// or "arn:aws:states:::aws-sdk:bedrock:createModelInvocationJob"). It returns the task result as a
// decoded JSON value (map[string]any, []any, string, json.Number, bool or nil). Return a
// (*Failure).Err() to choose the error name; any other error fails the task as States.TaskFailed.
type Binding func(ctx context.Context, call Call) (any, error)

// Call is one invocation of a Binding.
type Call struct {
	// Resource is the Task's resource ARN without an integration-pattern suffix.
	Resource string
	// Parameters is the effective input after the Parameters template.
	Parameters any
	// TaskToken is set for ".waitForTaskToken" resources: the task then completes when
	// SendTaskSuccess or SendTaskFailure arrives for it, not when the binding returns.
	TaskToken string
}

// ObjectStore is the S3 access a Distributed Map needs: ItemReader reads, ResultWriter writes.
type ObjectStore interface {
	// GetObject opens an object; the caller closes it.
	GetObject(ctx context.Context, bucket, key string) (io.ReadCloser, error)
	// PutObject writes an object whole.
	PutObject(ctx context.Context, bucket, key string, body []byte) error
}

// Config holds an Engine's dependencies. Zero values mean: RealClock, region us-east-1,
// account 123456789012, DefaultPayloadLimit, no functions, no bindings, no object store.
type Config struct {
	Clock        Clock
	Region       string
	AccountID    string
	Functions    map[string]Handler // by Lambda function name
	Bindings     map[string]Binding // by resource ARN without ".waitForTaskToken"
	Objects      ObjectStore
	PayloadLimit int
}

// Errors returned by Engine methods; sfnlocal maps them to the Step Functions API errors of the
// same name.
var (
	ErrExecutionAlreadyExists = errors.New("execution already exists")
	ErrInvalidName            = errors.New("invalid name")
	ErrInvalidExecutionInput  = errors.New("invalid execution input")
	ErrInvalidToken           = errors.New("invalid task token")
	ErrTaskDoesNotExist       = errors.New("task does not exist")
	ErrTaskTimedOut           = errors.New("task timed out")
	ErrInvalidOutput          = errors.New("invalid output")
	ErrStateMachineExists     = errors.New("state machine already exists")
)

// Engine runs state machine executions. It is safe for concurrent use.
type Engine struct {
	cfg   Config
	clock Clock
	act   activity

	mu       sync.Mutex
	machines map[string]*Machine   // by ARN
	execs    map[string]*Execution // by ARN
	order    []*Execution          // top-level executions in start order
	tokens   map[string]*taskToken
}

// New returns an engine with cfg's dependencies.
func New(cfg Config) *Engine {
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "123456789012"
	}
	if cfg.PayloadLimit <= 0 {
		cfg.PayloadLimit = DefaultPayloadLimit
	}
	var act activity = noActivity{}
	if a, ok := cfg.Clock.(activity); ok {
		act = a
	}
	return &Engine{cfg: cfg, clock: cfg.Clock, act: act,
		machines: map[string]*Machine{}, execs: map[string]*Execution{}, tokens: map[string]*taskToken{}}
}

// Region returns the region embedded in the ARNs the engine issues.
func (e *Engine) Region() string { return e.cfg.Region }

// Clock returns the engine's clock.
func (e *Engine) Clock() Clock { return e.clock }

// Machine is a registered state machine.
type Machine struct {
	Name         string
	ARN          string
	RoleARN      string
	Source       string // the definition after substitutions
	CreationDate time.Time
	Def          *Definition
}

// AddMachine parses src with subs (see Parse), checks that every Task resource is bound (a
// registered function, a binding, an object store for ItemReader/ResultWriter) and registers the
// machine under name. Registering the same name and definition again returns the existing
// machine; a different definition under a taken name is ErrStateMachineExists.
func (e *Engine) AddMachine(name, roleARN string, src []byte, subs map[string]string) (*Machine, error) {
	if !validName(name) {
		return nil, fmt.Errorf("state machine %q: %w", name, ErrInvalidName)
	}
	def, err := Parse(src, subs)
	if err != nil {
		return nil, err
	}
	if err := e.checkBindings(&def.Program); err != nil {
		return nil, err
	}
	resolved, err := Substitute(src, subs)
	if err != nil {
		return nil, err
	}
	arn := fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", e.cfg.Region, e.cfg.AccountID, name)
	e.mu.Lock()
	defer e.mu.Unlock()
	if m, ok := e.machines[arn]; ok {
		if m.Source == string(resolved) && m.RoleARN == roleARN {
			return m, nil
		}
		return nil, fmt.Errorf("state machine %q: %w", name, ErrStateMachineExists)
	}
	m := &Machine{Name: name, ARN: arn, RoleARN: roleARN, Source: string(resolved), CreationDate: e.clock.Now(), Def: def}
	e.machines[arn] = m
	return m, nil
}

// MachineByARN returns a registered machine.
func (e *Engine) MachineByARN(arn string) (*Machine, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.machines[arn]
	return m, ok
}

func (e *Engine) checkBindings(prog *Program) error {
	names := make([]string, 0, len(prog.States))
	for n := range prog.States {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		st := prog.States[n]
		switch st.Type {
		case "Task":
			if err := e.checkResource(st); err != nil {
				return err
			}
		case "Parallel":
			for _, b := range st.Branches {
				if err := e.checkBindings(b); err != nil {
					return err
				}
			}
		case "Map":
			if (st.ItemReader != nil || st.ResultWriter != nil) && e.cfg.Objects == nil {
				return &LoadError{State: n, Field: "ItemReader", Reason: "the engine has no ObjectStore for S3 reads and writes"}
			}
			if err := e.checkBindings(st.Processor); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *Engine) checkResource(st *State) error {
	res, _ := parseResource(st.Resource)
	le := func(field, format string, args ...any) error {
		return &LoadError{State: st.Name, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	switch res.kind {
	case resLambdaARN:
		if _, ok := e.cfg.Functions[res.function]; !ok {
			return le("Resource", "no handler is registered for Lambda function %q", res.function)
		}
	case resLambdaInvoke:
		params, ok := st.Parameters.(map[string]any)
		if !ok {
			return le("Parameters", "lambda:invoke needs Parameters with FunctionName")
		}
		for k, v := range params {
			switch strings.TrimSuffix(k, ".$") {
			case "FunctionName", "Payload", "Qualifier":
			case "InvocationType":
				if v != "RequestResponse" {
					return le("Parameters.InvocationType", "only RequestResponse is supported")
				}
			default:
				return le("Parameters."+k, "unsupported lambda:invoke parameter")
			}
		}
		if fn, ok := params["FunctionName"].(string); ok {
			if _, ok := e.cfg.Functions[functionName(fn)]; !ok {
				return le("Parameters.FunctionName", "no handler is registered for Lambda function %q", functionName(fn))
			}
		} else if _, ok := params["FunctionName.$"]; !ok {
			return le("Parameters.FunctionName", "missing")
		}
	case resBinding:
		if _, ok := e.cfg.Bindings[res.base]; !ok {
			return le("Resource", "no binding is registered for %q", res.base)
		}
	}
	return nil
}

// validName applies Step Functions' naming rules for machines and executions.
func validName(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) {
			return false
		}
	}
	return true
}

// Status of an execution, as in DescribeExecution.
const (
	StatusRunning   = "RUNNING"
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// Execution is one run of a machine: a top-level execution or a Distributed Map child.
type Execution struct {
	eng       *Engine
	ARN       string
	Name      string
	Machine   *Machine
	Input     string // JSON
	StartDate time.Time
	MapRunARN string // set on Distributed Map children

	prog  *Program
	input any
	root  *group
	done  chan struct{}

	mu       sync.Mutex
	status   string
	stopDate time.Time
	output   string
	errName  string
	cause    string
	events   []Event
	stopping string // StatusAborted or StatusTimedOut once requested
}

// Snapshot is an execution's state at one moment.
type Snapshot struct {
	Status   string
	StopDate time.Time // zero while running
	Output   string    // JSON, set when SUCCEEDED
	Error    string    // set when FAILED, TIMED_OUT or ABORTED
	Cause    string
}

// Snapshot returns the execution's current state.
func (x *Execution) Snapshot() Snapshot {
	x.mu.Lock()
	defer x.mu.Unlock()
	return Snapshot{Status: x.status, StopDate: x.stopDate, Output: x.output, Error: x.errName, Cause: x.cause}
}

// History returns a copy of the events so far.
func (x *Execution) History() []Event {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]Event(nil), x.events...)
}

// Done is closed when the execution has finished.
func (x *Execution) Done() <-chan struct{} { return x.done }

// Wait blocks until the execution finishes or ctx ends, and returns the final snapshot.
func (x *Execution) Wait(ctx context.Context) (Snapshot, error) {
	select {
	case <-x.done:
		return x.Snapshot(), nil
	case <-ctx.Done():
		return x.Snapshot(), fmt.Errorf("wait for execution %s: %w", x.Name, ctx.Err())
	}
}

// Stop aborts a running execution with the given error and cause (both optional). Stopping a
// finished execution does nothing. It returns once the abort is requested, not completed.
func (x *Execution) Stop(errName, cause string) {
	x.halt(StatusAborted, errName, cause)
}

func (x *Execution) halt(status, errName, cause string) {
	x.mu.Lock()
	if x.status != StatusRunning || x.stopping != "" {
		x.mu.Unlock()
		return
	}
	x.stopping = status
	x.errName, x.cause = errName, cause
	x.mu.Unlock()
	x.root.abort()
}

// Start begins an execution of m named name (empty: a generated UUID) with input (empty: "{}").
// As StartExecution does for standard workflows (API Reference, StartExecution "name"), starting
// again with the name and input of an open execution returns that execution and existing=true;
// a different input, or any input once the execution has closed, is ErrExecutionAlreadyExists.
func (e *Engine) Start(m *Machine, name string, input []byte) (x *Execution, existing bool, err error) {
	if name == "" {
		name = newID()
	}
	if !validName(name) {
		return nil, false, fmt.Errorf("execution %q: %w", name, ErrInvalidName)
	}
	if len(input) == 0 {
		input = []byte("{}")
	}
	if len(input) > e.cfg.PayloadLimit {
		return nil, false, fmt.Errorf("execution input of %d bytes exceeds %d: %w", len(input), e.cfg.PayloadLimit, ErrInvalidExecutionInput)
	}
	v, err := decodeValue(input)
	if err != nil {
		return nil, false, fmt.Errorf("execution input: %v: %w", err, ErrInvalidExecutionInput)
	}
	arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", e.cfg.Region, e.cfg.AccountID, m.Name, name)
	e.mu.Lock()
	if old, ok := e.execs[arn]; ok {
		e.mu.Unlock()
		if old.Snapshot().Status == StatusRunning && old.Input == string(input) {
			return old, true, nil
		}
		return nil, false, fmt.Errorf("execution %s: %w", arn, ErrExecutionAlreadyExists)
	}
	x = e.newExecution(arn, name, m, &m.Def.Program, string(input), v, nil)
	e.execs[arn] = x
	e.order = append(e.order, x)
	e.mu.Unlock()
	e.launch(x, m.Def.TimeoutSeconds, nil)
	return x, false, nil
}

func (e *Engine) newExecution(arn, name string, m *Machine, prog *Program, raw string, input any, parent *group) *Execution {
	root := &group{}
	if parent != nil {
		root = parent.child()
	}
	return &Execution{eng: e, ARN: arn, Name: name, Machine: m, Input: raw, StartDate: e.clock.Now(),
		prog: prog, input: input, root: root, done: make(chan struct{}), status: StatusRunning}
}

// ExecutionByARN returns a top-level or Distributed Map child execution.
func (e *Engine) ExecutionByARN(arn string) (*Execution, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.execs[arn]
	return x, ok
}

// Executions returns the top-level executions of the machine, newest first.
func (e *Engine) Executions(machineARN string) []*Execution {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*Execution
	for i := len(e.order) - 1; i >= 0; i-- {
		if e.order[i].Machine.ARN == machineARN {
			out = append(out, e.order[i])
		}
	}
	return out
}

// MapRunExecutions returns the child executions of a Distributed Map run, newest first.
func (e *Engine) MapRunExecutions(mapRunARN string) []*Execution {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*Execution
	for _, x := range e.execs {
		if x.MapRunARN == mapRunARN {
			out = append(out, x)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartDate.After(out[j].StartDate) })
	return out
}

// launch runs x in its own goroutine; onDone (may be nil) is called after it finished.
func (e *Engine) launch(x *Execution, timeoutSeconds int64, onDone func()) {
	e.act.busy()
	go func() {
		defer e.act.idle()
		tr := &trail{}
		x.emit(tr, Event{Type: "ExecutionStarted", Input: x.Input, RoleARN: x.Machine.RoleARN})
		var stopTimer func() bool
		if timeoutSeconds > 0 {
			stopTimer = e.clock.AfterFunc(time.Duration(timeoutSeconds)*time.Second, func() {
				x.halt(StatusTimedOut, ErrTimeout, "The execution timed out")
			})
		}
		out, f := x.runProgram(x.prog, x.input, &scope{x: x, tr: tr, g: x.root})
		if stopTimer != nil {
			stopTimer()
		}
		x.finish(tr, out, f)
		close(x.done)
		if onDone != nil {
			onDone()
		}
	}()
}

func (x *Execution) finish(tr *trail, out any, f *Failure) {
	x.mu.Lock()
	stopping := x.stopping
	x.mu.Unlock()
	var ev Event
	status := StatusSucceeded
	switch {
	case stopping != "" || f == abortFailure:
		status = stopping
		if status == "" {
			status = StatusAborted
		}
		x.mu.Lock()
		ev = Event{Type: "ExecutionAborted", Error: x.errName, Cause: x.cause}
		x.mu.Unlock()
		if status == StatusTimedOut {
			ev.Type = "ExecutionTimedOut"
		}
	case f != nil:
		status = StatusFailed
		ev = Event{Type: "ExecutionFailed", Error: f.Error, Cause: f.Cause}
	default:
		ev = Event{Type: "ExecutionSucceeded", Output: mustEncode(out)}
	}
	x.emit(tr, ev)
	x.mu.Lock()
	x.status = status
	x.stopDate = x.eng.clock.Now()
	switch status {
	case StatusSucceeded:
		x.output = ev.Output
	case StatusFailed:
		x.errName, x.cause = f.Error, f.Cause
	}
	x.mu.Unlock()
}

// trail is one thread of control's position in the history, for previousEventId.
type trail struct{ last int64 }

func (x *Execution) emit(tr *trail, ev Event) int64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	ev.ID = int64(len(x.events) + 1)
	ev.PreviousEventID = tr.last
	ev.Timestamp = x.eng.clock.Now()
	x.events = append(x.events, ev)
	tr.last = ev.ID
	return ev.ID
}

// group is a set of waiting goroutines aborted together: an execution, a Map's iterations or a
// Parallel's branches.
type group struct {
	mu       sync.Mutex
	aborted  bool
	boxes    map[*mailbox]struct{}
	children map[*group]struct{}
	parent   *group
}

func (g *group) child() *group {
	c := &group{parent: g}
	g.mu.Lock()
	if g.children == nil {
		g.children = map[*group]struct{}{}
	}
	g.children[c] = struct{}{}
	aborted := g.aborted
	g.mu.Unlock()
	if aborted {
		c.abort()
	}
	return c
}

func (g *group) release() {
	if g.parent == nil {
		return
	}
	g.parent.mu.Lock()
	delete(g.parent.children, g)
	g.parent.mu.Unlock()
}

func (g *group) register(m *mailbox) {
	g.mu.Lock()
	if g.aborted {
		g.mu.Unlock()
		m.post(wake{kind: wakeAbort})
		return
	}
	if g.boxes == nil {
		g.boxes = map[*mailbox]struct{}{}
	}
	g.boxes[m] = struct{}{}
	g.mu.Unlock()
}

func (g *group) unregister(m *mailbox) {
	g.mu.Lock()
	delete(g.boxes, m)
	g.mu.Unlock()
}

func (g *group) abort() {
	g.mu.Lock()
	if g.aborted {
		g.mu.Unlock()
		return
	}
	g.aborted = true
	boxes := make([]*mailbox, 0, len(g.boxes))
	for m := range g.boxes {
		boxes = append(boxes, m)
	}
	children := make([]*group, 0, len(g.children))
	for c := range g.children {
		children = append(children, c)
	}
	g.mu.Unlock()
	for _, m := range boxes {
		m.post(wake{kind: wakeAbort})
	}
	for _, c := range children {
		c.abort()
	}
}

func (g *group) isAborted() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.aborted
}

type wakeKind int

const (
	wakeAbort wakeKind = iota
	wakeTimer
	wakeResult
	wakeTokenSuccess
	wakeTokenFailure
	wakeHeartbeat
	wakeTimeout
	wakeHeartbeatTimeout
	wakeChild
)

type wake struct {
	kind  wakeKind
	value any
	fail  *Failure
	gen   int
	index int
}

var abortFailure = &Failure{Error: ErrAborted, Cause: "the execution was stopped"}

// scope is what a running state needs from its surroundings.
type scope struct {
	x  *Execution
	tr *trail
	g  *group
}

func (sc *scope) newMailbox() *mailbox {
	m := newMailbox(sc.x.eng.act)
	sc.g.register(m)
	return m
}

func (sc *scope) dropMailbox(m *mailbox) {
	sc.g.unregister(m)
	m.close()
}

// sleep waits d on the engine clock; it returns abortFailure if the scope is aborted first.
func (sc *scope) sleep(d time.Duration) *Failure {
	m := sc.newMailbox()
	defer sc.dropMailbox(m)
	stop := sc.x.eng.clock.AfterFunc(d, func() { m.post(wake{kind: wakeTimer}) })
	defer stop()
	if w := m.wait(); w.kind == wakeAbort {
		return abortFailure
	}
	return nil
}

// contextObject builds the $$ object for a state.
type stateContext struct {
	name    string
	entered time.Time
	retries int
	token   string
}

func (sc *scope) contextObject(c stateContext) map[string]any {
	x := sc.x
	obj := map[string]any{
		"Execution": map[string]any{
			"Id":           x.ARN,
			"Input":        clone(x.input),
			"Name":         x.Name,
			"RoleArn":      x.Machine.RoleARN,
			"StartTime":    formatTime(x.StartDate),
			"RedriveCount": jsonInt(0),
		},
		"State": map[string]any{
			"EnteredTime": formatTime(c.entered),
			"Name":        c.name,
			"RetryCount":  jsonInt(c.retries),
		},
		"StateMachine": map[string]any{
			"Id":   x.Machine.ARN,
			"Name": x.Machine.Name,
		},
	}
	if c.token != "" {
		obj["Task"] = map[string]any{"Token": c.token}
	}
	return obj
}
