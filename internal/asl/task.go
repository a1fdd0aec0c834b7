package asl

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

const (
	resLambdaInvoke = iota // arn:aws:states:::lambda:invoke[.waitForTaskToken]
	resLambdaARN           // arn:aws:lambda:region:account:function:name
	resBinding             // any other arn:aws:states::: integration
)

type resource struct {
	kind         int
	base         string // ARN without the integration-pattern suffix
	waitToken    bool
	resourceType string // history: "lambda", "events", "aws-sdk:bedrock"
	name         string // history: "invoke", "putEvents.waitForTaskToken"
	function     string // resLambdaARN: the function name
}

// parseResource classifies a Task's Resource ARN. Activities, .sync integrations and
// non-ARN resources are not supported.
func parseResource(arn string) (resource, error) {
	if rest, ok := strings.CutPrefix(arn, "arn:aws:lambda:"); ok {
		parts := strings.Split(rest, ":")
		if len(parts) < 4 || parts[2] != "function" || parts[3] == "" {
			return resource{}, fmt.Errorf("%q is not a Lambda function ARN", arn)
		}
		return resource{kind: resLambdaARN, base: arn, function: parts[3], resourceType: "lambda", name: parts[3]}, nil
	}
	rest, ok := strings.CutPrefix(arn, "arn:aws:states:::")
	if !ok {
		return resource{}, fmt.Errorf("%q is not a supported resource (Lambda function ARNs and arn:aws:states::: integrations are)", arn)
	}
	r := resource{base: arn}
	if strings.Contains(rest, ".sync") {
		return resource{}, fmt.Errorf("%q: the .sync integration pattern is not supported", arn)
	}
	if b, ok := strings.CutSuffix(rest, ".waitForTaskToken"); ok {
		r.waitToken = true
		r.base = "arn:aws:states:::" + b
		rest = b
	}
	i := strings.LastIndex(rest, ":")
	if i <= 0 || i == len(rest)-1 {
		return resource{}, fmt.Errorf("%q is not a service integration ARN", arn)
	}
	r.resourceType, r.name = rest[:i], rest[i+1:]
	if r.waitToken {
		r.name += ".waitForTaskToken"
	}
	r.kind = resBinding
	if r.resourceType == "lambda" {
		if rest[i+1:] != "invoke" {
			return resource{}, fmt.Errorf("%q: only lambda:invoke is supported", arn)
		}
		r.kind = resLambdaInvoke
	}
	return r, nil
}

