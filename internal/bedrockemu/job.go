package bedrockemu

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// job is one model invocation job. Fields above the work state are guarded by Emulator.mu. At
// most one goroutine steps a job at a time (busy), so its transitions stay ordered.
type job struct {
	seq      int
	id, arn  string
	spec     jobSpec
	quotaKey string // base model id, for the per-model quota
	modelARN string // foundation-model ARN, the event's batchModelId

	status, message                   string
	submit, lastModified, end         time.Time
	expiration, next                  time.Time
	total, processed, success, errors int64
	inputTokens, outputTokens         int64

	busy bool // a goroutine is stepping the job

	// work state, touched only by the goroutine stepping the job
	spill   *spill // the records' bytes, from Validating on
	files   []inputFile
	starts  []int    // starts[i] is the index across all files of files[i]'s first record
	results []result // processed records, in processing order
	slice   int      // InProgress slices done
}

// runSlices is how many steps InProgress takes; progress counters move once per step.
const runSlices = 10

// phase returns pct percent of the configured job duration.
func (e *Emulator) phase(pct int) time.Duration {
	return e.cfg.JobDuration * time.Duration(pct) / 100
}

// setStatusLocked moves j to status, stamps the times and queues the state change event.
func (e *Emulator) setStatusLocked(j *job, status, message string) {
	now := e.cfg.Clock.Now()
	j.status = status
	j.message = message
	j.lastModified = now
	if terminal(status) {
		j.end = now
	}
	e.events = append(e.events, e.stateChangeEvent(j, now))
	e.notifyLocked()
}

// transition moves j from one status to the next unless a Stop got there first; it reports
// whether it did.
func (e *Emulator) transition(j *job, from, to, message string, next time.Duration) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if j.status != from {
		return false
	}
	e.setStatusLocked(j, to, message)
	j.next = e.cfg.Clock.Now().Add(next)
	return true
}

// step performs the one transition of j that is due.
func (e *Emulator) step(j *job) {
	e.mu.Lock()
	status := j.status
	timedOut := !e.cfg.Clock.Now().Before(j.expiration)
	e.mu.Unlock()
	name := j.spec.Name
	f := e.cfg.Faults

	switch {
	case status == StatusStopping:
		e.finish(j, StatusStopping, StatusStopped, "")
	case timedOut && status == StatusInProgress:
		e.finish(j, status, StatusPartiallyCompleted, "")
	case timedOut:
		e.transition(j, status, StatusExpired, expiredMessage(j), 0)
	case status == StatusSubmitted:
		e.transition(j, StatusSubmitted, StatusValidating, "", e.phase(15))
	case status == StatusValidating:
		if msg := e.readInput(j); msg != "" {
			e.transition(j, StatusValidating, StatusFailed, msg, 0)
			return
		}
		if f.Hit(f.JobFail, "job-fail", name) && f.Roll("job-fail-phase", name) < 0.5 {
			e.transition(j, StatusValidating, StatusFailed, accessDeniedMessage(j), 0)
			return
		}
		j.starts = make([]int, len(j.files))
		total := 0
		for i, file := range j.files {
			j.starts[i] = total
			total += len(file.records)
		}
		e.mu.Lock()
		j.total = int64(total)
		e.mu.Unlock()
		e.transition(j, StatusValidating, StatusScheduled, "", e.phase(15))
	case status == StatusScheduled:
		if f.Hit(f.JobExpire, "job-expire", name) {
			e.transition(j, StatusScheduled, StatusExpired, expiredMessage(j), 0)
			return
		}
		e.transition(j, StatusScheduled, StatusInProgress, "", e.phase(65)/runSlices)
	case status == StatusInProgress:
		e.runSlice(j)
	}
}

