package asl

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"path"
)

// runChildren launches children with at most maxc (0: all) running at once, and collects their
// results. onDone inspects each result and returns a failure that aborts the rest.
func (x *Execution) runChildren(box *mailbox, g *group, n, maxc int,
	launch func(i int) *Failure, onDone func(w wake) *Failure) (aborted bool, f *Failure) {
	next, running := 0, 0
	for next < n || running > 0 {
		for f == nil && !aborted && next < n && (maxc <= 0 || running < maxc) {
			if lf := launch(next); lf != nil {
				f = lf
				g.abort()
				break
			}
			next++
			running++
		}
		if running == 0 {
			break
		}
		w := box.wait()
		switch w.kind {
		case wakeAbort:
			aborted = true
			g.abort()
		case wakeChild:
			running--
			if cf := onDone(w); cf != nil && f == nil && !aborted {
				f = cf
				g.abort()
			}
		}
	}
	return aborted, f
}

func (x *Execution) runParallel(st *State, eff any, sc *scope, ctxObj map[string]any) (any, *Failure) {
	params, f := x.effectiveParameters(st, eff, ctxObj)
	if f != nil {
		return nil, f
	}
	x.emit(sc.tr, Event{Type: "ParallelStateStarted"})
	g := sc.g.child()
	defer g.release()
	box := sc.newMailbox()
	defer sc.dropMailbox(box)
	results := make([]any, len(st.Branches))
	start := sc.tr.last
	launch := func(i int) *Failure {
		bsc := &scope{x: x, tr: &trail{last: start}, g: g.child()}
		x.eng.act.busy()
		go func() {
			defer x.eng.act.idle()
			out, f := x.runProgram(st.Branches[i], clone(params), bsc)
			box.post(wake{kind: wakeChild, index: i, value: out, fail: f})
		}()
		return nil
	}
	aborted, f := x.runChildren(box, g, len(st.Branches), 0, launch, func(w wake) *Failure {
		results[w.index] = w.value
		return w.fail
	})
	return x.childrenEnded(sc, "Parallel", aborted, f, results)
}

// childrenEnded records how the children of a Parallel or Map state (kind) ended and returns the
// state's result: the children's results in order, or the failure that ended them.
func (x *Execution) childrenEnded(sc *scope, kind string, aborted bool, f *Failure, results []any) (any, *Failure) {
	switch {
	case aborted:
		return nil, abortFailure
	case f != nil:
		x.emit(sc.tr, Event{Type: kind + "StateFailed", Error: f.Error, Cause: f.Cause})
		return nil, f
	}
	x.emit(sc.tr, Event{Type: kind + "StateSucceeded"})
	return results, nil
}

// mapSettings are a Map state's run-time values.
type mapSettings struct {
	items     []any
	maxc      int
	pct       float64
	hasPct    bool
	count     int64
	hasCount  bool
	itemInput func(i int) (any, *Failure)
}

