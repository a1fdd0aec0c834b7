package asl

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// runProgram runs states from prog.StartAt until a terminal state; it returns the output or the
// unhandled failure.
func (x *Execution) runProgram(prog *Program, input any, sc *scope) (any, *Failure) {
	name := prog.StartAt
	for {
		if sc.g.isAborted() {
			return nil, abortFailure
		}
		st := prog.States[name]
		entered := x.eng.clock.Now()
		x.emit(sc.tr, Event{Type: st.Type + "StateEntered", StateName: name, Input: mustEncode(input)})
		out, next, f := x.runState(st, input, sc, entered)
		if f == abortFailure {
			switch st.Type {
			case "Task", "Wait", "Map", "Parallel":
				x.emit(sc.tr, Event{Type: st.Type + "StateAborted", StateName: name})
			}
		}
		if f != nil {
			return nil, f
		}
		if f := sizeCheck(out, x.eng.cfg.PayloadLimit, fmt.Sprintf("the output of state %q", name)); f != nil {
			return nil, f
		}
		x.emit(sc.tr, Event{Type: st.Type + "StateExited", StateName: name, Output: mustEncode(out)})
		if next == "" {
			return out, nil
		}
		name, input = next, out
	}
}

// runState runs one state; next is empty when the state ends its program.
func (x *Execution) runState(st *State, input any, sc *scope, entered time.Time) (out any, next string, f *Failure) {
	ctxObj := sc.contextObject(stateContext{name: st.Name, entered: entered})
	switch st.Type {
	case "Pass":
		eff, f := applyPath(st.InputPath, input, ctxObj)
		if f != nil {
			return nil, "", f
		}
		result := eff
		switch {
		case st.hasResult:
			result = clone(st.Result)
		case st.hasParameters:
			if result, f = template(st.Parameters, eff, ctxObj); f != nil {
				return nil, "", f
			}
		}
		if out, f = applyResultPath(st.ResultPath, input, result); f != nil {
			return nil, "", f
		}
		out, f = applyPath(st.OutputPath, out, ctxObj)
		return out, st.Next, f
	case "Succeed":
		eff, f := applyPath(st.InputPath, input, ctxObj)
		if f != nil {
			return nil, "", f
		}
		out, f = applyPath(st.OutputPath, eff, ctxObj)
		return out, "", f
	case "Fail":
		fail := &Failure{Error: st.Error, Cause: st.Cause}
		if st.ErrorPath != "" {
			if fail.Error, f = evalString(input, ctxObj, st.ErrorPath); f != nil {
				return nil, "", f
			}
		}
		if st.CausePath != "" {
			if fail.Cause, f = evalString(input, ctxObj, st.CausePath); f != nil {
				return nil, "", f
			}
		}
		return nil, "", fail
	case "Choice":
		eff, f := applyPath(st.InputPath, input, ctxObj)
		if f != nil {
			return nil, "", f
		}
		next := st.Default
		for _, r := range st.Choices {
			ok, f := evalChoice(r, eff, ctxObj)
			if f != nil {
				return nil, "", f
			}
			if ok {
				next = r.Next
				break
			}
		}
		if next == "" {
			return nil, "", &Failure{Error: ErrNoChoiceMatched, Cause: fmt.Sprintf("No Matches! in state %q", st.Name)}
		}
		out, f = applyPath(st.OutputPath, eff, ctxObj)
		return out, next, f
	case "Wait":
		eff, f := applyPath(st.InputPath, input, ctxObj)
		if f != nil {
			return nil, "", f
		}
		d, f := waitDuration(st, eff, ctxObj, x.eng.clock.Now())
		if f != nil {
			return nil, "", f
		}
		if f := sc.sleep(d); f != nil {
			return nil, "", f
		}
		out, f = applyPath(st.OutputPath, eff, ctxObj)
		return out, st.Next, f
	default: // Task, Parallel, Map
		return x.withRetry(st, input, sc, entered)
	}
}