// runSlice answers the next slice of records. After the last slice, or at the mid-run failure
// point of a job-fail job, it finishes the job.
func (e *Emulator) runSlice(j *job) {
	all := j.recordCount()
	slices := min(runSlices, all)
	from, to := j.slice*all/slices, (j.slice+1)*all/slices
	if j.results == nil {
		j.results = make([]result, 0, all)
	}
	done := len(j.results)
	j.results = append(j.results, make([]result, to-from)...)
	e.answerAll(j, from, j.results[done:])
	j.slice++

	e.mu.Lock()
	for _, r := range j.results[done:] {
		j.count(r)
	}
	j.lastModified = e.cfg.Clock.Now()
	e.notifyLocked()
	e.mu.Unlock()

	name := j.spec.Name
	f := e.cfg.Faults
	switch {
	case f.Hit(f.JobFail, "job-fail", name) && j.slice == (slices+1)/2:
		e.finish(j, StatusInProgress, StatusFailed, midRunFailureMessage)
	case j.slice < slices:
		e.mu.Lock()
		if j.status == StatusInProgress {
			j.next = e.cfg.Clock.Now().Add(e.phase(65) / runSlices)
		}
		e.mu.Unlock()
	case f.Hit(f.JobPartial, "job-partial", name):
		e.dropSome(j)
		e.finish(j, StatusInProgress, StatusPartiallyCompleted, "")
	default:
		e.finish(j, StatusInProgress, StatusCompleted, "")
	}
}

// finish writes the output of the records processed so far and ends the job in status to,
// unless its status is no longer from (a Stop came in between). A failed write fails the job.
func (e *Emulator) finish(j *job, from, to, message string) {
	if len(j.results) > 0 || j.slice > 0 {
		if msg := e.writeOutput(j); msg != "" {
			to, message = StatusFailed, msg
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if j.status != from {
		return
	}
	j.processed, j.success, j.errors = 0, 0, 0
	j.inputTokens, j.outputTokens = 0, 0
	for _, r := range j.results {
		j.count(r)
	}
	e.setStatusLocked(j, to, message)
}

func (j *job) count(r result) {
	j.processed++
	if r.ok {
		j.success++
	} else {
		j.errors++
	}
	j.inputTokens += r.inputTokens
	j.outputTokens += r.outputTokens
}

// dropSome removes a deterministic share (about a quarter, at least one) of the processed
// records, which a PartiallyCompleted job leaves out of its output.
func (e *Emulator) dropSome(j *job) {
	kept := j.results[:0]
	dropped := false
	for _, r := range j.results {
		if e.cfg.Faults.Roll("job-partial-missing", j.spec.Name, j.files[r.file].records[r.index].recordID()) < 0.25 {
			dropped = true
			continue
		}
		kept = append(kept, r)
	}
	if !dropped && len(kept) > 0 {
		kept = kept[:len(kept)-1]
	}
	j.results = kept
}

// release drops the job's work state; nothing may read its records afterwards.
func (j *job) release() {
	j.files, j.starts, j.results = nil, nil, nil
	j.spill.close()
	j.spill = nil
}

func (j *job) recordCount() int {
	n := 0
	for _, f := range j.files {
		n += len(f.records)
	}
	return n
}

// locate maps a record's index across all files to its file and index within that file.
func (j *job) locate(i int) (file, rec int) {
	file = sort.Search(len(j.starts), func(f int) bool { return j.starts[f] > i }) - 1
	return file, i - j.starts[file]
}

// answerChunk is how many records a worker of answerAll claims at a time.
const answerChunk = 64

// answerAll answers the records from, from+1, … into out, on the calling goroutine plus one
// helper per CPU slot free at the moment (Emulator.slots), so a lone job uses every core and
// concurrent jobs share them. out's order does not depend on how the work was split.
func (e *Emulator) answerAll(j *job, from int, out []result) {
	var next atomic.Int64
	work := func() {
		for {
			start := int(next.Add(answerChunk)) - answerChunk
			if start >= len(out) {
				return
			}
			for k := start; k < min(start+answerChunk, len(out)); k++ {
				fi, ri := j.locate(from + k)
				out[k] = e.answer(j, fi, ri)
			}
		}
	}
	var wg sync.WaitGroup
helpers:
	for n := len(out)/answerChunk - 1; n > 0; n-- {
		select {
		case e.slots <- struct{}{}:
		default:
			break helpers
		}
		wg.Go(func() {
			defer func() { <-e.slots }()
			work()
		})
	}
	work()
	wg.Wait()
}