func (x *Execution) mapSettings(st *State, eff any, ctxObj map[string]any) (*mapSettings, *Failure) {
	ms := &mapSettings{}
	var f *Failure
	if st.ItemReader != nil {
		if ms.items, f = x.readItems(st, eff, ctxObj); f != nil {
			return nil, f
		}
	} else {
		p := st.ItemsPath
		if p == "" {
			p = "$"
		}
		v, f := getPath(eff, ctxObj, p)
		if f != nil {
			return nil, f
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, runtimeFailure("ItemsPath %s of state %q does not select an array", p, st.Name)
		}
		ms.items = arr
	}
	maxc, f := intOrZero(st.MaxConcurrency, st.MaxConcurrencyPath, eff, ctxObj, "MaxConcurrencyPath")
	if f != nil {
		return nil, f
	}
	ms.maxc = int(maxc)
	ms.hasPct, ms.pct = st.hasToleratedPercentage, st.ToleratedFailurePercentage
	if st.ToleratedFailurePercentagePath != "" {
		v, f := getPath(eff, ctxObj, st.ToleratedFailurePercentagePath)
		if f != nil {
			return nil, f
		}
		n, ok := v.(interface{ Float64() (float64, error) })
		pct, err := 0.0, error(nil)
		if ok {
			pct, err = n.Float64()
		}
		if !ok || err != nil || pct < 0 || pct > 100 {
			return nil, runtimeFailure("ToleratedFailurePercentagePath %s of state %q is not a number from 0 to 100", st.ToleratedFailurePercentagePath, st.Name)
		}
		ms.hasPct, ms.pct = true, pct
	}
	ms.hasCount, ms.count = st.hasToleratedCount, st.ToleratedFailureCount
	if st.ToleratedFailureCountPath != "" {
		n, f := intOrZero(0, st.ToleratedFailureCountPath, eff, ctxObj, "ToleratedFailureCountPath")
		if f != nil {
			return nil, f
		}
		ms.hasCount, ms.count = true, n
	}
	ms.itemInput = func(i int) (any, *Failure) {
		if !st.hasItemSelector {
			return clone(ms.items[i]), nil
		}
		selCtx := make(map[string]any, len(ctxObj)+1)
		for k, v := range ctxObj {
			selCtx[k] = v
		}
		selCtx["Map"] = map[string]any{"Item": map[string]any{"Index": jsonInt(i), "Value": clone(ms.items[i])}}
		return template(st.ItemSelector, eff, selCtx)
	}
	return ms, nil
}

// intOrZero resolves MaxConcurrency-like fields: a non-negative integer or its ...Path variant.
func intOrZero(static int64, p string, eff, ctxObj any, field string) (int64, *Failure) {
	if p == "" {
		return static, nil
	}
	v, f := getPath(eff, ctxObj, p)
	if f != nil {
		return 0, f
	}
	n, ok := nonNegative(v)
	if !ok {
		return 0, runtimeFailure("the value of %s %s is not a non-negative integer", field, p)
	}
	return n, nil
}

func (x *Execution) runMap(st *State, eff any, sc *scope, ctxObj map[string]any) (any, *Failure) {
	ms, f := x.mapSettings(st, eff, ctxObj)
	if f != nil {
		return nil, f
	}
	if st.Processor.Mode == "DISTRIBUTED" {
		if ms.maxc == 0 {
			ms.maxc = distributedDefaultConcurrency
		}
		return x.runDistributed(st, eff, sc, ctxObj, ms)
	}
	x.emit(sc.tr, Event{Type: "MapStateStarted", Length: len(ms.items)})
	g := sc.g.child()
	defer g.release()
	box := sc.newMailbox()
	defer sc.dropMailbox(box)
	results := make([]any, len(ms.items))
	launch := func(i int) *Failure {
		input, f := ms.itemInput(i)
		if f != nil {
			return f
		}
		tr := &trail{last: sc.tr.last}
		x.emit(tr, Event{Type: "MapIterationStarted", StateName: st.Name, Index: i})
		isc := &scope{x: x, tr: tr, g: g.child()}
		x.eng.act.busy()
		go func() {
			defer x.eng.act.idle()
			out, f := x.runProgram(st.Processor, input, isc)
			switch {
			case f == abortFailure:
				x.emit(tr, Event{Type: "MapIterationAborted", StateName: st.Name, Index: i})
			case f != nil:
				x.emit(tr, Event{Type: "MapIterationFailed", StateName: st.Name, Index: i, Error: f.Error, Cause: f.Cause})
			default:
				x.emit(tr, Event{Type: "MapIterationSucceeded", StateName: st.Name, Index: i})
			}
			box.post(wake{kind: wakeChild, index: i, value: out, fail: f})
		}()
		return nil
	}
	aborted, f := x.runChildren(box, g, len(ms.items), ms.maxc, launch, func(w wake) *Failure {
		results[w.index] = w.value
		return w.fail
	})
	return x.childrenEnded(sc, "Map", aborted, f, results)
}

// distributedDefaultConcurrency is how many child executions a Distributed Map runs at once when
// MaxConcurrency is 0 or absent ("Using Map state in Distributed mode").
const distributedDefaultConcurrency = 10000

