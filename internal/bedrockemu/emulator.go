package bedrockemu

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// Job statuses, exactly as the API spells them (reference §6).
const (
	StatusSubmitted          = "Submitted"
	StatusValidating         = "Validating"
	StatusScheduled          = "Scheduled"
	StatusInProgress         = "InProgress"
	StatusCompleted          = "Completed"
	StatusPartiallyCompleted = "PartiallyCompleted"
	StatusFailed             = "Failed"
	StatusStopping           = "Stopping"
	StatusStopped            = "Stopped"
	StatusExpired            = "Expired"
)

var allStatuses = []string{
	StatusSubmitted, StatusValidating, StatusScheduled, StatusInProgress, StatusCompleted,
	StatusPartiallyCompleted, StatusFailed, StatusStopping, StatusStopped, StatusExpired,
}

func terminal(status string) bool {
	switch status {
	case StatusCompleted, StatusPartiallyCompleted, StatusFailed, StatusStopped, StatusExpired:
		return true
	}
	return false
}

// Emulator is the Bedrock batch inference control plane: an http.Handler speaking restJson1 for
// CreateModelInvocationJob, GetModelInvocationJob, ListModelInvocationJobs and
// StopModelInvocationJob, and the scheduler that moves jobs through their lifecycle. Create it
// with New and release it with Close.
type Emulator struct {
	cfg Config
	mux *http.ServeMux

	mu       sync.Mutex
	jobs     map[string]*job // by job id
	order    []*job          // creation order
	byToken  map[string]*job
	byName   map[string]*job
	attempts map[string]int // Create calls per jobName, keys the create-* fault decisions
	events   [][]byte       // emitted, not yet delivered
	running  int            // jobs being stepped
	flushing bool           // a goroutine is delivering events
	changed  chan struct{}  // closed and replaced whenever idleness may have changed

	slots     chan struct{} // one per CPU (GOMAXPROCS), taken by steps and answerAll helpers when free
	wake      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	ctx       context.Context
	stop      context.CancelFunc
	wg        sync.WaitGroup
}

// New returns a running Emulator. It fails only when cfg.S3 is nil.
func New(cfg Config) (*Emulator, error) {
	if cfg.S3 == nil {
		return nil, errors.New("bedrockemu: Config.S3 is required")
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Emulator{
		cfg:      cfg.withDefaults(),
		mux:      http.NewServeMux(),
		jobs:     map[string]*job{},
		byToken:  map[string]*job{},
		byName:   map[string]*job{},
		attempts: map[string]int{},
		changed:  make(chan struct{}),
		slots:    make(chan struct{}, runtime.GOMAXPROCS(0)),
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		ctx:      ctx,
		stop:     cancel,
	}
	e.mux.HandleFunc("POST /model-invocation-job", e.handleCreate)
	e.mux.HandleFunc("GET /model-invocation-job/{jobIdentifier}", e.handleGet)
	e.mux.HandleFunc("POST /model-invocation-job/{jobIdentifier}/stop", e.handleStop)
	e.mux.HandleFunc("GET /model-invocation-jobs", e.handleList)
	e.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{http.StatusNotFound, "UnknownOperationException", "no operation " + r.Method + " " + r.URL.EscapedPath()})
	})
	e.wg.Add(1)
	go e.schedule()
	return e, nil
}

// ServeHTTP answers one control-plane request. Every response carries a fresh x-amzn-RequestId.
// Authentication is not checked: any SigV4 or bearer credentials are accepted.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header()["x-amzn-RequestId"] = []string{newUUID()}
	e.mux.ServeHTTP(w, r)
}

// Close stops the scheduler and waits for it; calling it again does nothing. Jobs stay where
// they are; the emulator must not be used afterwards.
func (e *Emulator) Close() {
	e.closeOnce.Do(func() {
		e.stop()
		close(e.done)
		e.wg.Wait()
		// No goroutine steps a job any more: release what the jobs still hold.
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, j := range e.order {
			j.release()
		}
	})
}

// Wait blocks until the emulator has no work it can do before the clock moves: every job is
// terminal or waiting for its next phase, and every event has been delivered. With JobDuration 0
// that means every job is terminal. With a FakeClock, call Advance then Wait to take a step.
// It returns ctx's error if ctx ends first.
func (e *Emulator) Wait(ctx context.Context) error {
	for {
		e.mu.Lock()
		idle := e.idleLocked()
		ch := e.changed
		e.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (e *Emulator) idleLocked() bool {
	if e.running > 0 || e.flushing || len(e.events) > 0 {
		return false
	}
	now := e.cfg.Clock.Now()
	for _, j := range e.order {
		if !terminal(j.status) && !j.next.After(now) {
			return false
		}
	}
	return true
}

// notifyLocked wakes Wait callers to re-check idleness.
func (e *Emulator) notifyLocked() {
	close(e.changed)
	e.changed = make(chan struct{})
}

func (e *Emulator) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// schedule starts a step of every due job that is not being stepped already, each in its own
// goroutine, and sleeps on the clock until the next job is due or a step ends.
func (e *Emulator) schedule() {
	defer e.wg.Done()
	for {
		e.mu.Lock()
		now := e.cfg.Clock.Now()
		var due *job
		for _, j := range e.order {
			if terminal(j.status) || j.busy {
				continue
			}
			if !j.next.After(now) {
				j.busy = true
				e.running++
				e.wg.Add(1)
				go e.run(j)
				continue
			}
			if due == nil || j.next.Before(due.next) {
				due = j
			}
		}
		var timer <-chan time.Time
		var dueAt time.Time
		if due != nil {
			dueAt = due.next
			timer = e.cfg.Clock.After(dueAt.Sub(now))
		}
		e.mu.Unlock()
		if due != nil && !e.cfg.Clock.Now().Before(dueAt) {
			continue // the clock moved before the timer was set
		}
		select {
		case <-timer:
		case <-e.wake:
		case <-e.done:
			return
		}
	}
}

// run performs the one due transition of j, then releases the job's work state if it ended,
// wakes the scheduler and delivers the events. A step never waits for a CPU slot (so a slow
// model cannot hold up other jobs) but takes one if it is free, which keeps answerAll from
// starting more workers than there are CPUs.
func (e *Emulator) run(j *job) {
	defer e.wg.Done()
	select {
	case e.slots <- struct{}{}:
		e.step(j)
		<-e.slots
	default:
		e.step(j)
	}
	e.mu.Lock()
	if terminal(j.status) {
		j.release()
	}
	j.busy = false
	e.running--
	e.notifyLocked()
	e.mu.Unlock()
	e.poke()
	e.flush()
}

// flush delivers queued events in order, outside the lock. Only one goroutine delivers at a time;
// others leave their events to it.
func (e *Emulator) flush() {
	e.mu.Lock()
	if e.flushing {
		e.mu.Unlock()
		return
	}
	e.flushing = true
	for len(e.events) > 0 {
		ev := e.events[0]
		e.events = e.events[1:]
		e.mu.Unlock()
		if e.cfg.OnEvent != nil {
			e.cfg.OnEvent(ev)
		}
		e.mu.Lock()
	}
	e.flushing = false
	e.notifyLocked()
	e.mu.Unlock()
}