// functionName extracts the function name from a name, name:qualifier, partial or full ARN.
func functionName(s string) string {
	parts := strings.Split(s, ":")
	for i, p := range parts {
		if p == "function" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	return parts[0]
}

// taskToken is an outstanding .waitForTaskToken task.
type taskToken struct {
	box    *mailbox
	closed bool
}

func (e *Engine) newToken(box *mailbox) string {
	var b [48]byte
	rand.Read(b[:]) // cannot fail since Go 1.24
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	e.mu.Lock()
	e.tokens[tok] = &taskToken{box: box}
	e.mu.Unlock()
	return tok
}

func (e *Engine) closeToken(tok string) {
	e.mu.Lock()
	if t, ok := e.tokens[tok]; ok {
		t.closed = true
	}
	e.mu.Unlock()
}

// deliver posts w to the task waiting on tok, applying Step Functions' token errors.
func (e *Engine) deliver(tok string, w wake) error {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != 48 {
		return ErrInvalidToken
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.tokens[tok]
	switch {
	case !ok:
		return ErrTaskDoesNotExist
	case t.closed:
		return ErrTaskTimedOut
	}
	if w.kind != wakeHeartbeat {
		t.closed = true
	}
	t.box.post(w)
	return nil
}

// SendTaskSuccess completes the task waiting on token with output (JSON).
// Errors: ErrInvalidToken (malformed), ErrTaskDoesNotExist (never issued), ErrTaskTimedOut
// (the task already finished, timed out or was retried), ErrInvalidOutput.
func (e *Engine) SendTaskSuccess(token string, output []byte) error {
	if len(output) > e.cfg.PayloadLimit {
		return fmt.Errorf("output of %d bytes exceeds %d: %w", len(output), e.cfg.PayloadLimit, ErrInvalidOutput)
	}
	v, err := decodeValue(output)
	if err != nil {
		return fmt.Errorf("output is not JSON: %v: %w", err, ErrInvalidOutput)
	}
	return e.deliver(token, wake{kind: wakeTokenSuccess, value: v})
}

// SendTaskFailure fails the task waiting on token with the error name and cause.
// Errors as SendTaskSuccess.
func (e *Engine) SendTaskFailure(token, errName, cause string) error {
	return e.deliver(token, wake{kind: wakeTokenFailure, fail: &Failure{Error: errName, Cause: cause}})
}

// SendTaskHeartbeat restarts the HeartbeatSeconds timer of the task waiting on token.
// Errors as SendTaskSuccess.
func (e *Engine) SendTaskHeartbeat(token string) error {
	return e.deliver(token, wake{kind: wakeHeartbeat})
}

// intOrPath resolves TimeoutSeconds/HeartbeatSeconds or their ...Path variant.
func intOrPath(static int64, path string, eff, ctxObj any, field string) (int64, *Failure) {
	if path == "" {
		return static, nil
	}
	v, f := getPath(eff, ctxObj, path)
	if f != nil {
		return 0, f
	}
	n, ok := nonNegative(v)
	if !ok || n == 0 {
		return 0, runtimeFailure("the value of %s %s is not a positive integer", field, path)
	}
	return n, nil
}

// runTask runs one attempt of a Task state on its effective input.
func (x *Execution) runTask(st *State, eff any, sc *scope, c stateContext) (any, *Failure) {
	res, _ := parseResource(st.Resource)
	box := sc.newMailbox()
	defer sc.dropMailbox(box)
	if res.waitToken {
		c.token = x.eng.newToken(box)
		defer x.eng.closeToken(c.token)
	}
	ctxObj := sc.contextObject(c)
	params, f := x.effectiveParameters(st, eff, ctxObj)
	if f != nil {
		return nil, f
	}
	timeout, f := intOrPath(st.TimeoutSeconds, st.TimeoutSecondsPath, eff, ctxObj, "TimeoutSecondsPath")
	if f != nil {
		return nil, f
	}
	heartbeat, f := intOrPath(st.HeartbeatSeconds, st.HeartbeatSecondsPath, eff, ctxObj, "HeartbeatSecondsPath")
	if f != nil {
		return nil, f
	}
	if heartbeat > 0 && timeout > 0 && heartbeat >= timeout {
		return nil, runtimeFailure("HeartbeatSeconds %d is not smaller than TimeoutSeconds %d in state %q", heartbeat, timeout, st.Name)
	}
	lambdaEvents := res.kind == resLambdaARN
	paramsJSON := mustEncode(params)
	if lambdaEvents {
		x.emit(sc.tr, Event{Type: "LambdaFunctionScheduled", Resource: st.Resource, Input: paramsJSON, TimeoutSeconds: timeout})
		x.emit(sc.tr, Event{Type: "LambdaFunctionStarted"})
	} else {
		x.emit(sc.tr, Event{Type: "TaskScheduled", ResourceType: res.resourceType, Resource: res.name, Parameters: paramsJSON,
			TimeoutSeconds: timeout, HeartbeatSeconds: heartbeat})
		x.emit(sc.tr, Event{Type: "TaskStarted", ResourceType: res.resourceType, Resource: res.name})
	}
	fail := func(f *Failure, timedOut bool) (any, *Failure) {
		typ := "TaskFailed"
		switch {
		case lambdaEvents && timedOut:
			typ = "LambdaFunctionTimedOut"
		case lambdaEvents:
			typ = "LambdaFunctionFailed"
		case timedOut:
			typ = "TaskTimedOut"
		}
		ev := Event{Type: typ, Error: f.Error, Cause: f.Cause}
		if !lambdaEvents {
			ev.ResourceType, ev.Resource = res.resourceType, res.name
		}
		x.emit(sc.tr, ev)
		return nil, f
	}
	succeed := func(v any) (any, *Failure) {
		if f := sizeCheck(v, x.eng.cfg.PayloadLimit, fmt.Sprintf("the result of task %q", st.Name)); f != nil {
			return fail(f, false)
		}
		if lambdaEvents {
			x.emit(sc.tr, Event{Type: "LambdaFunctionSucceeded", Output: mustEncode(v)})
		} else {
			x.emit(sc.tr, Event{Type: "TaskSucceeded", ResourceType: res.resourceType, Resource: res.name, Output: mustEncode(v)})
		}
		return v, nil
	}

	clock := x.eng.clock
	if timeout > 0 {
		stop := clock.AfterFunc(time.Duration(timeout)*time.Second, func() { box.post(wake{kind: wakeTimeout}) })
		defer stop()
	}
	hbGen := 0
	stopHB := func() bool { return false }
	armHeartbeat := func() {
		stopHB()
		if heartbeat == 0 {
			return
		}
		hbGen++
		gen := hbGen
		stopHB = clock.AfterFunc(time.Duration(heartbeat)*time.Second, func() { box.post(wake{kind: wakeHeartbeatTimeout, gen: gen}) })
	}
	armHeartbeat()
	defer func() { stopHB() }()

	// The handler keeps running when a task token completes the task first, as a Lambda would;
	// only an abort or a timeout cancels its context, so a blocked handler cannot leak.
	callCtx, cancel := context.WithCancel(context.Background())
	x.eng.act.busy()
	go func() {
		defer x.eng.act.idle()
		defer cancel()
		v, f := x.eng.invoke(callCtx, res, params, c.token)
		box.post(wake{kind: wakeResult, value: v, fail: f})
	}()
	for {
		w := box.wait()
		switch w.kind {
		case wakeAbort:
			cancel()
			return nil, abortFailure
		case wakeResult:
			if w.fail != nil {
				return fail(w.fail, false)
			}
			if !res.waitToken {
				return succeed(w.value)
			}
			x.emit(sc.tr, Event{Type: "TaskSubmitted", ResourceType: res.resourceType, Resource: res.name, Output: mustEncode(w.value)})
		case wakeTokenSuccess:
			return succeed(w.value)
		case wakeTokenFailure:
			return fail(w.fail, false)
		case wakeHeartbeat:
			armHeartbeat()
		case wakeTimeout:
			cancel()
			return fail(&Failure{Error: ErrTimeout, Cause: fmt.Sprintf("state %q exceeded TimeoutSeconds %d", st.Name, timeout)}, true)
		case wakeHeartbeatTimeout:
			if w.gen == hbGen {
				cancel()
				return fail(&Failure{Error: ErrHeartbeatTimeout, Cause: fmt.Sprintf("state %q received no heartbeat for %d seconds", st.Name, heartbeat)}, true)
			}
		}
	}
}

// invoke calls the handler or binding behind a Task resource.
func (e *Engine) invoke(ctx context.Context, res resource, params any, token string) (result any, f *Failure) {
	switch res.kind {
	case resBinding:
		defer func() {
			if p := recover(); p != nil {
				result, f = nil, &Failure{Error: ErrTaskFailed, Cause: fmt.Sprintf("binding %s panicked: %v", res.base, p)}
			}
		}()
		v, err := e.cfg.Bindings[res.base](ctx, Call{Resource: res.base, Parameters: clone(params), TaskToken: token})
		if err != nil {
			return nil, AsFailure(err)
		}
		return v, nil
	case resLambdaARN:
		return e.callFunction(ctx, res.base, res.function, params)
	}
	m, _ := params.(map[string]any)
	fnRef, ok := m["FunctionName"].(string)
	if !ok {
		return nil, runtimeFailure("lambda:invoke: FunctionName is not a string")
	}
	payload, hasPayload := m["Payload"]
	if !hasPayload {
		payload = map[string]any{}
	}
	name := functionName(fnRef)
	arn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", e.cfg.Region, e.cfg.AccountID, name)
	out, f := e.callFunction(ctx, arn, name, payload)
	if f != nil {
		return nil, f
	}
	reqID := newID()
	body := mustEncode(out)
	headers := map[string]string{
		"Content-Type":           "application/json",
		"Content-Length":         fmt.Sprint(len(body)),
		"X-Amz-Executed-Version": "$LATEST",
		"x-amzn-RequestId":       reqID,
		"Connection":             "keep-alive",
	}
	all := map[string]any{}
	single := map[string]any{}
	for k, v := range headers {
		all[k] = []any{v}
		single[k] = v
	}
	return map[string]any{
		"ExecutedVersion": "$LATEST",
		"Payload":         out,
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": all,
			"HttpHeaders":    single,
			"HttpStatusCode": jsonInt(200),
		},
		"SdkResponseMetadata": map[string]any{"RequestId": reqID},
		"StatusCode":          jsonInt(200),
	}, nil
}

// callFunction invokes a registered handler like the Lambda service: a returned error or a
// panic is a function error named by the aws-lambda-go rule; the response payload is decoded as
// JSON (a response that is not JSON becomes a string).
func (e *Engine) callFunction(ctx context.Context, arn, name string, payload any) (result any, f *Failure) {
	h, ok := e.cfg.Functions[name]
	if !ok {
		return nil, &Failure{Error: "Lambda.ResourceNotFoundException", Cause: fmt.Sprintf("Function not found: %s", arn)}
	}
	reqID := newID()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: reqID, InvokedFunctionArn: arn})
	defer func() {
		if p := recover(); p != nil {
			result, f = nil, lambdaPanic(p)
		}
	}()
	raw, err := h(ctx, json.RawMessage(mustEncode(payload)))
	if err != nil {
		return nil, lambdaFailure(err)
	}
	if len(raw) == 0 {
		return nil, nil
	}
	v, derr := decodeValue(raw)
	if derr != nil {
		return string(raw), nil
	}
	return v, nil
}

// lambdaPanic reports a handler panic as aws-lambda-go does: the panic value's type name and
// its %v text.
func lambdaPanic(p any) *Failure {
	if ive, ok := p.(messages.InvokeResponse_Error); ok {
		return lambdaPayloadFailure(ive)
	}
	return lambdaPayloadFailure(messages.InvokeResponse_Error{Message: fmt.Sprintf("%v", p), Type: panicTypeName(p)})
}