// runDistributed runs each item as a child execution with its own history (a Map Run).
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
func (x *Execution) runDistributed(st *State, eff any, sc *scope, ctxObj map[string]any, ms *mapSettings) (any, *Failure) {
	e := x.eng
	label := st.Label
	if label == "" {
		label = st.Name
	}
	runID := newID()
	mapRunARN := fmt.Sprintf("arn:aws:states:%s:%s:mapRun:%s/%s:%s", e.cfg.Region, e.cfg.AccountID, x.Machine.Name, label, runID)
	x.emit(sc.tr, Event{Type: "MapRunStarted", MapRunARN: mapRunARN})
	g := sc.g.child()
	defer g.release()
	box := sc.newMailbox()
	defer sc.dropMailbox(box)
	children := make([]*Execution, len(ms.items))
	failed := 0
	total := len(ms.items)
	launch := func(i int) *Failure {
		input, f := ms.itemInput(i)
		if f != nil {
			return f
		}
		raw := mustEncode(input)
		name := newID()
		arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s/%s:%s", e.cfg.Region, e.cfg.AccountID, x.Machine.Name, label, name)
		c := e.newExecution(arn, name, x.Machine, st.Processor, raw, input, g)
		c.MapRunARN = mapRunARN
		e.mu.Lock()
		e.execs[arn] = c
		e.mu.Unlock()
		children[i] = c
		e.launch(c, 0, func() { box.post(wake{kind: wakeChild, index: i}) })
		return nil
	}
	aborted, f := x.runChildren(box, g, total, ms.maxc, launch, func(w wake) *Failure {
		if children[w.index].Snapshot().Status == StatusSucceeded {
			return nil
		}
		failed++
		exceeded := failed > 0 && !ms.hasPct && !ms.hasCount
		if ms.hasCount && int64(failed) > ms.count {
			exceeded = true
		}
		if ms.hasPct && float64(failed)*100 > ms.pct*float64(total) {
			exceeded = true
		}
		if exceeded {
			return &Failure{Error: ErrExceedToleratedFailed, Cause: "The specified tolerated failure threshold was exceeded"}
		}
		return nil
	})
	switch {
	case aborted:
		x.emit(sc.tr, Event{Type: "MapRunAborted"})
		return nil, abortFailure
	case f != nil:
		x.emit(sc.tr, Event{Type: "MapRunFailed", Error: f.Error, Cause: f.Cause})
		return nil, f
	}
	var result any
	if st.ResultWriter != nil {
		result, f = x.writeResults(st, eff, ctxObj, mapRunARN, runID, children)
		if f != nil {
			x.emit(sc.tr, Event{Type: "MapRunFailed", Error: f.Error, Cause: f.Cause})
			return nil, f
		}
	} else {
		out := make([]any, len(children))
		for i, c := range children {
			s := c.Snapshot()
			if s.Status == StatusSucceeded {
				out[i], _ = decodeValue([]byte(s.Output))
			} else {
				out[i] = map[string]any{"Error": s.Error, "Cause": s.Cause}
			}
		}
		result = out
	}
	x.emit(sc.tr, Event{Type: "MapRunSucceeded"})
	return result, nil
}

// s3Params evaluates an ItemReader or ResultWriter Parameters template into string fields.
func s3Params(tmpl, eff any, ctxObj map[string]any, what string) (map[string]string, *Failure) {
	v, f := template(tmpl, eff, ctxObj)
	if f != nil {
		return nil, f
	}
	m, _ := v.(map[string]any)
	out := map[string]string{}
	for k, val := range m {
		s, ok := val.(string)
		if !ok {
			return nil, runtimeFailure("%s Parameters.%s is not a string", what, k)
		}
		out[k] = s
	}
	return out, nil
}