func waitDuration(st *State, eff, ctxObj any, now time.Time) (time.Duration, *Failure) {
	switch {
	case st.hasSeconds:
		return time.Duration(st.Seconds) * time.Second, nil
	case st.Timestamp != "":
		t, _ := parseTimestamp(st.Timestamp)
		return t.Sub(now), nil
	case st.SecondsPath != "":
		v, f := getPath(eff, ctxObj, st.SecondsPath)
		if f != nil {
			return 0, f
		}
		n, ok := nonNegative(v)
		if !ok {
			return 0, runtimeFailure("the value of SecondsPath %s in state %q is not a non-negative integer", st.SecondsPath, st.Name)
		}
		return time.Duration(n) * time.Second, nil
	default:
		v, f := getPath(eff, ctxObj, st.TimestampPath)
		if f != nil {
			return 0, f
		}
		s, _ := v.(string)
		t, ok := parseTimestamp(s)
		if !ok {
			return 0, runtimeFailure("the value of TimestampPath %s in state %q is not an RFC3339 timestamp", st.TimestampPath, st.Name)
		}
		return t.Sub(now), nil
	}
}

// nonNegative converts a JSON number holding a non-negative integer.
func nonNegative(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	raw, err := json.Marshal(n)
	if err != nil {
		return 0, false
	}
	i, err := nonNegativeInt(raw)
	return i, err == nil
}

// withRetry runs a Task, Parallel or Map state with its Retry and Catch rules.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
func (x *Execution) withRetry(st *State, input any, sc *scope, entered time.Time) (any, string, *Failure) {
	counts := make([]int, len(st.Retry))
	retries := 0
	for {
		out, f := x.attempt(st, input, sc, stateContext{name: st.Name, entered: entered, retries: retries})
		if f == nil {
			return out, st.Next, nil
		}
		if terminal(f.Error) {
			return nil, "", f
		}
		retried := false
		for i, r := range st.Retry {
			if !matches(r.ErrorEquals, f.Error) {
				continue
			}
			if counts[i] < r.MaxAttempts {
				delay := retryDelay(r, counts[i])
				counts[i]++
				retries++
				if af := sc.sleep(delay); af != nil {
					return nil, "", af
				}
				retried = true
			}
			break
		}
		if retried {
			continue
		}
		for _, c := range st.Catch {
			if !matches(c.ErrorEquals, f.Error) {
				continue
			}
			errOut := map[string]any{"Error": f.Error, "Cause": f.Cause}
			out, rf := applyResultPath(c.ResultPath, input, errOut)
			if rf != nil {
				return nil, "", rf
			}
			return out, c.Next, nil
		}
		return nil, "", f
	}
}

// retryDelay is IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds, and with
// FULL jitter a uniform random fraction of that.
func retryDelay(r Retrier, attempt int) time.Duration {
	secs := r.IntervalSeconds * math.Pow(r.BackoffRate, float64(attempt))
	if r.MaxDelaySeconds > 0 && secs > r.MaxDelaySeconds {
		secs = r.MaxDelaySeconds
	}
	if r.JitterStrategy == "FULL" {
		secs *= rand.Float64()
	}
	return time.Duration(secs * float64(time.Second))
}

// attempt runs one try of a Task, Parallel or Map state including its result processing.
func (x *Execution) attempt(st *State, input any, sc *scope, c stateContext) (any, *Failure) {
	ctxObj := sc.contextObject(c)
	eff, f := applyPath(st.InputPath, input, ctxObj)
	if f != nil {
		return nil, f
	}
	var result any
	switch st.Type {
	case "Task":
		result, f = x.runTask(st, eff, sc, c)
	case "Parallel":
		result, f = x.runParallel(st, eff, sc, ctxObj)
	case "Map":
		result, f = x.runMap(st, eff, sc, ctxObj)
	}
	if f != nil {
		return nil, f
	}
	if st.hasResultSelector {
		if result, f = template(st.ResultSelector, result, ctxObj); f != nil {
			return nil, f
		}
	}
	out, f := applyResultPath(st.ResultPath, input, result)
	if f != nil {
		return nil, f
	}
	return applyPath(st.OutputPath, out, ctxObj)
}

// effectiveParameters applies the Parameters template (if any) and the payload limit.
func (x *Execution) effectiveParameters(st *State, eff any, ctxObj map[string]any) (any, *Failure) {
	params := eff
	if st.hasParameters {
		var f *Failure
		if params, f = template(st.Parameters, eff, ctxObj); f != nil {
			return nil, f
		}
	}
	if f := sizeCheck(params, x.eng.cfg.PayloadLimit, fmt.Sprintf("the input of state %q after Parameters", st.Name)); f != nil {
		return nil, f
	}
	return params, nil
}