func (x *Execution) readItems(st *State, eff any, ctxObj map[string]any) ([]any, *Failure) {
	r := st.ItemReader
	p, f := s3Params(r.Parameters, eff, ctxObj, "ItemReader")
	if f != nil {
		return nil, f
	}
	bucket, key := p["Bucket"], p["Key"]
	readerFailed := func(format string, args ...any) *Failure {
		return &Failure{Error: ErrItemReaderFailed, Cause: fmt.Sprintf("s3://%s/%s: ", bucket, key) + fmt.Sprintf(format, args...)}
	}
	rc, err := x.eng.cfg.Objects.GetObject(context.Background(), bucket, key)
	if err != nil {
		return nil, readerFailed("%v", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, readerFailed("read: %v", err)
	}
	var items []any
	switch r.InputType {
	case "JSON":
		v, err := decodeValue(data)
		if err != nil {
			return nil, readerFailed("invalid JSON: %v", err)
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, readerFailed("the JSON document is not an array")
		}
		items = arr
	case "JSONL":
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 64*1024), math.MaxInt32)
		for line := 1; sc.Scan(); line++ {
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) == 0 {
				continue
			}
			v, err := decodeValue(b)
			if err != nil {
				return nil, readerFailed("line %d: invalid JSON: %v", line, err)
			}
			items = append(items, v)
		}
		if err := sc.Err(); err != nil {
			return nil, readerFailed("scan: %v", err)
		}
	}
	if r.MaxItems > 0 && int64(len(items)) > r.MaxItems {
		items = items[:r.MaxItems]
	}
	return items, nil
}

// writeResults writes the Map Run's results like ResultWriter: SUCCEEDED_0.json and
// FAILED_0.json (when non-empty) and manifest.json under <Prefix>/<map run id>/.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
func (x *Execution) writeResults(st *State, eff any, ctxObj map[string]any, mapRunARN, runID string, children []*Execution) (any, *Failure) {
	p, f := s3Params(st.ResultWriter.Parameters, eff, ctxObj, "ResultWriter")
	if f != nil {
		return nil, f
	}
	bucket := p["Bucket"]
	base := path.Join(p["Prefix"], runID)
	var succeeded, failed []any
	for _, c := range children {
		s := c.Snapshot()
		entry := map[string]any{
			"ExecutionArn":        c.ARN,
			"Input":               c.Input,
			"InputDetails":        map[string]any{"Included": true},
			"Name":                c.Name,
			"RedriveCount":        jsonInt(0),
			"RedriveStatus":       "NOT_REDRIVABLE",
			"RedriveStatusReason": fmt.Sprintf("Execution is %s and cannot be redriven", s.Status),
			"StartDate":           formatTime(c.StartDate),
			"StateMachineArn":     c.Machine.ARN,
			"Status":              s.Status,
			"StopDate":            formatTime(s.StopDate),
		}
		if s.Status == StatusSucceeded {
			entry["Output"] = s.Output
			entry["OutputDetails"] = map[string]any{"Included": true}
			succeeded = append(succeeded, entry)
		} else {
			entry["Error"] = s.Error
			entry["Cause"] = s.Cause
			failed = append(failed, entry)
		}
	}
	files := map[string][]any{"SUCCEEDED": {}, "FAILED": {}, "PENDING": {}}
	ctx := context.Background()
	for status, entries := range map[string][]any{"SUCCEEDED": succeeded, "FAILED": failed} {
		if len(entries) == 0 {
			continue
		}
		key := path.Join(base, status+"_0.json")
		body := mustEncode(entries)
		if err := x.eng.cfg.Objects.PutObject(ctx, bucket, key, []byte(body)); err != nil {
			return nil, &Failure{Error: ErrResultWriterFailed, Cause: fmt.Sprintf("write s3://%s/%s: %v", bucket, key, err)}
		}
		files[status] = []any{map[string]any{"Key": key, "Size": jsonInt(len(body))}}
	}
	manifest := map[string]any{"DestinationBucket": bucket, "MapRunArn": mapRunARN, "ResultFiles": files}
	key := path.Join(base, "manifest.json")
	if err := x.eng.cfg.Objects.PutObject(ctx, bucket, key, []byte(mustEncode(manifest))); err != nil {
		return nil, &Failure{Error: ErrResultWriterFailed, Cause: fmt.Sprintf("write s3://%s/%s: %v", bucket, key, err)}
	}
	return map[string]any{
		"MapRunArn":           mapRunARN,
		"ResultWriterDetails": map[string]any{"Bucket": bucket, "Key": key},
	}, nil
}
